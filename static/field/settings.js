// What the server is configured with and the tablet must follow, from GET /api/v1/me: the
// rule pack the preview judges with, and the district's time zone every time is shown in
// (the pages show the district's time, so the tablet does too, whatever zone the device is
// set to). Kept in IndexedDB (`kv` "settings", written by refdata.js together with the pack
// itself) so it holds offline; read into memory at boot because formatting is synchronous.

import * as db from './db.js';
import { EVENTS, emit } from './events.js';

export const KEY = 'settings';

let current = null;

/** The device's own zone: used only until the server's is known (before the first sign-in). */
export function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A zone name Intl accepts, else null (a server misconfiguration must not break the app). */
export function validZone(zone) {
  if (typeof zone !== 'string' || !zone) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format(0);
    return zone;
  } catch {
    return null;
  }
}

/** The district's time zone, e.g. "Asia/Shanghai". */
export function timeZone() {
  return (current && validZone(current.time_zone)) || deviceZone();
}

/** The configured rule pack id, e.g. "cn"; null before the first download. */
export function rulePackId() {
  return current ? current.rule_pack : null;
}

export function get() {
  return current;
}

/** Read the stored settings (at boot). */
export async function load() {
  current = (await db.kvGet(KEY)) || null;
  return current;
}

/** Take newly stored settings into use; listeners redraw when the zone or pack changed. */
export function apply(next) {
  const before = current;
  current = next || null;
  if (!before || !next || before.time_zone !== next.time_zone || before.rule_pack !== next.rule_pack) {
    emit(EVENTS.SETTINGS, current);
  }
}
