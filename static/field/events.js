// The app's one event channel. Modules that must tell others something (the sync loop that
// the outbox changed, a screen that the status bar is stale, the sign-in screen that a session
// exists) emit here instead of importing whoever listens, so imports only ever point from the
// composition root (app.js) towards screens and services, never back.
//
// Names are fixed below; emitting or listening to any other name throws, so a typo is an error
// at once rather than a listener that never fires.

export const EVENTS = Object.freeze({
  /** The outbox, "needs attention" or a sync run changed (sync.js). */
  SYNC: 'sync',
  /** Something the status bar shows changed outside a sync run (a save, a discard). */
  STATUS: 'status',
  /** A session now exists (the sign-in screen, after preparing the offline data). */
  SIGNED_IN: 'signed-in',
  /** The session was removed (sign-out). */
  SIGNED_OUT: 'signed-out',
  /** The interface language changed (i18n.js). */
  LANG: 'langchange',
  /** The server's settings changed: rule pack or time zone (settings.js). */
  SETTINGS: 'settings',
});

const NAMES = new Set(Object.values(EVENTS));
const channel = new EventTarget();

function known(name) {
  if (!NAMES.has(name)) throw new Error(`unknown app event: ${name}`);
  return name;
}

/** Tell every listener of ``name``; ``detail`` is passed to them as is. */
export function emit(name, detail = null) {
  channel.dispatchEvent(new CustomEvent(known(name), { detail }));
}

/** Listen to ``name``; returns the function that stops listening (a screen's leave hook). */
export function on(name, listener) {
  const handler = (event) => listener(event.detail);
  channel.addEventListener(known(name), handler);
  return () => channel.removeEventListener(name, handler);
}
