// Signing out. The device token is revoked on the server when there is a network and always
// deleted from IndexedDB. The inspector's work is never touched: the outbox, "needs
// attention", photos and drafts stay on the tablet and go home after the same inspector signs
// in again. Who signed out is remembered (`signed_out`), so the sign-in rule "nobody else
// while someone's unsent work is on the tablet" still knows whose work it is.

import { ApiError, request, session } from './api.js';
import * as db from './db.js';
import { EVENTS, emit } from './events.js';

/** What would stay behind unsent: counts for the warning before signing out. */
export async function pendingWork() {
  const [outbox, attention, photos, drafts] = await Promise.all([
    db.count('outbox'), db.count('attention'), db.allByIndex('attachments', 'state', 'upload'), db.count('drafts'),
  ]);
  return { outbox, attention, photos: photos.length, drafts };
}

/** Revoke (when online) and forget the device token; resolves with ``{revoked}``. */
export async function signOut() {
  const current = await session();
  if (!current) return { revoked: false };
  let revoked = false;
  if (navigator.onLine) {
    try {
      await request('/api/v1/auth/token', { method: 'DELETE', token: current.token, timeout: 10000 });
      revoked = true;
    } catch (error) {
      // 401: the token no longer works anyway. A network failure must not keep the inspector
      // signed in: the token is deleted below and lapses on the server when it expires.
      revoked = error instanceof ApiError && error.kind === 'auth';
    }
  }
  await db.tx('kv', 'readwrite', async (s) => {
    await s.kv.delete('session');
    await s.kv.put({ user: current.user, at: new Date().toISOString(), revoked }, 'signed_out');
  });
  emit(EVENTS.SIGNED_OUT, current.user);
  return { revoked };
}

/** Whoever signed in last, signed in or not (for the sign-in screen and its outbox rule). */
export async function lastUser() {
  const current = (await db.kvGet('session')) || (await db.kvGet('signed_out'));
  return current ? current.user : null;
}
