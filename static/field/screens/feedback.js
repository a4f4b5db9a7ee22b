// Live feedback beside each row while numbers are typed: a weighing's error, its limit and
// pass/fail; a sampled package's shortage against T and 2T; an optical instrument's reference
// check and a spectacle lens against the prescription. Each row is judged on its own
// so the inspector sees the result before the table is complete; the verdict itself comes
// from the whole table (preview.js), exactly as the server computes it.

import { Dec, fmt } from '../decimal.js';
import { lang, t } from '../i18n.js';
import * as M from '../metrology.js';
import { referenceCheck, spectaclesCheck } from '../preview.js';
import { clear, h } from '../ui.js';

const NUMBER = /^-?\d+(\.\d+)?$/;
const ok = (v) => v !== undefined && v !== null && NUMBER.test(String(v).trim());

function specOf(facts) {
  if (!facts || !facts.accuracy_class || !facts.max || !facts.e) return null;
  return { accuracy_class: facts.accuracy_class, max: facts.max, min: facts.min || '0', e: facts.e, d: facts.d || facts.e };
}

/** Each weighing row of test_points, eccentricity and repeatability. */
export function scaleRowFeedback(slots, values, facts, pack) {
  const spec = specOf(facts);
  for (const key of ['test_points', 'eccentricity', 'repeatability']) {
    (values[key] || []).forEach((row, i) => {
      const slot = slots.get(`${key}.${i}`);
      if (!slot) return;
      if (!spec || !ok(row.load) || !ok(row.indication)) { slot.replaceChildren(); return; }
      try {
        const v = M.evaluateTest(pack, spec, [[String(row.load).trim(), String(row.indication).trim()]], 'in_service');
        const p = v.points[0];
        clear(slot, h(`span.point.${p.passed ? 'pass' : 'fail'}`, { testid: 'point-result' },
          t('feedback.point', { error: fmt(p.error, true), error_e: fmt(Dec.parse(p.error_e).quantize(2)), mpe: fmt(p.mpe),
            mpe_e: fmt(p.mpe_e) }), ' ', p.passed ? `✓ ${t('verdict.pass')}` : `✗ ${t('verdict.fail')}`));
      } catch (error) {
        clear(slot, h('span.point.fail', { testid: 'point-result' }, error.en ? (lang() === 'en' ? error.en : error.zh) : String(error)));
      }
    });
  }
}

/** The sample rows of a lot: the plan's size as soon as the lot size is known, T1/T2 marks. */
export function lotRowFeedback(rendered, values, pack) {
  const unit = values.unit;
  let plan = null;
  let deficiency = null;
  try {
    if (ok(values.lot_size) && !String(values.lot_size).includes('.')) {
      plan = M.samplingPlan(pack, Number.parseInt(values.lot_size, 10));
      rendered.setRepeatLength('sample', plan.sample_size);
    }
    if (ok(values.nominal) && unit) deficiency = M.deficiency(pack, String(values.nominal).trim(), unit);
  } catch {
    // The preview panel reports refused inputs; rows simply get no marks.
  }
  const status = rendered.el.querySelector('[data-repeat="sample"] .repeat-title');
  if (status) {
    let note = status.querySelector('.plan-note');
    if (!note) { note = h('span.plan-note', { testid: 'plan-note' }); status.append(note); }
    note.textContent = plan ? ` — ${t('feedback.plan', { n: plan.sample_size, entered: (values.sample || []).filter((r) => ok(r.net)).length })}`
      + (deficiency ? ` · T = ${fmt(deficiency.t)} ${unit}` : '') : '';
  }
  (values.sample || []).forEach((row, i) => {
    const slot = rendered.slots.get(`sample.${i}`);
    if (!slot) return;
    if (!deficiency || !ok(row.net)) { slot.replaceChildren(); return; }
    const shortage = Dec.parse(deficiency.nominal).sub(Dec.parse(String(row.net).trim()));
    const tt = Dec.parse(deficiency.t);
    const cls = shortage.gt(tt.mul(2)) ? 'T2' : shortage.gt(tt) ? 'T1' : null;
    clear(slot, h(`span.point.${cls ? 'fail' : 'pass'}`, { testid: 'package-result' },
      cls ? t(`feedback.${cls}`, { shortage: fmt(shortage) }) : '✓'));
  });
}

const QUANTITY_KEYS = { 'meridian 1': 'quantity.meridian1', 'meridian 2': 'quantity.meridian2',
  cylinder: 'quantity.cylinder', axis: 'quantity.axis', zero: 'quantity.zero', sphere: 'quantity.sphere',
  pd: 'quantity.pd', power: 'quantity.power' };

/** "error +0.05 D, limit ±0.03 D" for one checked quantity of an optics verdict. */
function opticsPoint(p, named) {
  const unit = p.unit === '°' ? '°' : ` ${p.unit}`;
  const text = t('feedback.optics_point', { error: `${fmt(p.error, true)}${unit}`, tolerance: `${fmt(p.tolerance)}${unit}` });
  return h(`span.point.${p.passed ? 'pass' : 'fail'}`, named ? `${t(QUANTITY_KEYS[p.quantity] || p.quantity)}: ${text}` : text);
}

function showOptics(slot, compute) {
  let verdict;
  try {
    verdict = compute();
  } catch (error) {
    clear(slot, h('span.point.fail', { testid: 'optics-result' }, error.en ? (lang() === 'en' ? error.en : error.zh) : String(error)));
    return;
  }
  if (!verdict) { slot.replaceChildren(); return; }
  if (verdict.judged === false) {
    // The pack publishes no limit for this check: the reading is kept, not judged (no finding).
    clear(slot, h('span.point.unknown', { testid: 'optics-result' }, t('feedback.not_judged')));
    return;
  }
  const many = verdict.points.length > 1;
  const notes = verdict.reasons.slice(1).filter((r) => r.ok === false).map((r) => h('span.point.fail', lang() === 'en' ? r.en : r.zh));
  clear(slot, h(`div.optics-result.${verdict.passed ? 'pass' : 'fail'}`, { testid: 'optics-result' },
    verdict.points.map((p) => opticsPoint(p, many)), notes,
    h('b', verdict.passed ? `✓ ${t('verdict.pass')}` : `✗ ${t('verdict.fail')}`)));
}

/** Each reference check of each instrument, and each spectacle lens, of an optical-shop form. */
export function opticsRowFeedback(slots, answers, instruments, pack) {
  for (const [key, slot] of slots) {
    let m = /^instruments\.(\d+)\.reference_checks\.(\d+)$/.exec(key);
    if (m) {
      const item = (answers.instruments || [])[Number(m[1])];
      const ref = item && (item.reference_checks || [])[Number(m[2])];
      showOptics(slot, () => referenceCheck(pack, instruments.get(`instruments.${m[1]}.instrument`) || null, ref, key));
      continue;
    }
    m = /^spectacles\.(\d+)$/.exec(key);
    if (m) showOptics(slot, () => spectaclesCheck(pack, (answers.spectacles || [])[Number(m[1])], key));
  }
}
