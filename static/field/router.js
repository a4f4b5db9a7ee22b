// Hash routing. The route table is filled by the composition root (app.js), so a screen that
// navigates imports this module only, never app.js (which imports the screens).
//
// A screen is ``async (main, ...captures) → leave?``: it draws into ``main`` and may return a
// function called when the next route replaces it (stop a camera, a timer, a listener).

import { t } from './i18n.js';
import { clear, h } from './ui.js';

const routes = [];
let fallback = '#/';
let guard = async () => null;
let root = null;
let leave = null;

/** Add a route: ``pattern`` is matched against ``location.hash``; first match wins. */
export function register(pattern, screen) {
  routes.push([pattern, screen]);
}

/**
 * ``configure({root, guard, fallback})``: where screens draw, and an async check run before
 * each route that returns a hash to go to instead (e.g. the sign-in screen), or null.
 */
export function configure(options) {
  root = options.root;
  if (options.guard) guard = options.guard;
  if (options.fallback) fallback = options.fallback;
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Draw the screen of the current hash (again). */
export async function route() {
  const hash = location.hash || '#/';
  const redirect = await guard(hash);
  if (redirect && redirect !== hash) { navigate(redirect); return; }
  if (leave) { try { leave(); } catch { /* the old screen is gone anyway */ } leave = null; }
  for (const [pattern, screen] of routes) {
    const match = pattern.exec(hash);
    if (!match) continue;
    clear(root, h('p.loading', t('app.loading')));
    try {
      const result = await screen(root, ...match.slice(1));
      leave = typeof result === 'function' ? result : null;
    } catch (error) {
      console.error(error);
      clear(root, h('p.error', String(error.message || error)),
        h('button.big', { type: 'button', onclick: () => navigate(fallback) }, t('nav.home')));
    }
    root.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return;
  }
  navigate(fallback);
}

/** Follow the hash from now on and draw the current route. */
export function start() {
  window.addEventListener('hashchange', route);
  return route();
}
