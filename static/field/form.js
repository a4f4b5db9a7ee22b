// Renders any form definition (docs/field-forms.md) and turns what was entered into answers.
// The UI keeps every value typed, even for a field that stops applying ("relevant"), so a
// mistaken tap on "obstructed" loses nothing; the answers sent contain only the fields that
// apply, as the server requires. Numbers are sent as the text typed (no float noise).

import { lang, t } from './i18n.js';
import { clear, h, loc } from './ui.js';

const NUMBER = /^-?\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const BLANK = (v) => v === undefined || v === null || (typeof v === 'string' && !v.trim())
  || (Array.isArray(v) && !v.length);

/** Does ``spec`` apply, given the values of its group (earlier sibling equals a value)? */
function applies(spec, group, values) {
  if (!spec.relevant) return true;
  const sibling = group.find((f) => f.key === spec.relevant.field);
  if (!sibling || !applies(sibling, group, values)) return false;
  return values[sibling.key] === spec.relevant.equals;
}

function convert(spec, value) {
  if (spec.type === 'number') {
    const text = String(value).trim();
    return spec.integer && NUMBER.test(text) && !text.includes('.') ? Number.parseInt(text, 10) : text;
  }
  if (spec.type === 'text') return String(value).trim();
  return value;
}

/** The answers object the server receives: applicable, non-blank fields only. */
export function buildAnswers(fields, values) {
  const out = {};
  for (const spec of fields) {
    if (spec.type === 'note' || !applies(spec, fields, values)) continue;
    const value = values[spec.key];
    if (spec.type === 'repeat') {
      if (Array.isArray(value) && value.length) out[spec.key] = value.map((item) => buildAnswers(spec.fields, item));
    } else if (!BLANK(value)) {
      out[spec.key] = convert(spec, value);
    }
  }
  return out;
}

/** Problems the server would refuse, found before saving: [{path, message}]. */
export function validate(fields, values, prefix = '') {
  const issues = [];
  const add = (path, key, vars) => issues.push({ path, message: t(key, vars) });
  for (const spec of fields) {
    if (spec.type === 'note' || !applies(spec, fields, values)) continue;
    const path = prefix + spec.key;
    const value = values[spec.key];
    if (spec.type === 'repeat') {
      const rows = Array.isArray(value) ? value : [];
      if (spec.required && !rows.length) add(path, 'check.required');
      if (rows.length && spec.min_items && rows.length < spec.min_items) add(path, 'check.min_items', { n: spec.min_items });
      if (spec.max_items && rows.length > spec.max_items) add(path, 'check.max_items', { n: spec.max_items });
      rows.forEach((row, i) => issues.push(...validate(spec.fields, row, `${path}.${i}.`)));
      continue;
    }
    if (BLANK(value)) {
      if (spec.required) add(path, 'check.required');
      continue;
    }
    if (spec.type === 'number') {
      const text = String(value).trim();
      if (!NUMBER.test(text)) { add(path, 'check.number'); continue; }
      if (spec.integer && text.includes('.')) add(path, 'check.integer');
      const n = Number(text);
      if (spec.min !== undefined && n < spec.min) add(path, 'check.min', { n: spec.min });
      if (spec.max !== undefined && n > spec.max) add(path, 'check.max', { n: spec.max });
    } else if (spec.type === 'date' && (!DATE.test(value) || Number.isNaN(Date.parse(value)))) {
      add(path, 'check.date');
    } else if (spec.type === 'text' && String(value).length > (spec.max_length || 2000)) {
      add(path, 'check.too_long', { n: spec.max_length || 2000 });
    }
  }
  return issues;
}

/**
 * Build the form. ``ctx`` supplies what fields need from the app: ``onChange()``,
 * ``takePhoto(path) → sha``, ``photoUrl(sha)``, ``scan() → ref``, ``describeInstrument(ref)``,
 * ``merchants`` (list), ``captureGeotag(cb)``, optionally ``normalizeRef(text) → ref``.
 * Returns ``{el, refresh, slots, setRepeatLength}``; ``slots`` maps a repeat row path to an
 * element where the live result of that row is shown.
 */
