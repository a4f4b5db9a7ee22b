// The sync loop: push the outbox, upload the photos the server still expects, pull reference
// data. Runs on `online`, when the app becomes visible, on a timer with back-off, and on the
// button; one run at a time across tabs (Web Locks), so two tabs never race the same outbox.
//
// An inspection leaves the outbox only when the server answered created or duplicate for it,
// in the same IndexedDB transaction that files it in the history; a permanent refusal moves
// it to "needs attention" the same way. Anything else leaves it where it is: resending is
// safe because the uuid was fixed at save time and an identical resend is a "duplicate".

import { ApiError, request, session } from './api.js';
import * as db from './db.js';
import { EVENTS, emit } from './events.js';
import { pullAll, refreshForms, refreshRules, refreshSettings } from './refdata.js';

const BATCH = 50;
const BASE_DELAY_MS = 15000;
const MAX_DELAY_MS = 10 * 60000;
const IDLE_DELAY_MS = 5 * 60000;

let running = null;
let failures = 0;
let timer = null;

/** Tell the status bar and the outbox screen (events.js) that something moved. */
const notify = () => emit(EVENTS.SYNC);

/** Start the triggers after each sign-in. A run without a session schedules nothing, so a
 * sign-out ends the timer chain; signing in again restarts it (the outbox goes home). */
let started = false;
export function start() {
  failures = 0;
  schedule(2000);
  if (started) return;
  started = true;
  window.addEventListener('online', () => { failures = 0; syncNow('online'); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow('visible');
  });
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => syncNow('timer'), delay);
}

function backoff() {
  // 15 s, 30 s, 1 min … capped at 10 min, with jitter so a market full of tablets does not
  // hit the server in step when the network comes back.
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(failures, 10));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export async function syncNow(reason = 'button') {
  if (running) return running;
  running = (async () => {
    const run = () => runOnce(reason);
    try {
      return navigator.locks ? await navigator.locks.request('inspect-sync', run) : await run();
    } finally {
      running = null;
    }
  })();
  return running;
}

async function runOnce(reason) {
  const current = await session();
  if (!current) return null;
  await db.kvSet('sync_running', { since: new Date().toISOString(), reason });
  notify();
  const outcome = { at: new Date().toISOString(), ok: true, kind: null, message: '', sent: 0, attention: 0 };
  try {
    const pushed = await pushOutbox(current);
    outcome.sent = pushed.sent;
    outcome.attention = pushed.attention;
    await uploadAttachments();
    await pullAll();
    if (reason === 'button' || reason === 'visible') {
      await refreshForms();
      await refreshRules();
    } else {
      // Cheap (one small GET): the district's time zone, and the rule pack only when the
      // server now uses a different one.
      await refreshSettings();
    }
    failures = 0;
  } catch (error) {
    outcome.ok = false;
    outcome.kind = error instanceof ApiError ? error.kind : 'error';
    outcome.message = error.message || String(error);
    if (outcome.kind !== 'auth') failures += 1;
  }
  await db.tx('kv', 'readwrite', async (s) => {
    await s.kv.put(outcome, 'last_sync');
    await s.kv.delete('sync_running');
  });
  const waiting = await db.count('outbox');
  schedule(outcome.ok ? (waiting ? BASE_DELAY_MS : IDLE_DELAY_MS) : backoff());
  notify();
  return outcome;
}

/** Push the current user's outbox in batches; returns counts. Throws on a transient failure. */
export async function pushOutbox(current, batchSize = null) {
  const size = batchSize || (await db.kvGet('push_batch_size')) || BATCH;
  const items = (await db.all('outbox'))
    .filter((item) => item.user_id === current.user.id)
    .sort((a, b) => a.saved_at.localeCompare(b.saved_at));
  const counts = { sent: 0, attention: 0 };
  for (let i = 0; i < items.length; i += size) {
    const before = counts.sent;
    await pushBatch(items.slice(i, i + size), counts);
    // When the server last took records from this tablet: the status bar says so.
    if (counts.sent > before) await db.kvSet('pushed_at', new Date().toISOString());
  }
  return counts;
}

