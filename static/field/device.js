// The name this tablet registers under. The administrator revokes devices from a list of these
// names, so every tablet must get a different one even when a whole team signs in on the
// same morning: the default is "<Tablet> <platform> <4 random characters>", e.g.
// "平板 Android 7KQ2". It is made once and kept in IndexedDB (`kv` "device_name"), so signing
// in again on the same tablet offers the same name; the inspector may still edit it.

import * as db from './db.js';

export const KEY = 'device_name';
/** Crockford-style: no 0/O, 1/I/L, U, so a name read aloud or copied by hand stays exact. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const SUFFIX_LENGTH = 4;
export const MAX_LENGTH = 100; // the API's limit for device_name

/** The operating system in a word, from User-Agent Client Hints or the user-agent string. */
export function platformName(userAgent = navigator.userAgent, hints = navigator.userAgentData) {
  const hinted = hints && typeof hints.platform === 'string' ? hints.platform.trim() : '';
  if (hinted && hinted !== 'Unknown') return hinted === 'Chrome OS' ? 'ChromeOS' : hinted;
  const ua = String(userAgent || '');
  if (/Android/i.test(ua)) return 'Android';
  if (/iPad/.test(ua)) return 'iPadOS';
  if (/iPhone|iPod/.test(ua)) return 'iOS';
  if (/HarmonyOS|OpenHarmony/i.test(ua)) return 'HarmonyOS';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Windows/.test(ua)) return 'Windows';
  // iPadOS 13+ asks for desktop pages and says "Macintosh"; it has a touch screen.
  if (/Macintosh/.test(ua)) return navigator.maxTouchPoints > 1 ? 'iPadOS' : 'macOS';
  if (/Linux/.test(ua)) return 'Linux';
  return '';
}

export function randomSuffix(length = SUFFIX_LENGTH) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 256 is not a multiple of 30: the slight bias toward the first characters does not matter
  // for telling tablets apart.
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** A fresh default name: ``word`` ("平板"/"Tablet") + platform + random suffix. */
export function makeName(word, platform = platformName(), suffix = randomSuffix()) {
  return [word, platform, suffix].filter(Boolean).join(' ').slice(0, MAX_LENGTH);
}

/** The name to offer: the one kept on this tablet, else a new default, kept at once. */
export async function deviceName(word) {
  const kept = await db.kvGet(KEY);
  if (kept) return kept;
  const name = makeName(word);
  await db.kvSet(KEY, name);
  return name;
}

/** Keep the name the inspector signed in with (edited or not). */
export function keepName(name) {
  return db.kvSet(KEY, String(name).trim().slice(0, MAX_LENGTH));
}
