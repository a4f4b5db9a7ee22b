// Small DOM helpers and the formatting every screen shares.

import { lang, t } from './i18n.js';
import { deviceZone, timeZone } from './settings.js';

/** h('button.big', {onclick}, 'text', child) — a tiny hyperscript. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key in el && key !== 'list' && key !== 'type' && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The text of a {zh, en} label in the current language. */
export function loc(label) {
  if (!label) return '';
  if (typeof label === 'string') return label;
  return label[lang()] || label.zh || label.en || '';
}

function locale() {
  return lang() === 'zh' ? 'zh-CN' : 'en-GB';
}

/**
 * A moment in the district's time zone (settings.js), whatever zone the device is set to:
 * "10:02" today, "5月1日 10:02" another day (both in that zone). When the device's own zone
 * differs, the offset is shown too ("GMT+8"), so nobody reads a district time as their own.
 */
export function formatTime(iso, now = new Date()) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const zone = timeZone();
  const options = { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (localDate(date) !== localDate(now)) Object.assign(options, { month: 'short', day: 'numeric' });
  if (zone !== deviceZone()) options.timeZoneName = 'shortOffset';
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** A calendar date as the server sends it ("2026-05-01") stays as is; a moment becomes its
 * date in the district's zone. */
export function formatDate(iso) {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : localDate(date);
}

/** "5 min", "3 h", "2 days": how long an item has waited. */
export function age(iso, now = Date.now()) {
  if (!iso) return '';
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60000));
  if (minutes < 1) return t('age.now');
  if (minutes < 60) return t('age.minutes', { n: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t('age.hours', { n: hours });
  return t('age.days', { n: Math.round(hours / 24) });
}

/** Today in the district's time zone (verification expiry is judged on that date, as on the
 * server). */
export function localDate(date = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone(), year: 'numeric',
    month: '2-digit', day: '2-digit' }).format(date);
}

/** ISO time with the device's own offset, e.g. 2026-05-01T10:02:03+08:00: recorded data (an
 * instant, whatever the offset), never shown as is. */
export function isoWithOffset(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T`
    + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

export function daysUntil(isoDay, today = localDate()) {
  if (!isoDay) return null;
  return Math.round((Date.parse(isoDay) - Date.parse(today)) / 86400000);
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  if (!box) return;
  clear(box, h(`div.toast.${kind}`, { role: 'status' }, message));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.replaceChildren(), 5000);
}

export function download(filename, data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function verdictBadge(verdict, testid) {
  if (!verdict) return h('span.badge.unknown', { testid }, t('verdict.unknown'));
  return h(`span.badge.${verdict}`, { testid }, t(`verdict.${verdict}`));
}
