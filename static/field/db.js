// IndexedDB, wrapped just enough: promises, one shared connection that is reopened when the
// browser closes it (iOS Safari does so under memory pressure, enketo PR #1576), and
// multi-store transactions so an inspection moves between outbox, history and "needs
// attention" atomically: it is always in exactly one of them.

const NAME = 'inspect-field';
// Bump when a store is added. An upgrade also forgets the pull cursor: the app that ran
// before skipped entities it did not know (orders), so the next pull downloads everything.
const VERSION = 3; // 2: orders; 3: plan_items (today's plan)

const STORES = {
  kv: {},
  forms: { keyPath: 'id' },
  packs: { keyPath: 'id' },
  violations: { keyPath: 'code' },
  markets: { keyPath: 'id' },
  merchants: { keyPath: 'id', indexes: { market: 'market' } },
  instruments: { keyPath: 'id', indexes: { code: 'code', qr_token: 'qr_token', merchant: 'merchant' } },
  orders: { keyPath: 'id', indexes: { merchant_id: 'merchant_id', instrument_id: 'instrument_id' } },
  plan_items: { keyPath: 'id', indexes: { merchant: 'merchant' } },
  drafts: { keyPath: 'id' },
  outbox: { keyPath: 'uuid', indexes: { saved_at: 'saved_at' } },
  attention: { keyPath: 'uuid' },
  history: { keyPath: 'uuid', indexes: { synced_at: 'synced_at' } },
  attachments: { keyPath: 'sha256', indexes: { state: 'state', owner: 'owner' } },
};

let connection = null;

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function open() {
  if (connection) return connection;
  connection = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      for (const [name, spec] of Object.entries(STORES)) {
        if (db.objectStoreNames.contains(name)) continue;
        const store = db.createObjectStore(name, spec.keyPath ? { keyPath: spec.keyPath } : undefined);
        for (const [index, path] of Object.entries(spec.indexes || {})) store.createIndex(index, path);
      }
      if (event.oldVersion > 0) request.transaction.objectStore('kv').delete('pull_cursor');
    };
    request.onsuccess = () => {
      const db = request.result;
      // Forget a connection the browser closed or a newer version wants gone: the next call
      // opens a fresh one instead of failing with "the database connection is closing".
      db.onclose = () => { connection = null; };
      db.onversionchange = () => { db.close(); connection = null; };
      resolve(db);
    };
    request.onerror = () => { connection = null; reject(request.error); };
    request.onblocked = () => reject(new Error('IndexedDB upgrade blocked by another tab'));
  });
  return connection;
}

/**
 * Run ``fn(stores)`` in one transaction over ``names``; resolves with fn's result once the
 * transaction has committed (not merely when the last request succeeded).
 */
export async function tx(names, mode, fn) {
  const list = Array.isArray(names) ? names : [names];
  let db = await open();
  let transaction;
  try {
    transaction = db.transaction(list, mode);
  } catch (error) {
    if (error.name !== 'InvalidStateError') throw error;
    connection = null; // closed under us: reopen once
    db = await open();
    transaction = db.transaction(list, mode);
  }
  const stores = {};
  for (const name of list) stores[name] = wrap(transaction.objectStore(name));
  const done = new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error('transaction aborted'));
  });
  let result;
  try {
    result = await fn(stores, transaction);
  } catch (error) {
    try { transaction.abort(); } catch { /* already finished */ }
    throw error;
  }
  await done;
  return result;
}

function wrap(store) {
  return {
    raw: store,
    get: (key) => promisify(store.get(key)),
    put: (value, key) => promisify(key === undefined ? store.put(value) : store.put(value, key)),
    delete: (key) => promisify(store.delete(key)),
    clear: () => promisify(store.clear()),
    all: () => promisify(store.getAll()),
    count: () => promisify(store.count()),
    byIndex: (index, value) => promisify(store.index(index).get(value)),
    allByIndex: (index, value) => promisify(store.index(index).getAll(value)),
  };
}

export const get = (store, key) => tx(store, 'readonly', (s) => s[store].get(key));
export const put = (store, value, key) => tx(store, 'readwrite', (s) => s[store].put(value, key));
export const del = (store, key) => tx(store, 'readwrite', (s) => s[store].delete(key));
export const all = (store) => tx(store, 'readonly', (s) => s[store].all());
export const count = (store) => tx(store, 'readonly', (s) => s[store].count());
export const byIndex = (store, index, value) => tx(store, 'readonly', (s) => s[store].byIndex(index, value));
export const allByIndex = (store, index, value) =>
  tx(store, 'readonly', (s) => s[store].allByIndex(index, value));

export const kvGet = (key) => get('kv', key);
export const kvSet = (key, value) => put('kv', value, key);

/** The oldest outbox entry, through the saved_at index (no full scan). */
export function oldestOutbox() {
  return tx('outbox', 'readonly', (s) => new Promise((resolve, reject) => {
    const request = s.outbox.raw.index('saved_at').openCursor();
    request.onsuccess = () => resolve(request.result ? request.result.value : null);
    request.onerror = () => reject(request.error);
  }));
}

/** Ask the browser not to evict this origin's data under storage pressure. */
export async function persist() {
  if (navigator.storage && navigator.storage.persist) {
    try { return await navigator.storage.persist(); } catch { return false; }
  }
  return false;
}
