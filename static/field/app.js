// The composition root: boot, the route table and the status bar. Nothing imports this
// module; it imports the screens and registers them with the router, and listens on the one
// event channel (events.js) for what the status bar must show again. The status bar is always
// on screen: how many inspections wait, how old the oldest is, when data last came and
// records last went, and how many need attention, because an inspector must never wonder
// whether a day's work has left the tablet.

import * as db from './db.js';
import { EVENTS, on } from './events.js';
import { lang, setLang, t } from './i18n.js';
import * as router from './router.js';
import * as settings from './settings.js';
import * as sync from './sync.js';
import { age, clear, formatTime, h } from './ui.js';
import { loginScreen } from './screens/login.js';
import { homeScreen, instrumentScreen, merchantScreen, merchantsScreen } from './screens/home.js';
import { inspectScreen } from './screens/inspect.js';
import { attentionScreen, outboxScreen } from './screens/outbox.js';

router.register(/^#\/login$/, loginScreen);
router.register(/^#\/merchants$/, merchantsScreen);
router.register(/^#\/merchant\/(\d+)$/, merchantScreen);
router.register(/^#\/instrument\/(\d+)$/, instrumentScreen);
router.register(/^#\/inspect\/([\w-]+)$/, inspectScreen);
router.register(/^#\/outbox$/, outboxScreen);
router.register(/^#\/attention\/(.+)$/, attentionScreen);
router.register(/^#?\/?$/, homeScreen);

/**
 * What the sync pill says, truthfully: a run going on; the last run's failure; else when data
 * last arrived in full (the download at sign-in counts: it is a complete pull) and when the
 * server last took records from this tablet.
 */
function syncText(s) {
  const last = s.last;
  if (s.running) return t('status.syncing');
  if (last && !last.ok) {
    return t(last.kind === 'auth' ? 'status.auth' : 'status.failed', { time: formatTime(last.at) });
  }
  const parts = [];
  if (last && last.ok) parts.push(t('status.ok', { time: formatTime(last.at) }));
  else if (s.pulledAt) parts.push(t('status.downloaded', { time: formatTime(s.pulledAt) }));
  if (s.pushedAt) parts.push(t('status.sent', { time: formatTime(s.pushedAt) }));
  return parts.length ? parts.join(' · ') : t('status.never');
}

async function renderStatus() {
  const bar = document.getElementById('status');
  const session = await db.kvGet('session');
  const s = await sync.status();
  const failed = Boolean(s.last && !s.last.ok && !s.running);
  const offline = !navigator.onLine;
  // Details for the pointer: the server's message of a failure, and both times always.
  const title = [failed ? s.last.message : '',
    s.pulledAt ? t('status.downloaded', { time: formatTime(s.pulledAt) }) : '',
    s.pushedAt ? t('status.sent', { time: formatTime(s.pushedAt) }) : ''].filter(Boolean).join('\n');
  clear(bar,
    h('a.brand', { href: '#/', 'aria-label': t('app.name') },
      h('span.brand-long', { 'aria-hidden': 'true' }, t('app.name')),
      h('span.brand-short', { 'aria-hidden': 'true' }, '⌂')),
    h(`a.pill.outbox${s.waiting ? '.waiting' : ''}`, { href: '#/outbox', title: t('status.outbox_title') },
      t('status.waiting'), ' ', h('b', { testid: 'outbox-count' }, String(s.waiting)),
      s.oldest ? h('span.oldest', { testid: 'outbox-oldest' }, ` · ${t('status.oldest', { age: age(s.oldest) })}`) : null),
    s.attention ? h('a.pill.attention', { href: '#/outbox', testid: 'attention-count' },
      t('status.attention', { n: s.attention })) : null,
    h(`span.pill.sync${failed ? '.bad' : ''}`, { testid: 'sync-status', title },
      offline ? `${t('status.offline')} · ` : '', syncText(s)),
    session ? h('button.sync-now', { type: 'button', testid: 'sync-now', disabled: s.running,
      'aria-label': t('status.sync_now'), onclick: () => sync.syncNow('button') },
    h('span', { 'aria-hidden': 'true' }, '⟳'), h('span.label-text', { 'aria-hidden': 'true' }, ` ${t('status.sync_now')}`)) : null,
    h('button.lang', { type: 'button', testid: 'lang-toggle', lang: lang() === 'zh' ? 'en' : 'zh-CN',
      onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); } },
    lang() === 'zh' ? 'English' : '中文'));
}

let statusTimer = null;
function refreshStatus() {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(renderStatus, 50);
}

async function boot() {
  await db.open();
  await settings.load();
  const stored = await db.kvGet('lang');
  const browser = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh';
  setLang(stored || browser, false);
  router.configure({
    root: document.getElementById('main'),
    fallback: '#/',
    guard: async (hash) => (hash === '#/login' || (await db.kvGet('session')) ? null : '#/login'),
  });
  on(EVENTS.LANG, () => { db.kvSet('lang', lang()); renderStatus(); router.route(); });
  // A new time zone shows in the status bar at once and on each screen when it is next drawn
  // (redrawing now could pull a form from under the inspector's fingers).
  on(EVENTS.SETTINGS, refreshStatus);
  on(EVENTS.SYNC, refreshStatus);
  on(EVENTS.STATUS, refreshStatus);
  on(EVENTS.SIGNED_IN, () => { sync.start(); refreshStatus(); });
  on(EVENTS.SIGNED_OUT, refreshStatus);
  window.addEventListener('online', refreshStatus);
  window.addEventListener('offline', refreshStatus);
  setInterval(renderStatus, 30000); // the age of the oldest item keeps growing
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker', e));
  }
  await renderStatus();
  await router.start();
  if (await db.kvGet('session')) sync.start();
  document.body.dataset.ready = 'true';
  window.fieldReadyAt = performance.now(); // read by bench/bench_field_app.py
}

boot();
