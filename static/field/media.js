// Photos and position. Photos are downscaled on the device before they are stored (a 12 MP
// camera JPEG is 4–8 MB; the evidence needs ~1600 px) and addressed by their sha256, which is
// what the form answer and the upload use. Positions are evidence with their accuracy shown,
// never a gate (docs/sync-protocol.md, geotag).

import * as db from './db.js';

const MAX_EDGE = 1600;
const QUALITY = 0.82;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function downscale(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const ratio = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * ratio));
  const height = Math.max(1, Math.round(bitmap.height * ratio));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  return { blob, width, height };
}

/** Downscale, hash and keep a photo for a draft; returns its sha256. */
export async function storePhoto(file, owner, title) {
  const { blob, width, height } = await downscale(file);
  const sha256 = await sha256Hex(blob);
  await db.put('attachments', { sha256, blob, width, height, owner, title, state: 'draft',
    created_at: new Date().toISOString() });
  return sha256;
}

export async function photoUrl(sha256) {
  const row = await db.get('attachments', sha256);
  return row ? URL.createObjectURL(row.blob) : null;
}

/**
 * Watch the position and keep the most accurate fix: the first fix is often a 3 km cell
 * estimate (collect#4679). ``onFix(geotag | null, error)`` is called on every improvement.
 */
export function watchPosition(onFix) {
  if (!('geolocation' in navigator)) {
    onFix(null, 'unavailable');
    return () => {};
  }
  let best = null;
  const id = navigator.geolocation.watchPosition((pos) => {
    const fix = { lat: pos.coords.latitude, lon: pos.coords.longitude,
      accuracy: Math.round(pos.coords.accuracy * 10) / 10,
      altitude: pos.coords.altitude === null ? null : pos.coords.altitude,
      fix_at: new Date(pos.timestamp).toISOString() };
    if (!best || fix.accuracy <= best.accuracy) {
      best = fix;
      onFix(best, null);
    }
  }, (error) => onFix(best, error.code === 1 ? 'denied' : 'unavailable'),
  { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
  const stop = () => navigator.geolocation.clearWatch(id);
  setTimeout(stop, 120000); // two minutes of GPS is plenty and saves the battery
  return stop;
}

/** How good a fix is, for the colour of its badge (ODK: ≤ 5 m good, > 100 m poor). */
export function fixQuality(geotag) {
  if (!geotag) return 'none';
  if (geotag.accuracy === 0) return 'suspect';
  if (geotag.accuracy <= 20) return 'good';
  if (geotag.accuracy <= 100) return 'fair';
  return 'poor';
}
