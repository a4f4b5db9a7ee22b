// What has and has not left the tablet: the outbox (waiting), "needs attention" (refused by
// the server, with its message; each can be opened, exported as a file or discarded on its
// own) and the recent history with the server's verdict, which replaces the preview.

import * as db from '../db.js';
import { EVENTS, emit, on } from '../events.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import * as sync from '../sync.js';
import { age, clear, download, formatTime, h, loc, verdictBadge } from '../ui.js';

const HISTORY_SHOWN = 50;

export async function outboxScreen(main) {
  const draw = async () => {
    const [outbox, attention, history, photos, violationList] = await Promise.all([
      db.all('outbox'), db.all('attention'), db.all('history'),
      db.allByIndex('attachments', 'state', 'upload'), db.all('violations')]);
    const violations = new Map(violationList.map((v) => [v.code, v]));
    outbox.sort((a, b) => a.saved_at.localeCompare(b.saved_at));
    history.sort((a, b) => b.synced_at.localeCompare(a.synced_at));
    clear(main,
      h('h1', t('outbox.title')),
      h('section', { testid: 'attention-list' },
        h('h2', t('outbox.attention', { n: attention.length })),
        attention.length ? h('p', t('outbox.attention_help')) : h('p.muted', t('outbox.attention_none')),
        h('ul.list', attention.map((item) => h('li.attention-item', { dataset: { uuid: item.uuid } },
          h('a.row-link', { href: `#/attention/${encodeURIComponent(item.uuid)}` },
            h('b', item.title), h('span.error', ` · ${item.result.message || item.result.code}`)))))),
      h('section', { testid: 'outbox-list' },
        h('h2', t('outbox.waiting', { n: outbox.length })),
        photos.length ? h('p', t('outbox.photos_waiting', { n: photos.length })) : null,
        outbox.length ? null : h('p.muted', t('outbox.empty')),
        h('ul.list', outbox.map((item) => h('li', { dataset: { uuid: item.uuid } },
          h('b', item.title), ' ', verdictBadge(item.preview.verdict), h('span.muted', ` · ${t('outbox.saved_ago', { age: age(item.saved_at) })}`)))),
        h('button.big.primary', { type: 'button', onclick: async () => { await sync.syncNow('button'); } }, `⟳ ${t('status.sync_now')}`)),
      h('section', { testid: 'history-list' },
        h('h2', t('outbox.history')),
        history.length ? null : h('p.muted', t('outbox.history_none')),
        h('ul.list', history.slice(0, HISTORY_SHOWN).map((item) => h('li', { dataset: { uuid: item.uuid } },
          h('b', item.title), ' ', verdictBadge(item.verdict, 'server-verdict'),
          item.preview && item.preview.verdict && item.preview.verdict !== item.verdict
            ? h('span.warn-text', ` ${t('outbox.preview_differs', { preview: t(`verdict.${item.preview.verdict}`) })}`) : null,
          h('span.muted', ` · ${formatTime(item.synced_at)}`),
          item.findings.length ? h('ul.findings', item.findings.map((f) => h('li', h('b', f.severity), ' ',
            violations.has(f.code) ? loc(violations.get(f.code).title) : f.code))) : null,
          closedText(item.closed_orders, violations),
          flagsText(item.flags))))));
  };
  await draw();
  return on(EVENTS.SYNC, () => { draw(); });
}

/** "Order closed by this inspection", for each order the server closed with this record. */
function closedText(closed, violations) {
  if (!closed || !closed.length) return null;
  return closed.map((o) => h('p.closed-orders', { testid: 'order-closed' }, `✓ ${t('order.closed_by_inspection', {
    what: [o.kind ? t(`order.kind.${o.kind}`) : null,
      o.finding_code ? (violations.has(o.finding_code) ? loc(violations.get(o.finding_code).title) : o.finding_code) : null,
    ].filter(Boolean).join(' · ') || `#${o.id}` })}`));
}

function flagsText(flags) {
  if (!flags) return null;
  const notes = [];
  if (flags.geotag && flags.geotag !== 'ok') notes.push(t(`flag.geotag_${flags.geotag}`, { m: flags.geotag_distance_m ?? '?' }));
  if (flags.clock_skew) notes.push(t('flag.clock_skew'));
  if (flags.verdict_discrepancy) notes.push(t('flag.discrepancy'));
  return notes.length ? h('p.flags', notes.join(' · ')) : null;
}

export async function attentionScreen(main, rawId) {
  const id = decodeURIComponent(rawId);
  const item = await db.get('attention', id);
  if (!item) { navigate('#/outbox'); return; }
  const errors = item.result.errors ? Object.entries(item.result.errors) : [];
  clear(main,
    h('h1', item.title),
    h('p.error', { testid: 'attention-message' }, item.result.message || item.result.code),
    h('p.muted', `${item.result.code || ''} · ${t('outbox.failed_at', { time: formatTime(item.failed_at) })}`),
    errors.length ? h('ul.errors', errors.map(([path, messages]) => h('li', h('code', path), ': ',
      (Array.isArray(messages) ? messages : [JSON.stringify(messages)]).join('; ')))) : null,
    h('p', t(item.kind === 'attachment' ? 'attention.photo_help' : 'attention.help')),
    item.envelope ? h('details', h('summary', t('attention.show_record')),
      h('pre.record', JSON.stringify(item.envelope, null, 2))) : null,
    h('div.actions',
      h('button.big', { type: 'button', testid: 'attention-export', onclick: () => exportItem(item) }, `⤓ ${t('attention.export')}`),
      h('button.big.danger', { type: 'button', testid: 'attention-discard', onclick: () => discard(item) }, t('attention.discard'))));
}

async function exportItem(item) {
  const photo = item.kind === 'attachment' ? await db.get('attachments', item.sha256) : null;
  download(`inspection-${item.uuid}.json`, {
    exported_at: new Date().toISOString(), kind: item.kind, title: item.title, saved_at: item.saved_at,
    failed_at: item.failed_at, server_result: item.result, record: item.envelope || null,
    photo: photo ? { sha256: photo.sha256, note: 'bytes stay on the tablet until discarded' } : null,
  });
}

async function discard(item) {
  if (!window.confirm(t('attention.discard_confirm'))) return;
  await db.tx(['attention', 'attachments'], 'readwrite', async (s) => {
    await s.attention.delete(item.uuid);
    const owned = item.kind === 'attachment' ? [await s.attachments.get(item.sha256)]
      : await s.attachments.allByIndex('owner', item.uuid);
    for (const row of owned) if (row) await s.attachments.delete(row.sha256);
  });
  emit(EVENTS.STATUS);
  navigate('#/outbox');
}
