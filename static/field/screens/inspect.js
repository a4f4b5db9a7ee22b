// Filling one inspection. The draft is saved to IndexedDB as it is typed (a reload or a
// flat battery loses nothing); the verdict preview updates with every number; "Save" mints
// the inspection's uuid, freezes the record as it will be sent, and files it in the outbox
// in one transaction with its photos.

import { instrumentRefs, photoRefs } from '../answers.js';
import * as db from '../db.js';
import { EVENTS, emit } from '../events.js';
import { lang, t } from '../i18n.js';
import { buildAnswers, renderForm, validate } from '../form.js';
import { fixQuality, photoUrl, storePhoto, watchPosition } from '../media.js';
import { evaluate } from '../preview.js';
import { currentPack, findInstrument, labelRef, merchantsList } from '../refdata.js';
import { navigate } from '../router.js';
import { scan } from '../scan.js';
import * as sync from '../sync.js';
import { clear, h, isoWithOffset, loc, localDate, toast, verdictBadge } from '../ui.js';
import { lotRowFeedback, opticsRowFeedback, scaleRowFeedback } from './feedback.js';

export async function newDraft(form, merchant, instrument) {
  const values = {};
  const keys = form.definition.fields.map((f) => f.key);
  if (keys.includes('merchant') && merchant) values.merchant = merchant.id;
  if (instrument) {
    if (keys.includes('instrument')) values.instrument = instrument.code;
    else if (keys.includes('instruments')) values.instruments = [{ instrument: instrument.code }];
  }
  const now = new Date().toISOString();
  const draft = { id: crypto.randomUUID(), form_id: form.id, form_key: form.key, form_version: form.version,
    title: [loc(form.title), merchant && merchant.name, instrument && instrument.code].filter(Boolean).join(' · '),
    values, geotag: null, started_at: isoWithOffset(), created_at: now, updated_at: now };
  await db.put('drafts', draft);
  return draft;
}

