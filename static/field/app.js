// Boot, routing and the status bar. The status bar is always on screen: how many inspections
// wait, how old the oldest is, when the last sync ran and how it ended, and how many need
// attention, because an inspector must never wonder whether a day's work has left the tablet.

import * as db from './db.js';
import { lang, setLang, t } from './i18n.js';
import * as sync from './sync.js';
import { age, clear, formatTime, h } from './ui.js';
import { loginScreen } from './screens/login.js';
import { homeScreen, instrumentScreen, merchantScreen, merchantsScreen } from './screens/home.js';
import { inspectScreen } from './screens/inspect.js';
import { attentionScreen, outboxScreen } from './screens/outbox.js';

const ROUTES = [
  [/^#\/login$/, loginScreen],
  [/^#\/merchants$/, merchantsScreen],
  [/^#\/merchant\/(\d+)$/, merchantScreen],
  [/^#\/instrument\/(\d+)$/, instrumentScreen],
  [/^#\/inspect\/([\w-]+)$/, inspectScreen],
  [/^#\/outbox$/, outboxScreen],
  [/^#\/attention\/(.+)$/, attentionScreen],
  [/^#?\/?$/, homeScreen],
];

let leave = null;

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const session = await db.kvGet('session');
  const hash = location.hash || '#/';
  if (!session && hash !== '#/login') { navigate('#/login'); return; }
  const main = document.getElementById('main');
  if (leave) { try { leave(); } catch { /* the old screen is gone anyway */ } leave = null; }
  for (const [pattern, screen] of ROUTES) {
    const match = pattern.exec(hash);
    if (!match) continue;
    clear(main, h('p.loading', t('app.loading')));
    try {
      const result = await screen(main, ...match.slice(1));
      leave = typeof result === 'function' ? result : null;
    } catch (error) {
      console.error(error);
      clear(main, h('p.error', String(error.message || error)),
        h('button.big', { onclick: () => navigate('#/') }, t('nav.home')));
    }
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return;
  }
  navigate('#/');
}

async function renderStatus() {
  const bar = document.getElementById('status');
  const session = await db.kvGet('session');
  const s = await sync.status();
  const last = s.last;
  let lastText = t('status.never');
  if (s.running) lastText = t('status.syncing');
  else if (last) {
    lastText = last.ok ? t('status.ok', { time: formatTime(last.at) })
      : last.kind === 'auth' ? t('status.auth', { time: formatTime(last.at) })
        : t('status.failed', { time: formatTime(last.at) });
  }
  const offline = !navigator.onLine;
  clear(bar,
    h('a.brand', { href: '#/' }, t('app.name')),
    h(`a.pill.outbox${s.waiting ? '.waiting' : ''}`, { href: '#/outbox', title: t('status.outbox_title') },
      t('status.waiting'), ' ', h('b', { testid: 'outbox-count' }, String(s.waiting)),
      s.oldest ? h('span.oldest', { testid: 'outbox-oldest' }, ` · ${t('status.oldest', { age: age(s.oldest) })}`) : null),
    s.attention ? h('a.pill.attention', { href: '#/outbox', testid: 'attention-count' },
      t('status.attention', { n: s.attention })) : null,
    h(`span.pill.sync${last && !last.ok ? '.bad' : ''}`, { testid: 'sync-status', title: last && last.message ? last.message : '' },
      offline ? `${t('status.offline')} · ` : '', lastText),
    session ? h('button.sync-now', { type: 'button', testid: 'sync-now', disabled: s.running,
      onclick: () => sync.syncNow('button') }, `⟳ ${t('status.sync_now')}`) : null,
    h('button.lang', { type: 'button', testid: 'lang-toggle', onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); } },
      lang() === 'zh' ? 'English' : '中文'));
}

let statusTimer = null;
function refreshStatus() {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(renderStatus, 50);
}

async function boot() {
  await db.open();
  const stored = await db.kvGet('lang');
  const browser = (navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh';
  setLang(stored || browser, false);
  document.addEventListener('langchange', () => { db.kvSet('lang', lang()); renderStatus(); route(); });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', refreshStatus);
  window.addEventListener('offline', refreshStatus);
  sync.onChange(refreshStatus);
  setInterval(renderStatus, 30000); // the age of the oldest item keeps growing
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker', e));
  }
  await renderStatus();
  await route();
  if (await db.kvGet('session')) sync.start();
  document.body.dataset.ready = 'true';
  window.fieldReadyAt = performance.now(); // read by bench/bench_field_app.py
}

export function afterLogin() {
  sync.start();
  refreshStatus();
}

export { refreshStatus };

boot();
