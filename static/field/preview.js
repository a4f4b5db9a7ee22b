// The instant verdict on the device: the same rules as inspect_app/domain/evaluation, from the
// same answers, instrument records and rule pack (the one the server is configured with,
// settings.js). Findings come from answers that are violations by themselves (a broken seal;
// answers.js, the port of forms/answers.py) and from the metrology ports (metrology.js,
// optics.js). The verdict is "fail" when a finding is S1 or worse.

import { flaggedViolations } from './answers.js';
import * as M from './metrology.js';
import * as O from './optics.js';

const STAGE = 'in_service'; // market inspections check instruments in service

function items(answers, key) {
  const value = answers[key];
  return Array.isArray(value) ? value.filter((item) => item && typeof item === 'object') : [];
}

function specOf(facts) {
  if (!facts) {
    throw new M.MeasurementError('INSTRUMENT_REQUIRED', 'Scan or enter the scale before entering test loads.',
      '请先扫描或输入被检秤的编号，再录入测试数据。');
  }
  if (!facts.accuracy_class || !facts.max || !facts.e) {
    throw new M.MeasurementError('INSTRUMENT_SPEC_MISSING',
      `Scale ${facts.code} has no registered class, Max or e; it cannot be judged.`,
      `秤 ${facts.code} 未登记准确度等级、最大秤量或检定分度值，无法判定。`);
  }
  return { accuracy_class: facts.accuracy_class, max: facts.max, min: facts.min || '0', e: facts.e,
    d: facts.d || facts.e };
}

function sameLoad(rows, path) {
  const loads = new Set(rows.map((row) => String(row.load)));
  if (loads.size !== 1) {
    throw new M.MeasurementError('LOADS_DIFFER', `${path}: every reading must use the same test load.`,
      `${path}：各次读数须使用同一测试载荷。`);
  }
  return rows[0].load;
}

/** The instrument a flagged answer belongs to: same repeat item, else the form's own
 * (evaluation._instrument_at), so findings are de-duplicated per instrument as on the server. */
function instrumentAt(path, instruments) {
  const prefix = path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '';
  const facts = instruments.get(`${prefix}instrument`) || instruments.get('instrument');
  return facts ? facts.code : null;
}

function expiry(code, path, facts, marked, today) {
  const dates = [facts && facts.valid_until, typeof marked === 'string' ? marked : null];
  return dates.some((d) => d && /^\d{4}-\d{2}-\d{2}$/.test(d) && d < today)
    ? { code, path, instrument: facts ? facts.code : null } : null;
}

function scaleChecks(answers, facts, pack, today) {
  const checks = [];
  const findings = [];
  const tests = [['test_points', items(answers, 'test_points')], ['eccentricity', items(answers, 'eccentricity')],
    ['repeatability', items(answers, 'repeatability')]];
  if (tests.some(([, rows]) => rows.length)) {
    const spec = specOf(facts);
    for (const [key, rows] of tests) {
      if (!rows.length) continue;
      let verdict;
      if (key === 'test_points') {
        verdict = M.evaluateTest(pack, spec, rows.map((r) => [r.load, r.indication]), STAGE);
      } else if (key === 'eccentricity') {
        verdict = M.evaluateEccentricity(pack, spec, sameLoad(rows, key), rows.map((r) => r.indication), STAGE);
      } else {
        verdict = M.evaluateRepeatability(pack, spec, sameLoad(rows, key), rows.map((r) => r.indication), STAGE);
      }
      checks.push({ path: key, ...verdict });
      if (!verdict.passed) findings.push({ code: 'SCALE_OUT_OF_TOLERANCE', path: key, instrument: facts.code });
    }
  }
  const expired = expiry('SCALE_VERIFICATION_EXPIRED', 'verification_valid_until', facts,
    answers.verification_valid_until, today);
  if (expired) findings.push(expired);
  return { checks, findings };
}

function lotChecks(answers, pack) {
  const sample = answers.sample;
  if (!Array.isArray(sample) || !sample.length || answers.nominal == null || answers.lot_size == null) {
    return { checks: [], findings: [] };
  }
  const lot = Number.parseInt(String(answers.lot_size), 10);
  const verdict = M.evaluateLot(pack, answers.nominal, String(answers.unit), lot,
    sample.filter((row) => row && typeof row === 'object').map((row) => row.net));
  const findings = [];
  if (verdict.average_ok === false) findings.push({ code: 'PREPACK_SHORT_AVERAGE', path: 'sample' });
  if (verdict.t1_count > verdict.plan.allowed_t1) findings.push({ code: 'PREPACK_T1_EXCEEDED', path: 'sample' });
  if (verdict.t2_count > verdict.plan.allowed_t2) findings.push({ code: 'PREPACK_T2_FOUND', path: 'sample' });
  return { checks: [{ path: 'sample', ...verdict }], findings };
}

// ------------------------------------------------------------------ optical shops

const NUMBER = /^-?\d+(\.\d+)?$/;
const typed = (v) => v !== undefined && v !== null && NUMBER.test(String(v).trim());

/**
 * One reference check of an instrument (evaluation/optics.py): a refractometer's against the
 * refractometer sphere table, any other instrument's against the focimeter rules. A check the
 * pack has no limit for (RULE_NOT_IN_PACK) is recorded as not judged and gives no finding.
 * ``null`` while the row is incomplete: the server never sees such a row (validation).
 */
