// The service worker. Flask serves this file at /sw.js (scope /) with three constants put in
// front of it: VERSION (a fingerprint of the app's files), PRECACHE (every URL the app needs
// offline) and SHELL (/field/). The app shell is cache-first so it opens with no network;
// /api/ is never touched here: the app keeps its data in IndexedDB and must see real
// network failures to classify them.
/* global VERSION, PRECACHE, SHELL */

const CACHE = `field-shell-${VERSION}`;

async function precache() {
  const cache = await caches.open(CACHE);
  // One by one with cache: 'reload', so a stale HTTP cache entry never enters a new version.
  await Promise.all(PRECACHE.map(async (url) => {
    const response = await fetch(new Request(url, { cache: 'reload', credentials: 'omit' }));
    if (!response.ok) throw new Error(`precache ${url}: ${response.status}`);
    await cache.put(url, response);
  }));
}

async function isComplete() {
  const cache = await caches.open(CACHE);
  const keys = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
  return PRECACHE.every((url) => keys.has(url));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('field-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (!event.data || event.data.type !== 'precache' || !event.ports[0]) return;
  const port = event.ports[0];
  event.waitUntil((async () => {
    if (!(await isComplete())) {
      try { await precache(); } catch { /* reported below as not ready */ }
    }
    port.postMessage({ ready: await isComplete(), version: VERSION });
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const isShell = request.mode === 'navigate' && url.pathname.startsWith(SHELL);
  const key = isShell ? SHELL : url.pathname;
  if (!isShell && !PRECACHE.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(key);
    if (hit) return hit;
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  })());
});