async function pushBatch(batch, counts) {
  let response;
  try {
    response = await request('/api/v1/sync/push', { method: 'POST',
      json: { inspections: batch.map((item) => item.envelope) }, timeout: 120000 });
  } catch (error) {
    if (!(error instanceof ApiError) || error.kind !== 'permanent') throw error;
    if (batch.length > 1) {
      // The batch as a whole was refused (too large, malformed): find the culprit alone.
      for (const item of batch) await pushBatch([item], counts);
      return;
    }
    await toAttention(batch[0], { status: 'rejected', code: error.code || `HTTP_${error.status}`,
      message: error.message, errors: error.body && error.body.errors });
    counts.attention += 1;
    return;
  }
  const results = response.results;
  if (!Array.isArray(results) || results.length !== batch.length
      || results.some((r, i) => !r || r.uuid !== batch[i].uuid)) {
    throw new ApiError('transient', 200, null, 'unexpected response');
  }
  for (let i = 0; i < batch.length; i += 1) {
    const result = results[i];
    if (result.status === 'created' || result.status === 'duplicate') {
      await toHistory(batch[i], result);
      counts.sent += 1;
    } else if (['conflict', 'stale', 'rejected'].includes(result.status)) {
      await toAttention(batch[i], result);
      counts.attention += 1;
    } // an unknown status stays in the outbox: a newer server, to be understood later
  }
  notify();
}

async function toHistory(item, result) {
  const missing = new Set(result.missing_attachments || []);
  const closedIds = Array.isArray(result.closed_orders) ? result.closed_orders : [];
  await db.tx(['outbox', 'history', 'attachments', 'orders'], 'readwrite', async (s) => {
    if (!(await s.outbox.get(item.uuid))) return; // another tab filed it already
    await s.outbox.delete(item.uuid);
    // Orders this re-inspection closed, described from the cache before the pull drops them.
    const closed = [];
    for (const id of closedIds) {
      const order = await s.orders.get(id);
      closed.push({ id, kind: order ? order.kind : null, finding_code: order ? order.finding_code : null });
    }
    await s.history.put({ uuid: item.uuid, title: item.title, form_key: item.envelope.form_key,
      captured_at: item.envelope.captured_at, saved_at: item.saved_at,
      synced_at: new Date().toISOString(), preview: item.preview, status: result.status,
      verdict: result.verdict || null, findings: result.findings || [], flags: result.flags || {},
      missing_attachments: [...missing], closed_orders: closed,
      merchant: item.envelope.answers ? item.envelope.answers.merchant : null });
    for (const sha of item.envelope.attachments || []) {
      const row = await s.attachments.get(sha);
      if (!row) continue;
      if (missing.has(sha)) await s.attachments.put({ ...row, state: 'upload' });
      else await s.attachments.delete(sha); // the server has these bytes already
    }
  });
}

async function toAttention(item, result) {
  await db.tx(['outbox', 'attention'], 'readwrite', async (s) => {
    if (!(await s.outbox.get(item.uuid))) return;
    await s.outbox.delete(item.uuid);
    await s.attention.put({ ...item, kind: 'inspection', failed_at: new Date().toISOString(),
      result: { status: result.status, code: result.code || null, message: result.message || '',
        errors: result.errors || null } });
  });
}

/** Upload photos the server expects; resumes where an interrupted run stopped. */
export async function uploadAttachments() {
  const queue = await db.allByIndex('attachments', 'state', 'upload');
  for (const row of queue) {
    try {
      await request(`/api/v1/attachments/${row.sha256}`, { method: 'PUT', body: row.blob,
        contentType: row.blob.type || 'image/jpeg', timeout: 120000 });
      await db.del('attachments', row.sha256);
    } catch (error) {
      if (!(error instanceof ApiError) || error.kind !== 'permanent') throw error;
      if (error.code === 'ATTACHMENT_NOT_EXPECTED') {
        // The server does not know the inspection yet: wait for its push.
        await db.put('attachments', { ...row, state: 'wait' });
        continue;
      }
      await db.tx(['attachments', 'attention'], 'readwrite', async (s) => {
        await s.attachments.put({ ...row, state: 'failed' });
        await s.attention.put({ uuid: `photo-${row.sha256}`, kind: 'attachment', sha256: row.sha256,
          owner: row.owner, title: row.title || row.sha256.slice(0, 12), saved_at: row.created_at,
          failed_at: new Date().toISOString(),
          result: { status: 'rejected', code: error.code, message: error.message, errors: null } });
      });
    }
    notify();
  }
}

/**
 * Counts and times for the status bar: ``last`` is the outcome of the last sync run,
 * ``pulledAt`` when reference data last arrived completely (the download at sign-in counts),
 * ``pushedAt`` when the server last took records from this tablet.
 */
export async function status() {
  const [waiting, oldest, attention, last, runningSince, photos, pulledAt, pushedAt] = await Promise.all([
    db.count('outbox'), db.oldestOutbox(), db.count('attention'), db.kvGet('last_sync'),
    db.kvGet('sync_running'), db.allByIndex('attachments', 'state', 'upload'),
    db.kvGet('pulled_at'), db.kvGet('pushed_at'),
  ]);
  return { waiting, oldest: oldest ? oldest.saved_at : null, attention, last: last || null,
    running: Boolean(running && runningSince), photos: photos.length,
    pulledAt: pulledAt || null, pushedAt: pushedAt || null };
}