export async function inspectScreen(main, draftId) {
  const draft = await db.get('drafts', draftId);
  if (!draft) { clear(main, h('p.error', t('inspect.gone')), h('a.button.big', { href: '#/' }, t('nav.home'))); return null; }
  const form = await db.get('forms', draft.form_id);
  if (!form) {
    clear(main, h('p.error', t('inspect.form_closed')), discardButton(draft));
    return null;
  }
  const definition = form.definition;
  const [pack, violationList, merchants] = await Promise.all([currentPack(), db.all('violations'), merchantsList()]);
  if (!pack) {
    // The server's rule pack never reached this tablet: no preview, so no saving (a sync fixes it).
    clear(main, h('p.error', { testid: 'no-rule-pack' }, t('inspect.no_rule_pack')),
      h('a.button.big', { href: '#/' }, t('nav.home')));
    return null;
  }
  const violations = new Map(violationList.map((v) => [v.code, v]));
  let facts = null;
  let instruments = new Map(); // answer path → registered instrument, for optical shops' rows
  // The instruments the answers name (answers.js, as the server reads them), looked up in the
  // tablet's register; ``facts`` is the form's own instrument ("instrument").
  const resolveFacts = async (answers) => {
    const found = new Map();
    for (const [path, ref] of instrumentRefs(definition, answers)) {
      const record = await findInstrument(ref);
      if (record) found.set(path, record);
    }
    facts = found.get('instrument') || null;
    instruments = found;
  };

  let saveTimer = null;
  const persist = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      draft.updated_at = new Date().toISOString();
      db.tx('drafts', 'readwrite', async (s) => { if (await s.drafts.get(draft.id)) await s.drafts.put(draft); });
    }, 300);
  };

  // The sticky preview: the verdict line always; its details (findings, lot summary, the
  // engine's refusal) below it on a tablet, folded behind a "details" button on a phone so
  // the bar leaves the screen to the form (app.css).
  const verdictLine = h('div.verdict-line');
  const details = h('div.preview-details', { id: 'preview-details' });
  const detailsLabel = h('span');
  const toggle = h('button.details-toggle', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'preview-details',
    testid: 'preview-details-toggle', onclick: () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      savebar.classList.toggle('expanded', open);
    } }, detailsLabel);
  const verdictBox = h('div.preview', { testid: 'preview', 'aria-live': 'polite' },
    h('div.preview-head', verdictLine, toggle), details);
  const issuesBox = h('div.issues', { role: 'alert' });
  const savebar = h('div.savebar', verdictBox,
    h('button.huge.primary.save', { type: 'button', testid: 'save-inspection', onclick: save },
      h('span', { 'aria-hidden': 'true' }, '✔ '), h('span.wide-only', t('inspect.save')),
      h('span.narrow-only', t('inspect.save_short'))));
  const geoBox = h('div.geo-panel', { testid: 'geotag' });
  let stopGeo = () => {};

  const ctx = {
    merchants,
    onChange: () => { persist(); update(); },
    takePhoto: (file, path) => storePhoto(file, draft.id, `${draft.title} · ${path}`),
    photoUrl,
    scan: async () => {
      try { const text = await scan(); return text ? labelRef(text) : null; } catch (e) { toast(e.message, 'bad'); return null; }
    },
    normalizeRef: (text) => labelRef(text) || text,
    describeInstrument: async (ref) => {
      const found = ref ? await findInstrument(labelRef(ref)) : null;
      if (!ref) return '';
      if (!found) return h('span.badge.fail', t('home.unknown_instrument', { ref }));
      // Class, Max and e mean something for scales only; optical instruments have none.
      const scale = found.max || found.e || found.accuracy_class
        ? ` · ${found.accuracy_class || ''} Max ${found.max ?? '—'} g e ${found.e ?? '—'} g` : '';
      return h('span', `${found.code} · ${t(`kind.${found.kind}`)}${scale}`);
    },
    captureGeotag: (cb) => watchPosition((g) => { if (g) cb(g); }),
  };
  const rendered = renderForm(definition, draft.values, ctx);

  function drawGeo(error) {
    const g = draft.geotag;
    const quality = fixQuality(g);
    clear(geoBox,
      h('span.label', t('geo.label')), ' ',
      g ? h(`span.badge.geo-${quality}`, { testid: 'geotag-accuracy' }, `±${Math.round(g.accuracy)} m`) : h('span.badge.unknown', error ? t(`geo.${error}`) : t('geo.locating')),
      g ? h('span.muted', ` ${g.lat.toFixed(5)}, ${g.lon.toFixed(5)}`) : null,
      quality === 'poor' ? h('span.warn-text', ` ${t('geo.poor')}`) : null,
      h('button', { type: 'button', testid: 'geotag-recapture', onclick: startGeo }, t('geo.recapture')));
  }
  function startGeo() {
    stopGeo();
    draft.geotag = null;
    drawGeo();
    stopGeo = watchPosition((g, error) => { if (g) { draft.geotag = g; persist(); } drawGeo(error); });
  }

  function update() {
    const answers = buildAnswers(definition.fields, draft.values);
    resolveFacts(answers).then(() => {
      let result;
      try {
        result = evaluate({ definition, answers, facts, instruments, pack, violations, today: localDate() });
      } catch (e) {
        result = { verdict: null, findings: [], checks: [], error: e };
      }
      drawPreview(result, validate(definition.fields, draft.values).length);
      if (definition.inspection_type === 'scale') scaleRowFeedback(rendered.slots, draft.values, facts, pack);
      if (definition.inspection_type === 'prepackage') lotRowFeedback(rendered, draft.values, pack);
      if (definition.inspection_type === 'optics') opticsRowFeedback(rendered.slots, answers, instruments, pack);
    });
  }

  function drawPreview(result, missing) {
    const lot = result.checks.find((c) => c.kind === 'lot');
    const unjudged = result.checks.filter((c) => c.judged === false).length;
    // An incomplete form can already fail (a broken seal), but it cannot pass yet.
    const badge = missing && result.verdict !== 'fail'
      ? h('span.badge.unknown', { testid: 'preview-verdict' }, t('inspect.incomplete', { n: missing }))
      : verdictBadge(result.verdict, 'preview-verdict');
    clear(verdictLine,
      h('span.wide-only', t('inspect.preview')), h('span.narrow-only', t('inspect.preview_short')), ' ', badge);
    clear(details,
      result.error ? h('p.error', { testid: 'measurement-error' }, errorText(result.error)) : null,
      lot ? h('p.lot-summary', { testid: 'lot-summary' }, t('inspect.lot_summary', { t: lot.t, unit: lot.deficiency.unit,
        n: lot.plan.sample_size, mean: lot.mean, limit: lot.average_limit ?? '—', t1: lot.t1_count, t2: lot.t2_count })) : null,
      unjudged ? h('p.muted', { testid: 'not-judged' }, t('inspect.not_judged', { n: unjudged })) : null,
      result.findings.length ? h('ul.findings', { testid: 'preview-findings' }, result.findings.map((f) => h('li',
        h('b', f.violation ? f.violation.severity : '?'), ' ', f.violation ? loc(f.violation.title) : f.code))) : null);
    const shown = details.childElementCount;
    toggle.hidden = !shown;
    detailsLabel.textContent = result.error ? t('inspect.details_error')
      : t('inspect.details', { n: result.findings.length || shown });
    return result;
  }

  async function save() {
    clearTimeout(saveTimer);
    const issues = validate(definition.fields, draft.values);
    const answers = buildAnswers(definition.fields, draft.values);
    await resolveFacts(answers);
    const result = evaluate({ definition, answers, facts, instruments, pack, violations, today: localDate() });
    if (issues.length || result.error) {
      const fieldLabel = (path) => {
        const el = rendered.el.querySelector(`[data-path="${CSS.escape(path)}"] .label`);
        return el ? el.textContent.replace(/\s*\*$/, '') : path;
      };
      clear(issuesBox, h('h2', t('inspect.fix_first')), h('ul', { testid: 'issues' },
        issues.map((i) => h('li', h('a', { href: '#', onclick: (e) => { e.preventDefault(); focusPath(i.path); } },
          `${fieldLabel(i.path)}: ${i.message}`))),
        result.error ? h('li', errorText(result.error)) : null));
      issuesBox.scrollIntoView({ block: 'center' });
      return;
    }
    const uuid = crypto.randomUUID();
    const attachments = photoRefs(definition, answers);
    const g = draft.geotag;
    const envelope = { uuid, form_key: form.key, form_version: form.version, captured_at: isoWithOffset(),
      started_at: draft.started_at,
      geotag: g ? { lat: g.lat, lon: g.lon, accuracy: g.accuracy, altitude: g.altitude ?? null, fix_at: g.fix_at } : null,
      answers, attachments };
    if (result.verdict) envelope.client_verdict = result.verdict;
    const session = await db.kvGet('session');
    try {
      await db.tx(['drafts', 'outbox', 'attachments'], 'readwrite', async (s) => {
        if (!(await s.drafts.get(draft.id))) throw new Error(t('inspect.already_saved'));
        await s.outbox.put({ uuid, envelope, title: draft.title, saved_at: new Date().toISOString(),
          user_id: session.user.id, preview: { verdict: result.verdict, findings: result.findings.map((f) => f.code),
            rule_pack: `${pack.id}@${pack.version}` } });
        await s.drafts.delete(draft.id);
        for (const row of await s.attachments.allByIndex('owner', draft.id)) {
          if (attachments.includes(row.sha256)) await s.attachments.put({ ...row, owner: uuid, state: 'wait' });
          else await s.attachments.delete(row.sha256);
        }
      });
    } catch (e) {
      toast(e.message, 'bad');
      return;
    }
    stopGeo();
    toast(t('inspect.saved'), 'good');
    emit(EVENTS.STATUS);
    navigate('#/');
    sync.syncNow('save');
  }

  function focusPath(path) {
    const el = rendered.el.querySelector(`[data-path="${CSS.escape(path)}"]`);
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    const input = el.querySelector('input, select, textarea, button');
    if (input) input.focus();
  }

  clear(main,
    h('h1', draft.title),
    geoBox,
    rendered.el,
    issuesBox,
    // Discarding is rare and cannot be undone: at the end of the form, away from "Save".
    h('div.actions.form-end', discardButton(draft)),
    savebar);
  if (draft.geotag) drawGeo(); else startGeo();
  update();
  return () => {
    stopGeo();
    clearTimeout(saveTimer);
    // Keep the last keystrokes, unless the draft was saved or discarded meanwhile.
    db.tx('drafts', 'readwrite', async (s) => { if (await s.drafts.get(draft.id)) await s.drafts.put(draft); });
  };
}

function errorText(error) {
  if (error && error.zh && error.en) return lang() === 'zh' ? error.zh : error.en;
  return String(error && error.message ? error.message : error);
}

function discardButton(draft) {
  return h('button.big.danger', { type: 'button', testid: 'discard-draft', onclick: async () => {
    if (!window.confirm(t('inspect.discard_confirm'))) return;
    await db.tx(['drafts', 'attachments'], 'readwrite', async (s) => {
      await s.drafts.delete(draft.id);
      for (const row of await s.attachments.allByIndex('owner', draft.id)) await s.attachments.delete(row.sha256);
    });
    navigate('#/');
  } }, t('inspect.discard'));
}