export function referenceCheck(pack, facts, ref, path) {
  if (!ref || !typed(ref.reference_power) || !typed(ref.indication)) return null;
  const nominal = M.num(ref.reference_power, `${path}.reference_power`);
  const reading = M.num(ref.indication, `${path}.indication`);
  if (!facts) {
    throw new M.MeasurementError('INSTRUMENT_REQUIRED',
      'Scan or enter the instrument before entering reference checks: its kind decides the limits.',
      '请先扫描或输入器具编号，再录入标准镜片核查数据（允差取决于器具种类）。');
  }
  try {
    return facts.kind === 'refractometer' ? O.checkRefractometer(pack, nominal, reading)
      : O.checkFocimeter(pack, nominal, reading);
  } catch (e) {
    if (!(e instanceof M.MeasurementError) || e.code !== 'RULE_NOT_IN_PACK') throw e;
    return { judged: false, code: e.code, en: e.en, zh: e.zh };
  }
}

/** One spectacle lens against its prescription; ``null`` until both spheres are typed. */
export function spectaclesCheck(pack, item, path) {
  const keys = ['sphere', 'cylinder', 'axis'].flatMap((q) => [`prescribed_${q}`, `measured_${q}`]);
  if (!item || !typed(item.prescribed_sphere) || !typed(item.measured_sphere)
      || keys.some((k) => item[k] != null && !typed(item[k]))) return null;
  // Each lens is built (and its axis checked) in the server's order: prescribed, then measured.
  const lens = (prefix) => O.lensPower({
    sphere: M.num(item[`${prefix}_sphere`], `${path}.${prefix}_sphere`),
    cylinder: item[`${prefix}_cylinder`] == null ? '0' : M.num(item[`${prefix}_cylinder`], `${path}.${prefix}_cylinder`),
    axis: item[`${prefix}_axis`] == null ? null : M.num(item[`${prefix}_axis`], `${path}.${prefix}_axis`),
  });
  const nominal = lens('prescribed');
  return O.checkLens(pack, nominal, lens('measured'));
}

function opticsChecks(answers, instruments, pack, today) {
  const checks = [];
  const findings = [];
  items(answers, 'instruments').forEach((item, index) => {
    const base = `instruments.${index}`;
    const facts = instruments.get(`${base}.instrument`) || null;
    const expired = expiry('OPTICS_VERIFICATION_EXPIRED', `${base}.verification_valid_until`, facts,
      item.verification_valid_until, today);
    if (expired) findings.push(expired);
    items(item, 'reference_checks').forEach((ref, n) => {
      const path = `${base}.reference_checks.${n}`;
      const verdict = referenceCheck(pack, facts, ref, path);
      if (!verdict) return;
      checks.push({ path, ...verdict });
      if (verdict.passed === false) {
        findings.push({ code: 'OPTICS_INSTRUMENT_OUT_OF_TOLERANCE', path, instrument: facts.code });
      }
    });
  });
  items(answers, 'spectacles').forEach((item, index) => {
    const path = `spectacles.${index}`;
    const verdict = spectaclesCheck(pack, item, path);
    if (!verdict) return;
    checks.push({ path, ...verdict });
    if (!verdict.passed) findings.push({ code: 'SPECTACLES_OUT_OF_TOLERANCE', path, instrument: null });
  });
  return { checks, findings };
}

/**
 * ``evaluate({definition, answers, facts, instruments, pack, violations, today})`` →
 * ``{verdict: 'pass'|'fail'|null, findings, checks, error}``. ``error`` is a MeasurementError
 * the server would refuse the inspection for (the inspector must fix it before saving).
 */
export function evaluate({ definition, answers, facts, instruments = new Map(), pack, violations, today }) {
  // ``instruments``: the registered record of each instrument field by answer path
  // ("instruments.0.instrument"); ``facts`` is the form's own instrument ("instrument").
  const known = new Map(instruments);
  if (facts && !known.has('instrument')) known.set('instrument', facts);
  const flagged = flaggedViolations(definition, answers).map((f) => ({ ...f, instrument: instrumentAt(f.path, known) }));
  let measured = { checks: [], findings: [] };
  let error = null;
  const supported = ['scale', 'prepackage', 'optics'].includes(definition.inspection_type);
  try {
    if (definition.inspection_type === 'scale') measured = scaleChecks(answers, facts, pack, today);
    else if (definition.inspection_type === 'prepackage') measured = lotChecks(answers, pack);
    else if (definition.inspection_type === 'optics') measured = opticsChecks(answers, known, pack, today);
  } catch (e) {
    if (!(e instanceof M.MeasurementError)) throw e;
    error = e;
  }
  const seen = new Map();
  for (const f of [...flagged, ...measured.findings]) {
    const key = `${f.code}|${f.instrument || ''}`;
    if (!seen.has(key)) seen.set(key, f);
  }
  const findings = [...seen.values()].map((f) => ({ ...f, violation: violations.get(f.code) || null }));
  let verdict = null;
  if (!error) {
    const failing = findings.some((f) => !f.violation || Number(f.violation.severity.slice(1)) >= 1);
    verdict = failing ? 'fail' : supported ? 'pass' : null;
  }
  return { verdict, findings, checks: measured.checks, error };
}
