// Sign in once, online: exchange the password for a device token (kept in IndexedDB, never
// in a URL), then download everything needed to work offline, with visible progress.

import { ApiError, request } from '../api.js';
import * as db from '../db.js';
import { KEY as DEVICE_NAME, MAX_LENGTH as DEVICE_NAME_MAX, deviceName } from '../device.js';
import { EVENTS, emit } from '../events.js';
import { setLang, t } from '../i18n.js';
import { prepareOffline } from '../refdata.js';
import { navigate } from '../router.js';
import { lastUser } from '../signout.js';
import { clear, h } from '../ui.js';

export async function loginScreen(main) {
  // The last user, also after a sign-out: their name is shown if their work still waits.
  const previous = await lastUser();
  const error = h('p.error', { role: 'alert', testid: 'login-error' });
  const username = h('input', { name: 'username', autocomplete: 'username', required: true,
    value: previous ? previous.username : '' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  // Distinct per tablet (platform + random suffix) and kept, so the administrator's device
  // list can tell tablets apart and a new sign-in here reuses the same name.
  const device = h('input', { name: 'device_name', required: true, maxlength: DEVICE_NAME_MAX,
    autocomplete: 'off', value: await deviceName(t('login.device_default')) });
  const button = h('button.big.primary', { type: 'submit', testid: 'login-submit' }, t('login.submit'));
  const progress = h('ol.progress', { testid: 'prepare-progress' });

  const form = h('form.card.login', { onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      const result = await request('/api/v1/auth/token', { method: 'POST', token: null,
        json: { username: username.value.trim(), password: password.value, device_name: device.value.trim() } });
      // Someone else's unsent work is on this tablet: never send it under another name. The
      // records carry their owner, so the rule holds whoever signed in or out last.
      const others = (await db.all('outbox')).filter((item) => item.user_id !== result.user.id);
      if (others.length) {
        const name = previous && others.some((item) => item.user_id === previous.id)
          ? previous.display_name : t('login.another_user');
        // The token just issued is not going to be used: revoke it (best effort).
        request('/api/v1/auth/token', { method: 'DELETE', token: result.token }).catch(() => {});
        throw new Error(t('login.other_user_outbox', { n: others.length, name }));
      }
      await db.tx('kv', 'readwrite', async (s) => {
        await s.kv.put({ token: result.token, expires_at: result.expires_at, device_id: result.device_id,
          user: result.user }, 'session');
        await s.kv.put(device.value.trim(), DEVICE_NAME);
      });
      password.value = '';
      if (result.user.locale && !(await db.kvGet('lang'))) setLang(result.user.locale === 'en' ? 'en' : 'zh', false);
      await prepare(progress);
      await db.persist();
      emit(EVENTS.SIGNED_IN, result.user);
      navigate('#/');
    } catch (e) {
      error.textContent = e instanceof ApiError && e.kind === 'network' ? t('login.offline') : (e.message || String(e));
    } finally {
      button.disabled = false;
    }
  } },
  h('h1', t('login.title')),
  h('p', t('login.intro')),
  h('label', t('login.username'), username),
  h('label', t('login.password'), password),
  h('label', t('login.device'), device),
  error, button, progress);
  clear(main, form);
  (previous ? password : username).focus();
}

async function prepare(list) {
  const steps = {};
  const mark = (name) => {
    for (const el of Object.values(steps)) el.classList.add('done');
    steps[name] = h('li', t(`prepare.${name}`));
    list.append(steps[name]);
  };
  await prepareOffline(mark);
  for (const el of Object.values(steps)) el.classList.add('done');
  list.append(h('li.done', { testid: 'offline-ready' }, t('prepare.ready')));
}
