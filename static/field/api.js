// Talking to /api/v1. Every failure is classified once, here, because the sync loop acts on
// the class and not on the status: "network" and "transient" (timeout, 5xx, 429, or a 200
// that is not our JSON, e.g. a captive portal) are retried with back-off; "auth" waits for
// the inspector to sign in again; "permanent" moves the item to "needs attention".

import { kvGet } from './db.js';
import { lang } from './i18n.js';

const TIMEOUT_MS = 30000;

export class ApiError extends Error {
  constructor(kind, status, body = null, detail = '') {
    super(body && body.message ? body.message : detail || `${kind} ${status}`);
    this.kind = kind; // network | transient | auth | permanent
    this.status = status;
    this.body = body;
    this.code = body && body.code ? body.code : null;
  }
}

function classify(status) {
  if (status === 401) return 'auth';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'permanent';
}

export async function session() {
  return (await kvGet('session')) || null;
}

/**
 * ``request(path, {method, json, body, contentType, etag, timeout})`` → parsed JSON
 * (``{notModified: true}`` for 304). The device token comes from IndexedDB, never a URL.
 */
export async function request(path, options = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang() === 'zh' ? 'zh-CN' : 'en' };
  const current = options.token === undefined ? await session() : null;
  const token = options.token !== undefined ? options.token : current && current.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.etag) headers['If-None-Match'] = options.etag;
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers['Content-Type'] = options.contentType;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout || TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, { method: options.method || 'GET', headers, body,
      signal: controller.signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    throw new ApiError('network', 0, null, error.name === 'AbortError' ? 'timeout' : String(error));
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 304) return { notModified: true, etag: response.headers.get('ETag') };
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('application/json')) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (!response.ok) throw new ApiError(classify(response.status), response.status, data);
  if (response.status === 204) return null; // No Content: e.g. DELETE /auth/token (sign-out)
  if (data === null) {
    // A 2xx that is not our JSON did not come from our server: a proxy or a captive portal.
    throw new ApiError('transient', response.status, null, 'unexpected response');
  }
  if (options.withEtag) return { data, etag: response.headers.get('ETag') };
  return data;
}
