// "Today's plan" on the home screen, offline: the visits the supervisor's draw gave this
// inspector for today (pulled as plan_item; the server sends each inspector only their own),
// why each stall is there (risk reasons, or drawn at random), and a tick once it is done.
// Done means the server linked an inspection to the visit (done_at, after a sync), or this
// tablet holds an inspection of that merchant captured today (in its outbox, or sent).

import * as db from './db.js';
import { t } from './i18n.js';
import { h, loc, localDate } from './ui.js';

/** Merchants with an inspection captured today (district calendar) on this tablet: waiting
 * in the outbox (this user's), or sent and stored by the server (the history). */
async function savedToday(today, userId) {
  const [waiting, sent] = await Promise.all([db.all('outbox'), db.all('history')]);
  const merchants = new Set();
  for (const o of waiting) {
    if ((userId && o.user_id !== userId) || !o.envelope || !o.envelope.answers) continue;
    if (localDate(new Date(o.envelope.captured_at)) === today) merchants.add(Number(o.envelope.answers.merchant));
  }
  for (const s of sent) {
    if (s.merchant != null && localDate(new Date(s.captured_at)) === today) merchants.add(Number(s.merchant));
  }
  return merchants;
}

/** Today's visits, by rank, each with its merchant, market and whether it is done; visits of
 * past days are dropped from the tablet (the server no longer sends them). */
export async function todaysPlan(today = localDate()) {
  const items = await db.all('plan_items');
  const past = items.filter((i) => i.plan_date < today);
  if (past.length) {
    await db.tx('plan_items', 'readwrite', async (s) => { for (const i of past) await s.plan_items.delete(i.id); });
  }
  const session = await db.kvGet('session');
  const local = await savedToday(today, session && session.user && session.user.id);
  const todays = items.filter((i) => i.plan_date === today).sort((a, b) => a.rank - b.rank);
  return Promise.all(todays.map(async (item) => {
    const merchant = await db.get('merchants', item.merchant);
    const market = merchant && merchant.market ? await db.get('markets', merchant.market) : null;
    return { ...item, merchantInfo: merchant || null, marketInfo: market,
      done: Boolean(item.done_at) || local.has(item.merchant) };
  }));
}

function why(item) {
  if (item.selection === 'random') return h('p.plan-why', { testid: 'plan-why' }, t('plan.random'));
  if (!item.reasons || !item.reasons.length) return h('p.plan-why', { testid: 'plan-why' }, t('plan.priority'));
  return h('ul.plan-why', { testid: 'plan-why' }, item.reasons.map((r) => h('li', loc(r))));
}

/** The home screen's section, or null when there is no visit for today. */
export async function planSection() {
  const visits = await todaysPlan();
  if (!visits.length) return null;
  const done = visits.filter((v) => v.done).length;
  return h('section.plan', { testid: 'todays-plan' },
    h('h2', t('plan.title', { done, n: visits.length })),
    h('ul.list.plan-list', visits.map((v) => {
      const m = v.merchantInfo;
      const where = [m && m.stall_no, v.marketInfo && loc(v.marketInfo.name)].filter(Boolean).join(' · ');
      return h(`li.plan-item${v.done ? '.done' : ''}`, { dataset: { merchant: v.merchant }, testid: 'plan-item' },
        h('a.row-link', { href: `#/merchant/${v.merchant}` },
          h('span.plan-tick', { testid: 'plan-tick', 'aria-hidden': 'true' }, v.done ? '✓' : '○'),
          h('span.visually-hidden', t(v.done ? 'plan.done' : 'plan.pending')),
          ' ', h('b', m ? m.name : t('merchants.gone')),
          where ? h('span.muted', ` · ${where}`) : null),
        why(v));
    })));
}
