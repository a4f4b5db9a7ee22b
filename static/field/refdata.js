// Reference data on the device: forms, violation catalogue, the server's settings and rule
// pack, and the region's markets, merchants, instruments and active orders from sync/pull
// (cursor kept, tombstones applied).

import { request } from './api.js';
import * as db from './db.js';
import { EVENTS, emit } from './events.js';
import * as settings from './settings.js';
const PULL_LIMIT = 1000;
const ENTITY_STORES = { market: 'markets', merchant: 'merchants', instrument: 'instruments', order: 'orders',
  plan_item: 'plan_items' };

/** Forms in the manifest that can still be filled or flushed (open and closing). */
export async function refreshForms() {
  const cached = await db.kvGet('forms_etag');
  const manifest = await request('/api/v1/forms', { etag: cached, withEtag: true });
  if (manifest.notModified) return false;
  const wanted = manifest.data.forms.filter((f) => f.status !== 'closed');
  const have = new Map((await db.all('forms')).map((f) => [f.id, f]));
  const fetched = [];
  for (const entry of wanted) {
    const id = `${entry.key}@${entry.version}`;
    const old = have.get(id);
    if (old && old.sha256 === entry.sha256) {
      fetched.push({ ...old, status: entry.status });
      continue;
    }
    const definition = await request(`/api/v1/forms/${entry.key}/${entry.version}`);
    fetched.push({ id, key: entry.key, version: entry.version, status: entry.status,
      sha256: entry.sha256, title: entry.title, definition });
  }
  await db.tx(['forms', 'kv'], 'readwrite', async (s) => {
    // A closed version cannot be submitted any more; drafts of it are told so when opened.
    for (const id of have.keys()) if (!fetched.some((f) => f.id === id)) await s.forms.delete(id);
    for (const form of fetched) await s.forms.put(form);
    await s.kv.put(manifest.etag, 'forms_etag');
  });
  return true;
}

/**
 * The server's settings (``GET /api/v1/me``: rule pack and time zone) and, when ``rules`` is
 * set, the pack is not on the tablet yet, or the server now uses another one, that pack and
 * the violation catalogue. Settings and pack are stored in one transaction, so the tablet
 * never holds a pack id without its pack (a failed download keeps the old pair).
 */
export async function refreshSettings({ rules = false } = {}) {
  const me = await request('/api/v1/me');
  const next = { rule_pack: String(me.rule_pack), time_zone: String(me.time_zone),
    device_id: me.device_id, fetched_at: new Date().toISOString() };
  const stored = await db.kvGet(settings.KEY);
  const have = await db.get('packs', next.rule_pack);
  let pack = null;
  let violations = null;
  if (rules || !have || !stored || stored.rule_pack !== next.rule_pack) {
    [violations, pack] = await Promise.all([
      request('/api/v1/violations'),
      request(`/api/v1/rulepacks/${encodeURIComponent(next.rule_pack)}`),
    ]);
    if (!pack || pack.id !== next.rule_pack) {
      throw new Error(`rule pack ${next.rule_pack}: the server sent ${pack && pack.id}`);
    }
  }
  await db.tx(['kv', 'packs', 'violations'], 'readwrite', async (s) => {
    await s.kv.put(next, settings.KEY);
    if (!pack) return;
    await s.packs.clear(); // one pack on the tablet: the one the server judges with
    await s.packs.put(pack);
    await s.violations.clear();
    for (const v of violations.violations) await s.violations.put(v);
  });
  settings.apply(next);
  return next;
}

/** The violation catalogue and the configured rule pack, downloaded again. */
export function refreshRules() {
  return refreshSettings({ rules: true });
}

/**
 * The rule pack the preview judges with: the configured one (settings). A tablet prepared
 * before the settings were kept holds exactly one pack, the one it was given then.
 */
export async function currentPack() {
  const stored = await db.kvGet(settings.KEY);
  if (stored) return (await db.get('packs', stored.rule_pack)) || null;
  const packs = await db.all('packs');
  return packs.length === 1 ? packs[0] : null;
}

/** Pull until has_more is false; each page and its cursor are stored in one transaction. */
export async function pullAll(onPage = () => {}) {
  let cursor = (await db.kvGet('pull_cursor')) || '0';
  let pages = 0;
  for (;;) {
    const page = await request(`/api/v1/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${PULL_LIMIT}`);
    await db.tx([...new Set(Object.values(ENTITY_STORES)), 'kv'], 'readwrite', async (s) => {
      for (const change of page.changes) {
        const store = s[ENTITY_STORES[change.entity]];
        if (!store) continue; // an entity this version of the app does not know yet
        if (change.op === 'delete') await store.delete(change.id);
        else await store.put({ id: change.id, ...change.data });
      }
      await s.kv.put(page.cursor, 'pull_cursor');
    });
    cursor = page.cursor;
    pages += 1;
    onPage(pages, page.changes.length);
    if (!page.has_more) break;
  }
  await db.kvSet('pulled_at', new Date().toISOString());
  emit(EVENTS.STATUS); // "data received …" in the status bar, the download at sign-in included
  return pages;
}

/** Everything the app needs to work with the network off, after a sign-in. */
export async function prepareOffline(progress = () => {}) {
  progress('forms');
  await refreshForms();
  progress('rules');
  await refreshRules();
  progress('reference');
  await pullAll();
  progress('shell');
  await shellCached();
  await db.kvSet('prepared_at', new Date().toISOString());
}

/** Wait until the service worker has the app shell, so a reload works with no network. */
export async function shellCached() {
  if (!('serviceWorker' in navigator)) return false;
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return false;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(Boolean(event.data && event.data.ready));
    worker.postMessage({ type: 'precache' }, [channel.port2]);
    setTimeout(() => resolve(false), 30000);
  });
}

// ------------------------------------------------------------------ lookups

/** The token of a scanned label URL ``<base>/q/<token>``, or a typed code/token as is. */
export function labelRef(text) {
  const value = String(text || '').trim();
  const match = /\/q\/([A-Za-z0-9_-]{3,64})(?:[?#/].*)?$/.exec(value);
  if (match) return match[1];
  return /^[A-Za-z0-9_-]{3,64}$/.test(value) ? value : null;
}

/** Find an instrument by QR token or printed code through the IndexedDB indexes. */
export async function findInstrument(ref) {
  if (!ref) return null;
  return db.tx('instruments', 'readonly', async (s) => (
    (await s.instruments.byIndex('qr_token', ref))
    || (await s.instruments.byIndex('code', ref))
    || (await s.instruments.byIndex('code', ref.toUpperCase()))
    || null
  ));
}

export async function merchantsList() {
  const [merchants, markets] = await Promise.all([db.all('merchants'), db.all('markets')]);
  const byId = new Map(markets.map((m) => [m.id, m]));
  return merchants.map((m) => ({ ...m, marketInfo: byId.get(m.market) || null }));
}

/** The newest open version of each form key, for new work. */
export async function openForms() {
  const forms = (await db.all('forms')).filter((f) => f.status === 'open');
  const latest = new Map();
  for (const f of forms) if (!latest.has(f.key) || latest.get(f.key).version < f.version) latest.set(f.key, f);
  return latest;
}
