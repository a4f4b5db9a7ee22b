// Starting an inspection: scan the label, type the printed code, or pick the merchant. The
// instrument card shows what the register says (verification expiry, last result) at once,
// from the local cache.

import * as db from '../db.js';
import { lang, t } from '../i18n.js';
import { findInstrument, labelRef, merchantsList, openForms } from '../refdata.js';
import { scan } from '../scan.js';
import { pendingWork, signOut } from '../signout.js';
import { age, clear, daysUntil, formatDate, formatTime, h, loc, toast, verdictBadge } from '../ui.js';
import { navigate } from '../router.js';
import { instrumentOrders, merchantOrders, ordersSection, statusBanner, violationMap } from '../orders.js';
import { planSection } from '../plan.js';
import { newDraft } from './inspect.js';

const SCALE_KINDS = ['price_computing_scale', 'platform_scale', 'dial_scale', 'steelyard'];
const OPTICS_KINDS = ['focimeter', 'refractometer', 'trial_lens_set'];

async function openRef(raw) {
  const ref = labelRef(raw);
  if (!ref) { toast(t('home.not_a_label'), 'bad'); return; }
  const instrument = await findInstrument(ref);
  if (!instrument) { toast(t('home.unknown_instrument', { ref }), 'bad'); return; }
  navigate(`#/instrument/${instrument.id}`);
}

export async function scanAndOpen() {
  try {
    const text = await scan();
    if (text) await openRef(text);
  } catch (error) {
    toast(error.message, 'bad');
  }
}

async function signOutClicked(button) {
  const work = await pendingWork();
  const parts = ['outbox', 'attention', 'photos', 'drafts'].filter((k) => work[k])
    .map((k) => t(`signout.${k}`, { n: work[k] }));
  // Nothing is deleted either way; the warning says what stays and who can sign in next.
  if (parts.length && !window.confirm(t('signout.confirm', { list: parts.join(lang() === 'zh' ? '，' : ', ') }))) return;
  button.disabled = true;
  const { revoked } = await signOut();
  toast(t(revoked ? 'signout.done' : 'signout.not_revoked'), 'good');
  navigate('#/login');
}

export async function homeScreen(main) {
  const session = await db.kvGet('session');
  const drafts = (await db.all('drafts')).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const code = h('input', { name: 'code', testid: 'code-input', autocomplete: 'off', autocapitalize: 'characters',
    placeholder: t('home.code_placeholder'), enterkeyhint: 'search' });
  const find = (event) => { event.preventDefault(); openRef(code.value); };
  const prepared = await db.kvGet('prepared_at');
  const pulled = await db.kvGet('pulled_at');
  const out = h('button.big', { type: 'button', testid: 'sign-out', onclick: () => signOutClicked(out) }, t('signout.button'));
  const plan = await planSection();
  clear(main,
    h('div.home-head', h('h1', t('home.title', { name: session.user.display_name })), out),
    prepared ? h('p.ready', { testid: 'offline-ready' }, `✓ ${t('prepare.ready')} · ${t('home.data_as_of', { time: formatTime(pulled || prepared) })}`) : null,
    h('div.start',
      h('button.huge.primary', { type: 'button', testid: 'scan-button', onclick: scanAndOpen }, t('home.scan')),
      h('form.code-entry', { onsubmit: find },
        h('label', t('home.code_label'), h('div.inline', code,
          h('button.big', { type: 'submit', testid: 'code-find' }, t('home.find'))))),
      h('a.huge.button', { href: '#/merchants', testid: 'merchants-link' }, `☰ ${t('home.merchants')}`)),
    plan,
    drafts.length ? h('section',
      h('h2', t('home.drafts')),
      h('ul.list', drafts.map((d) => h('li', h('a.row-link', { href: `#/inspect/${d.id}` },
        h('b', d.title), h('span.muted', ` · ${t('home.draft_age', { age: age(d.updated_at) })}`)))))) : null);
}

export async function merchantsScreen(main) {
  const merchants = (await merchantsList()).sort((a, b) =>
    (a.marketInfo ? loc(a.marketInfo.name) : '').localeCompare(b.marketInfo ? loc(b.marketInfo.name) : '')
    || String(a.stall_no || '').localeCompare(String(b.stall_no || ''), undefined, { numeric: true })
    || a.name.localeCompare(b.name));
  const search = h('input', { type: 'search', testid: 'merchant-search', placeholder: t('merchants.search'), autocomplete: 'off' });
  const list = h('ul.list.merchants');
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const shown = merchants.filter((m) => !q || [m.name, m.stall_no, m.uscc, m.marketInfo && loc(m.marketInfo.name)]
      .some((v) => v && String(v).toLowerCase().includes(q))).slice(0, 200);
    list.replaceChildren(...shown.map((m) => h('li', h('a.row-link', { href: `#/merchant/${m.id}`, dataset: { merchant: m.id } },
      h('b', m.name), h('span.muted', [m.stall_no, m.marketInfo && loc(m.marketInfo.name)].filter(Boolean).map((x) => ` · ${x}`).join(''))))));
    if (!shown.length) list.append(h('li.muted', t('merchants.none')));
  };
  search.addEventListener('input', draw);
  clear(main, h('h1', t('merchants.title')), search, list);
  draw();
  search.focus();
}

