// A stall's orders and an instrument's status, from the tablet's cache, so they show offline.
// sync/pull keeps the region's active orders (open, evidence submitted, overdue); a closed or
// withdrawn order arrives as a tombstone and is gone. Colour is never the only signal: each
// badge says what it is in words.

import * as db from './db.js';
import { t } from './i18n.js';
import { daysUntil, formatDate, h, loc } from './ui.js';

/** Red before blue before re-verification, then the nearest deadline first. */
const KIND_RANK = { condemn: 0, repair: 1, reverify: 2 };

function sortOrders(orders) {
  return orders.sort((a, b) => (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9)
    || String(a.due_date).localeCompare(String(b.due_date)) || a.id - b.id);
}

/** The active orders of a merchant (all its instruments and the merchant itself). */
export async function merchantOrders(merchantId) {
  return sortOrders(await db.allByIndex('orders', 'merchant_id', Number(merchantId)));
}

/** The active orders on one instrument. */
export async function instrumentOrders(instrumentId) {
  return sortOrders(await db.allByIndex('orders', 'instrument_id', Number(instrumentId)));
}

/** Past its deadline: marked so by the server, or the date has passed since the last pull. */
export function isOverdue(order) {
  const days = daysUntil(order.due_date);
  return order.status === 'overdue' || (days !== null && days < 0);
}

/**
 * The status to show: the server's, derived from the orders and the verification date; an
 * instrument "in service" whose verification ran out since the last pull reads as expired,
 * as the server will derive it.
 */
export function shownStatus(instrument) {
  const days = daysUntil(instrument.valid_until);
  if (instrument.status === 'in_service' && days !== null && days < 0) return 'verification_expired';
  return instrument.status || 'in_service';
}

/** The instrument's status, large, at the top of its card. */
export function statusBanner(instrument) {
  const status = shownStatus(instrument);
  return h(`p.istatus.istatus-${status}`, { testid: 'instrument-status', dataset: { status } },
    h('span.istatus-label', t('instrument.status')), ' ', h('strong', t(`istatus.${status}`)));
}

export function kindBadge(kind) {
  return h(`span.badge.order-kind.order-${kind}`, { testid: 'order-kind' }, t(`order.kind.${kind}`));
}

function findingTitle(code, violations) {
  const violation = violations.get(code);
  return violation ? loc(violation.title) : code;
}

/**
 * A section listing ``orders`` (none: says so). ``instruments`` maps id → cached instrument,
 * to name the instrument of each order on a merchant's page; ``violations`` maps code →
 * catalogue entry (the finding's title in the current language).
 */
export function ordersSection(orders, { violations, instruments = null, hint = false }) {
  return h('section.orders', { testid: 'orders', 'aria-labelledby': 'orders-heading' },
    h('h2', { id: 'orders-heading' }, t('orders.title', { n: orders.length })),
    orders.length ? h('ul.list.order-list', orders.map((order) => orderItem(order, violations, instruments)))
      : h('p.muted', { testid: 'orders-none' }, t('orders.none')),
    hint && orders.length ? h('p.hint', t('orders.reinspect_hint')) : null);
}

function orderItem(order, violations, instruments) {
  const overdue = isOverdue(order);
  const instrument = instruments && order.instrument_id ? instruments.get(order.instrument_id) : null;
  return h(`li.order.order-${order.kind}`, { testid: 'order', dataset: { orderId: order.id, kind: order.kind } },
    h('div.order-head', kindBadge(order.kind), ' ', h('b.order-finding', findingTitle(order.finding_code, violations))),
    h('p.order-facts',
      instrument ? h('a', { href: `#/instrument/${instrument.id}` }, instrument.code) : null,
      instrument ? ' · ' : null,
      h('span', { testid: 'order-due' }, t('order.due', { date: formatDate(order.due_date) })),
      overdue ? ' ' : null,
      overdue ? h('span.badge.fail', { testid: 'order-overdue' }, t('order.overdue')) : null,
      // "overdue" is the badge already; the other statuses say where the order stands.
      order.status === 'overdue' ? null : [' · ', h('span', { testid: 'order-status' }, t(`order.status.${order.status}`))]));
}

/** The violation catalogue as a map by code (cached with the rule pack). */
export async function violationMap() {
  return new Map((await db.all('violations')).map((v) => [v.code, v]));
}