export function renderForm(definition, values, ctx) {
  const groups = [];
  const slots = new Map();
  const repeats = new Map();

  const changed = () => { refresh(); ctx.onChange(); };

  function renderGroup(fields, obj, prefix) {
    const box = h('div.group');
    const entries = [];
    for (const spec of fields) {
      const el = renderField(spec, obj, prefix + spec.key);
      entries.push({ spec, el });
      box.append(el);
    }
    groups.push({ fields, obj, entries });
    return box;
  }

  function label(spec, id = null) {
    return h('div.label', { id }, loc(spec.label),
      spec.required ? h('span.req', { title: t('form.required') }, ' *') : null,
      spec.unit ? h('span.unit', ` (${spec.unit})`) : null);
  }

  function renderField(spec, obj, path) {
    const wrap = h('div.field', { dataset: { path, type: spec.type } });
    const hint = spec.hint ? h('div.hint', loc(spec.hint)) : null;
    const set = (value) => { obj[spec.key] = value; changed(); };
    switch (spec.type) {
      case 'note':
        wrap.append(h('p.note', loc(spec.label)));
        return wrap;
      case 'repeat':
        wrap.append(renderRepeat(spec, obj, path));
        return wrap;
      case 'boolean':
      case 'select':
      case 'multi_select': {
        const multi = spec.type === 'multi_select';
        const choices = spec.type === 'boolean'
          ? [{ value: true, label: t('answer.yes') }, { value: false, label: t('answer.no') }]
          : spec.choices;
        const current = () => obj[spec.key];
        const options = h(`div.choices${spec.type === 'boolean' ? '.yesno' : ''}`, { role: multi ? 'group' : 'radiogroup' });
        for (const choice of choices) {
          const input = h('input', { type: multi ? 'checkbox' : 'radio', name: path, value: String(choice.value) });
          input.checked = multi ? (current() || []).includes(choice.value) : current() === choice.value;
          input.addEventListener('change', () => {
            if (multi) {
              const list = new Set(current() || []);
              if (input.checked) list.add(choice.value); else list.delete(choice.value);
              set(spec.choices.map((c) => c.value).filter((v) => list.has(v)));
            } else if (input.checked) set(choice.value);
          });
          options.append(h('label.choice', input, h('span', loc(choice.label))));
        }
        wrap.append(h('fieldset', h('legend', label(spec)), hint, options));
        return wrap;
      }
      case 'photo':
        clear(wrap, label(spec), hint, renderPhoto(spec, obj, path));
        return wrap;
      case 'geotag':
        clear(wrap, label(spec), hint, renderGeotag(spec, obj));
        return wrap;
      case 'instrument':
        clear(wrap, label(spec, labelId(path)), hint, renderInstrument(spec, obj, path));
        return wrap;
      case 'merchant':
        clear(wrap, label(spec, labelId(path)), hint, renderMerchant(spec, obj, path));
        return wrap;
      default: {
        const attrs = { name: path, value: obj[spec.key] ?? '', autocomplete: 'off' };
        let input;
        if (spec.type === 'number') {
          input = h('input', { ...attrs, type: 'text', inputmode: spec.integer ? 'numeric' : 'decimal', enterkeyhint: 'next' });
        } else if (spec.type === 'date') {
          input = h('input', { ...attrs, type: 'date' });
        } else if ((spec.max_length || 2000) > 200) {
          input = h('textarea', { name: path, rows: 3, maxlength: spec.max_length || 2000 });
          input.value = obj[spec.key] ?? '';
        } else {
          input = h('input', { ...attrs, type: 'text', maxlength: spec.max_length || 2000, enterkeyhint: 'next' });
        }
        input.addEventListener('input', () => set(input.value));
        input.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' && input.tagName === 'INPUT') { e.preventDefault(); focusNext(input); }
        });
        wrap.append(h('label.input', label(spec), hint,
          spec.unit ? h('span.with-unit', input, h('span.unit-tag', spec.unit)) : input));
        return wrap;
      }
    }
  }

  function renderRepeat(spec, obj, path) {
    if (!Array.isArray(obj[spec.key])) obj[spec.key] = [];
    const rows = h('div.rows');
    const box = h('section.repeat', { dataset: { repeat: path } },
      // The form's title is the h1: a table of the form is an h2, a table inside a row an h3.
      h(`${path.includes('.') ? 'h3' : 'h2'}.repeat-title`, label(spec)), spec.hint ? h('div.hint', loc(spec.hint)) : null, rows);
    const draw = () => {
      // Drop this repeat's old groups so relevance is not computed for removed rows.
      for (let i = groups.length - 1; i >= 0; i -= 1) if (groups[i].repeat === path) groups.splice(i, 1);
      rows.replaceChildren();
      obj[spec.key].forEach((item, i) => {
        const before = groups.length;
        const body = renderGroup(spec.fields, item, `${path}.${i}.`);
        for (let g = before; g < groups.length; g += 1) groups[g].repeat = path;
        const slot = h('div.row-result', { testid: `result-${path}.${i}` });
        slots.set(`${path}.${i}`, slot);
        rows.append(h('div.row', { dataset: { row: `${path}.${i}` } },
          h('div.row-head', h('span.row-no', `#${i + 1}`),
            h('button.icon.remove', { type: 'button', 'aria-label': t('form.remove_row'),
              onclick: () => { obj[spec.key].splice(i, 1); draw(); changed(); } }, '✕')),
          body, slot));
      });
      const full = spec.max_items && obj[spec.key].length >= spec.max_items;
      rows.append(h('button.add', { type: 'button', disabled: full, testid: `add-${path}`,
        onclick: () => { obj[spec.key].push({}); draw(); changed(); focusFirst(rows.lastElementChild.previousElementSibling); } },
      `＋ ${t('form.add_row')}`));
    };
    repeats.set(path, { spec, obj, draw });
    draw();
    return box;
  }

  function renderPhoto(spec, obj, path) {
    const box = h('div.photo');
    const draw = async () => {
      const sha = obj[spec.key];
      const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', name: path, hidden: true });
      input.addEventListener('change', async () => {
        if (!input.files.length) return;
        obj[spec.key] = await ctx.takePhoto(input.files[0], path);
        await draw();
        changed();
      });
      const pick = h('button.big', { type: 'button', onclick: () => input.click() },
        sha ? t('photo.retake') : t('photo.take'));
      const url = sha ? await ctx.photoUrl(sha) : null;
      clear(box, input, pick,
        url ? h('img.thumb', { src: url, alt: loc(spec.label) }) : null,
        sha ? h('button', { type: 'button', onclick: () => { obj[spec.key] = null; draw(); changed(); } }, t('photo.remove')) : null);
    };
    draw();
    return box;
  }

  function renderGeotag(spec, obj) {
    const out = h('span.geo');
    const show = () => {
      const g = obj[spec.key];
      out.textContent = g ? `${g.lat.toFixed(6)}, ${g.lon.toFixed(6)} ±${Math.round(g.accuracy)} m` : t('geo.none');
    };
    show();
    return h('div.geotag-field', out, h('button', { type: 'button', onclick: () => ctx.captureGeotag((g) => {
      obj[spec.key] = g; show(); changed();
    }) }, t('geo.capture')));
  }

  function renderInstrument(spec, obj, path) {
    const input = h('input', { type: 'text', name: path, value: obj[spec.key] || '', autocomplete: 'off',
      placeholder: t('home.code_placeholder'), 'aria-labelledby': labelId(path) });
    const info = h('div.instrument-info');
    const describe = async () => { info.replaceChildren(await ctx.describeInstrument(obj[spec.key])); };
    input.addEventListener('change', () => {
      // A pasted label URL becomes its token: the server accepts a code or token only.
      const typed = input.value.trim();
      const ref = ctx.normalizeRef ? ctx.normalizeRef(typed) : typed;
      input.value = ref;
      obj[spec.key] = ref;
      describe();
      changed();
    });
    describe();
    return h('div.instrument-field', h('div.inline', input,
      h('button', { type: 'button', onclick: async () => {
        const ref = await ctx.scan();
        if (ref) { input.value = ref; obj[spec.key] = ref; describe(); changed(); }
      } }, t('home.scan'))), info);
  }

  function renderMerchant(spec, obj, path) {
    // Grouped by market, stall number first: on a phone the closed dropdown shows only its
    // first ~25 characters, and the stall sign is what the inspector is looking at. The full
    // choice is spelled out under the dropdown, where it can wrap.
    const marketName = (m) => (m.marketInfo ? loc(m.marketInfo.name) : '');
    const sorted = [...ctx.merchants].sort((a, b) => marketName(a).localeCompare(marketName(b))
      || String(a.stall_no || '').localeCompare(String(b.stall_no || ''), undefined, { numeric: true })
      || a.name.localeCompare(b.name));
    const groups = new Map();
    for (const m of sorted) {
      if (!groups.has(marketName(m))) groups.set(marketName(m), []);
      groups.get(marketName(m)).push(m);
    }
    const option = (m) => h('option', { value: String(m.id) }, m.stall_no ? `${m.stall_no} · ${m.name}` : m.name);
    const chosenId = `${labelId(path)}-chosen`;
    const chosen = h('div.chosen', { id: chosenId });
    const select = h('select', { name: path, 'aria-labelledby': labelId(path), 'aria-describedby': chosenId },
      h('option', { value: '' }, t('form.choose')),
      [...groups].map(([market, list]) => (market ? h('optgroup', { label: market }, list.map(option)) : list.map(option))));
    const show = () => {
      const m = ctx.merchants.find((x) => String(x.id) === select.value);
      chosen.textContent = m ? [m.name, m.stall_no, marketName(m)].filter(Boolean).join(' · ') : '';
    };
    select.value = obj[spec.key] ? String(obj[spec.key]) : '';
    select.addEventListener('change', () => { obj[spec.key] = select.value ? Number(select.value) : null; show(); changed(); });
    show();
    return h('div.merchant-field', select, chosen);
  }

  function refresh() {
    for (const group of groups) {
      for (const { spec, el } of group.entries) el.hidden = !applies(spec, group.fields, group.obj);
    }
  }

  function setRepeatLength(path, n) {
    const rep = repeats.get(path);
    if (!rep || rep.obj[rep.spec.key].length >= n) return;
    while (rep.obj[rep.spec.key].length < Math.min(n, rep.spec.max_items || 500)) rep.obj[rep.spec.key].push({});
    rep.draw();
    refresh();
  }

  const el = h('form.inspection-form', { lang: lang() === 'zh' ? 'zh-CN' : 'en', novalidate: true,
    onsubmit: (e) => e.preventDefault() }, renderGroup(definition.fields, values, ''));
  refresh();
  return { el, refresh, slots, setRepeatLength };
}

/** The id of a field's visible label, for controls that are not inside a <label>. */
function labelId(path) {
  return `label-${path.replace(/[^\w-]/g, '_')}`;
}

function inputs(root) {
  return [...root.querySelectorAll('input:not([type=hidden]):not([type=file]), select, textarea')]
    .filter((el) => !el.closest('[hidden]'));
}

function focusNext(current) {
  const list = inputs(current.closest('form'));
  const next = list[list.indexOf(current) + 1];
  if (next) next.focus();
}

function focusFirst(root) {
  if (!root) return;
  const first = inputs(root)[0];
  if (first) first.focus();
}