function startButtons(forms, merchant, instrument) {
  const buttons = [];
  const add = (key) => {
    const form = forms.get(key);
    if (!form) return;
    buttons.push(h('button.huge.primary', { type: 'button', testid: `start-${key}`, onclick: async () => {
      const draft = await newDraft(form, merchant, instrument);
      navigate(`#/inspect/${draft.id}`);
    } }, `▶ ${loc(form.title)}`));
  };
  if (instrument) {
    if (SCALE_KINDS.includes(instrument.kind)) add('bazaar_scale');
    if (OPTICS_KINDS.includes(instrument.kind)) add('optical_shop');
  } else {
    add('prepackaged_goods');
    if (merchant.kind === 'optical_shop') add('optical_shop');
  }
  return buttons;
}

export async function merchantScreen(main, id) {
  const merchant = await db.get('merchants', Number(id));
  if (!merchant) { clear(main, h('p.error', t('merchants.gone'))); return; }
  const market = merchant.market ? await db.get('markets', merchant.market) : null;
  const instruments = await db.allByIndex('instruments', 'merchant', merchant.id);
  const [forms, orders, violations] = await Promise.all([openForms(), merchantOrders(merchant.id), violationMap()]);
  clear(main,
    h('h1', { testid: 'merchant-name' }, merchant.name),
    h('p.muted', [merchant.stall_no, market && loc(market.name), t(`kind.${merchant.kind}`)].filter(Boolean).join(' · ')),
    ordersSection(orders, { violations, instruments: new Map(instruments.map((i) => [i.id, i])) }),
    h('div.start', startButtons(forms, merchant, null)),
    h('h2', t('merchant.instruments')),
    instruments.length ? h('ul.list', instruments.map((i) => h('li', h('a.row-link', { href: `#/instrument/${i.id}` },
      h('b', i.code), h('span.muted', ` · ${t(`kind.${i.kind}`)}`), ' ', ['in_service', 'verification_expired'].includes(i.status) ? null : statusBadge(i),
      ' ', expiryText(i))))) : h('p.muted', t('merchant.no_instruments')));
}

function statusBadge(instrument) {
  return h(`span.badge.istatus-badge.istatus-${instrument.status}`, t(`istatus.${instrument.status}`));
}

function expiryText(instrument) {
  const days = daysUntil(instrument.valid_until);
  if (days === null) return h('span.badge.unknown', t('instrument.no_expiry'));
  if (days < 0) return h('span.badge.fail', { testid: 'expiry' }, t('instrument.expired', { date: formatDate(instrument.valid_until) }));
  if (days <= 30) return h('span.badge.warn', { testid: 'expiry' }, t('instrument.expires_soon', { date: formatDate(instrument.valid_until), n: days }));
  return h('span.badge.pass', { testid: 'expiry' }, t('instrument.valid_until', { date: formatDate(instrument.valid_until) }));
}

export async function instrumentScreen(main, id) {
  const instrument = await db.get('instruments', Number(id));
  if (!instrument) { clear(main, h('p.error', t('instrument.gone'))); return; }
  const merchant = await db.get('merchants', instrument.merchant);
  const market = merchant && merchant.market ? await db.get('markets', merchant.market) : null;
  const [forms, orders, violations] = await Promise.all([openForms(), instrumentOrders(instrument.id), violationMap()]);
  const last = instrument.last_inspection;
  const row = (label, value) => h('div.kv', h('dt', label), h('dd', value ?? '—'));
  clear(main,
    h('article.instrument-card', { testid: 'instrument-card' },
      h('h1', { testid: 'instrument-code' }, instrument.code),
      statusBanner(instrument),
      h('p.kind', t(`kind.${instrument.kind}`)),
      h('div.verification', expiryText(instrument)),
      h('dl.facts',
        row(t('instrument.merchant'), merchant ? h('a', { href: `#/merchant/${merchant.id}`, testid: 'instrument-merchant' }, merchant.name) : '—'),
        row(t('instrument.market'), market ? `${loc(market.name)}${merchant.stall_no ? ` · ${merchant.stall_no}` : ''}` : '—'),
        row(t('instrument.make_model'), [instrument.make, instrument.model].filter(Boolean).join(' ') || '—'),
        row(t('instrument.serial'), instrument.serial),
        row(t('instrument.class'), instrument.accuracy_class),
        row('Max / Min', instrument.max ? `${instrument.max} g / ${instrument.min ?? '—'} g` : '—'),
        row('e / d', instrument.e ? `${instrument.e} g / ${instrument.d ?? '—'} g` : '—'),
        row(t('instrument.certificate'), instrument.certificate_no),
        row(t('instrument.verified_at'), formatDate(instrument.verified_at)),
        row(t('instrument.last'), last ? h('span', { testid: 'last-inspection' }, verdictBadge(last.verdict), ' ', formatTime(last.captured_at))
          : t('instrument.never_inspected')))),
    ordersSection(orders, { violations, hint: true }),
    merchant ? h('div.start', startButtons(forms, merchant, instrument)) : h('p.error', t('merchants.gone')));
}
