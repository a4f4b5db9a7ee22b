// The on-device port of inspect_app/domain/scales.py and prepackages.py, reading the rule
// pack JSON of /api/v1/rulepacks/<id> (docs/metrology.md, "JSON export"). The server's verdict
// is the one stored; this one is the instant preview, and tests/vectors/*.json keep the two
// from drifting (tests/browser/test_vectors.py runs them here). Results have the shape of the
// Python to_dict() so both can be compared key by key.

import { Dec, fmt, toEngineDecimal } from './decimal.js';

export const ACCURACY_CLASSES = ['I', 'II', 'III', 'IIII'];
export const UNITS = ['g', 'mL', 'm', 'm2', 'count'];
const STAGES = { initial: ['initial', '首次检定'], in_service: ['in-service', '使用中检查'] };

// quantities.MESSAGES, for the codes this module and optics.js raise.
const MESSAGES = {
  INVALID_NUMBER: ['{field} must be a finite decimal number, got {value}',
    '{field} 必须是有限的十进制数，收到 {value}'],
  RULE_NOT_IN_PACK: ['rule pack {pack} has no {rule}', '规则包 {pack} 没有{rule_zh}'],
  CLASS_UNKNOWN: ['accuracy class must be one of I, II, III, IIII, got {value}',
    '准确度等级须为 I、II、III、IIII 之一，收到 {value}'],
  CLASS_NOT_IN_PACK: ['rule pack {pack} has no table for class {value} (it covers {known})',
    '规则包 {pack} 没有 {value} 级的表（仅有 {known}）'],
  STAGE_UNKNOWN: ["stage must be 'initial' or 'in_service', got {value}",
    '检定阶段须为 initial 或 in_service，收到 {value}'],
  SPEC_INVALID: ['scale data must have e, d, Max > 0 and 0 ≤ Min < Max (Max {max} g, Min {min} g, e {e} g, d {d} g)',
    '秤的参数须满足 e、d、Max > 0 且 0 ≤ Min < Max（Max {max} g，Min {min} g，e {e} g，d {d} g）'],
  LOAD_NEGATIVE: ['load {load} g is below zero', '载荷 {load} g 小于零'],
  LOAD_ABOVE_MAX: ['load {load} g is above Max {max} g', '载荷 {load} g 超过最大秤量 {max} g'],
  LOAD_OUTSIDE_TABLE: ['load {load} g = {m} e is beyond the class {value} MPE table',
    '载荷 {load} g = {m} e 超出 {value} 级最大允许误差表的范围'],
  NO_POINTS: ['no weighings given', '未给出称量数据'],
  TOO_FEW_READINGS: ['repeatability needs at least {required} weighings of the same load, got {given}',
    '重复性检查至少需要对同一载荷称量 {required} 次，收到 {given} 次'],
  UNIT_UNKNOWN: ['unit must be one of {known}, got {value}', '单位须为 {known} 之一，收到 {value}'],
  NOMINAL_INVALID: ['nominal quantity must be > 0 (a whole number for count), got {value}',
    '标注净含量须大于 0（计数须为整数），收到 {value}'],
  NOMINAL_OUTSIDE_TABLE: ["nominal quantity {value} {unit} is beyond the pack's tolerable-deficiency table",
    '标注净含量 {value} {unit} 超出规则包允许短缺量表的范围'],
  LOT_SIZE_INVALID: ['lot size must be a whole number ≥ 1, got {value}',
    '批量须为不小于 1 的整数，收到 {value}'],
  LOT_SIZE_NOT_IN_PLAN: ['rule pack {pack} has no sampling plan for a lot of {value} (it covers lots from {first})',
    '规则包 {pack} 没有批量为 {value} 的抽样方案（仅适用于 {first} 件起的批）'],
  SAMPLE_SIZE_MISMATCH: ['the plan for a lot of {lot} asks for {required} packages, got {given}',
    '批量 {lot} 的抽样方案要求抽取 {required} 件，收到 {given} 件'],
  QUANTITY_NEGATIVE: ['package {index}: actual quantity {value} is below zero',
    '第 {index} 件：实际含量 {value} 小于零'],
  AXIS_INVALID: ['the axis must be between 0 and 180 degrees when there is a cylinder, got {value}',
    '有柱镜时轴位须在 0 至 180 度之间，收到 {value}'],
  NO_TOLERANCE: ['the {table} table gives no tolerance for {value}', '{table} 表对 {value} 没有规定允差'],
};

export class MeasurementError extends Error {
  constructor(code, en, zh, details = {}) {
    super(`${en} / ${zh}`);
    this.code = code;
    this.en = en;
    this.zh = zh;
    this.details = details;
  }

  text(lang) { return lang === 'zh' ? this.zh : this.en; }
}

export function fail(code, values = {}) {
  const details = {};
  for (const [k, v] of Object.entries(values)) details[k] = v instanceof Dec ? v.toString() : String(v);
  const fill = (t) => t.replace(/\{(\w+)\}/g, (_, k) => details[k]);
  const [en, zh] = MESSAGES[code];
  return new MeasurementError(code, fill(en), fill(zh), details);
}

function repr(value) {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export function num(value, name = 'value') {
  const d = toEngineDecimal(value);
  if (d === null) throw fail('INVALID_NUMBER', { field: name, value: repr(value) });
  return d;
}

// ------------------------------------------------------------------ tables

export function interval(raw) {
  return {
    lower: Dec.parse(raw.lower),
    inclusive: raw.lower_inclusive,
    upper: raw.upper === null ? null : Dec.parse(raw.upper),
  };
}

/** Interval.contains: bounds multiplied by ``scale`` so the comparison stays exact. */
export function contains(iv, x, scale = null) {
  const lower = scale ? iv.lower.mul(scale) : iv.lower;
  const c = x.cmp(lower);
  if (c < 0 || (c === 0 && !iv.inclusive)) return false;
  if (iv.upper === null) return true;
  return x.le(scale ? iv.upper.mul(scale) : iv.upper);
}

/** Interval.describe: the band as published, e.g. "500 e < m ≤ 2 000 e". */
export function describe(iv, variable, unit) {
  const u = unit ? ` ${unit}` : '';
  const text = `${fmt(iv.lower)}${u} ${iv.inclusive ? '≤' : '<'} ${variable}`;
  return iv.upper === null ? text : `${text} ≤ ${fmt(iv.upper)}${u}`;
}

export function findBand(table, x, scale = null, labelUnit = null) {
  for (const raw of table.bands) {
    const iv = interval(raw);
    if (contains(iv, x, scale)) {
      const label = describe(iv, table.var, labelUnit || table.unit);
      return { raw, value: Dec.parse(raw.value), label,
        citation: { table: table.key, row: label, verified: raw.verified, source: table.source } };
    }
  }
  return null;
}

function packRef(pack) { return { id: pack.id, version: pack.version }; }

export function reason(code, en, zh, ok) { return { code, en, zh, ok }; }

function uniqueCitations(list) {
  const seen = new Map();
  for (const c of list) {
    const key = `${c.table}\u0000${c.row}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

export function common(pack, passed, reasons, citations) {
  return { pack: packRef(pack), passed, unverified: citations.some((c) => !c.verified),
    reasons, citations };
}

// ------------------------------------------------------------------ scales

function scaleRules(pack) {
  if (!pack.scales) throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: 'scale rules', rule_zh: '衡器规则' });
  return pack.scales;
}

/** ScaleSpec: class, Max, Min, e, d in grams, checked as the Python dataclass does. */
export function scaleSpec(raw) {
  if (!ACCURACY_CLASSES.includes(raw.accuracy_class)) {
    throw fail('CLASS_UNKNOWN', { value: repr(raw.accuracy_class) });
  }
  const spec = { accuracy_class: raw.accuracy_class };
  for (const name of ['max', 'min', 'e', 'd']) spec[name] = num(raw[name], name);
  if (spec.e.sign() <= 0 || spec.d.sign() <= 0 || spec.max.sign() <= 0
      || spec.min.sign() < 0 || !spec.min.lt(spec.max)) {
    throw fail('SPEC_INVALID', { max: spec.max, min: spec.min, e: spec.e, d: spec.d });
  }
  return spec;
}

function specDict(spec) {
  return { accuracy_class: spec.accuracy_class, max: spec.max.toString(), min: spec.min.toString(),
    e: spec.e.toString(), d: spec.d.toString() };
}

function limitOf(pack, accuracyClass, e, load, stage) {
  if (!(stage in STAGES)) throw fail('STAGE_UNKNOWN', { value: repr(stage) });
  const rules = scaleRules(pack);
  if (!ACCURACY_CLASSES.includes(accuracyClass)) throw fail('CLASS_UNKNOWN', { value: repr(accuracyClass) });
  const table = rules.mpe[accuracyClass];
  if (!table) {
    throw fail('CLASS_NOT_IN_PACK', { pack: pack.id, value: accuracyClass, known: Object.keys(rules.mpe).join(', ') });
  }
  if (e.sign() <= 0) throw fail('SPEC_INVALID', { max: '-', min: '-', e, d: '-' });
  if (load.sign() < 0) throw fail('LOAD_NEGATIVE', { load });
  const band = findBand(table, load, e);
  if (!band) throw fail('LOAD_OUTSIDE_TABLE', { load, m: load.div(e), value: accuracyClass });
  if (stage === 'in_service') {
    const mpeE = band.value.mul(Dec.parse(rules.in_service.factor));
    const factorCite = { table: 'scales.in_service', row: `× ${rules.in_service.factor}`,
      verified: rules.in_service.source.verified, source: rules.in_service.source };
    return { mpe: mpeE.mul(e), mpe_e: mpeE, band: band.label, citations: [band.citation, factorCite] };
  }
  return { mpe: band.value.mul(e), mpe_e: band.value, band: band.label, citations: [band.citation] };
}

/** The MPE for one load, with its band: see scales.limit. */
export function limit(pack, accuracyClass, e, load, stage) {
  return limitOf(pack, accuracyClass, num(e, 'e'), num(load, 'load'), stage);
}

/** The absolute maximum permissible error in grams (scales.mpe). */
export function mpe(pack, accuracyClass, e, load, stage) {
  return limit(pack, accuracyClass, e, load, stage).mpe;
}

function weighings(pack, spec, stage, pairs) {
  const points = [];
  const citations = [];
  pairs.forEach(([rawLoad, rawIndication], i) => {
    const load = num(rawLoad, `load ${i + 1}`);
    const indication = num(rawIndication, `indication ${i + 1}`);
    if (load.gt(spec.max)) throw fail('LOAD_ABOVE_MAX', { load, max: spec.max });
    const lim = limitOf(pack, spec.accuracy_class, spec.e, load, stage);
    const error = indication.sub(load);
    points.push({ load, indication, error, error_e: error.div(spec.e), mpe: lim.mpe, mpe_e: lim.mpe_e,
      band: lim.band, passed: error.abs().le(lim.mpe) });
    citations.push(...lim.citations);
  });
  if (!points.length) throw fail('NO_POINTS');
  return { points, citations };
}

function pointDict(p) {
  return { load: p.load.toString(), indication: p.indication.toString(), error: p.error.toString(),
    error_e: p.error_e.toString(), mpe: p.mpe.toString(), mpe_e: p.mpe_e.toString(), band: p.band,
    passed: p.passed };
}

function scaleVerdict(kind, pack, spec, stage, pairs, extra) {
  const { points, citations } = weighings(pack, spec, stage, pairs);
  const failed = points.filter((p) => !p.passed).length;
  const r = failed
    ? reason('OUTSIDE_MPE', `${failed} of ${points.length} weighings outside the MPE`,
      `${points.length} 次称量中有 ${failed} 次超出最大允许误差`, false)
    : reason('WITHIN_MPE', `all ${points.length} weighings within the MPE`,
      `全部 ${points.length} 次称量均在最大允许误差内`, true);
  return { kind, ...common(pack, !failed, [r], uniqueCitations([...citations, ...extra])),
    spec: specDict(spec), stage, points: points.map(pointDict), range: null, range_limit: null,
    _points: points };
}

function clean(verdict) {
  const { _points, ...rest } = verdict;
  return rest;
}

/** Judge a weighing test: each (load, indication) against the MPE for its load. */
export function evaluateTest(pack, rawSpec, pairs, stage) {
  return clean(scaleVerdict('test', pack, scaleSpec(rawSpec), stage, pairs, []));
}

/** Judge an eccentricity test: one load at several positions, each within the MPE. */
export function evaluateEccentricity(pack, rawSpec, load, indications, stage) {
  const spec = scaleSpec(rawSpec);
  const src = scaleRules(pack).eccentricity.source;
  const cite = { table: 'scales.eccentricity', row: 'each_within_mpe', verified: src.verified, source: src };
  return clean(scaleVerdict('eccentricity', pack, spec, stage, indications.map((i) => [load, i]), [cite]));
}

/** Judge a repeatability test: every error and the range within the MPE for the load. */
export function evaluateRepeatability(pack, rawSpec, load, indications, stage) {
  const spec = scaleSpec(rawSpec);
  const rules = scaleRules(pack);
  const need = Math.max(2, rules.repeatability.min_readings || 2);
  if (indications.length < need) throw fail('TOO_FEW_READINGS', { required: need, given: indications.length });
  const src = rules.repeatability.source;
  const cite = { table: 'scales.repeatability', row: 'each_and_range_within_mpe', verified: src.verified, source: src };
  const base = scaleVerdict('repeatability', pack, spec, stage, indications.map((i) => [load, i]), [cite]);
  const values = base._points.map((p) => p.indication);
  let hi = values[0];
  let lo = values[0];
  for (const v of values) { if (v.gt(hi)) hi = v; if (v.lt(lo)) lo = v; }
  const spread = hi.sub(lo);
  const lim = base._points[0].mpe;
  const ok = spread.le(lim);
  const op = ok ? '≤' : '>';
  const r = reason(ok ? 'RANGE_WITHIN_MPE' : 'RANGE_EXCEEDS_MPE',
    `range of results ${fmt(spread)} g ${op} MPE ±${fmt(lim)} g`,
    `示值极差 ${fmt(spread)} g ${op} 最大允许误差 ±${fmt(lim)} g`, ok);
  return clean({ ...base, passed: base.passed && ok, reasons: [...base.reasons, r],
    range: spread.toString(), range_limit: lim.toString() });
}

/** Check the marked e, n = Max/e and Min against the accuracy-class table. */
export function checkSpec(pack, rawSpec) {
  const spec = scaleSpec(rawSpec);
  const rules = scaleRules(pack);
  const src = rules.class_parameters.source;
  const rows = rules.class_parameters.rows.filter((r) => r.class === spec.accuracy_class);
  if (!rows.length) {
    const known = [...new Set(rules.class_parameters.rows.map((r) => r.class))].sort().join(', ');
    throw fail('CLASS_NOT_IN_PACK', { pack: pack.id, value: spec.accuracy_class, known });
  }
  const row = rows.find((r) => contains(interval(r.e), spec.e));
  if (!row) {
    const ranges = rows.map((r) => describe(interval(r.e), 'e', 'g')).join('; ');
    const r = reason('E_OUTSIDE_CLASS', `e = ${fmt(spec.e)} g is in no class ${spec.accuracy_class} row (${ranges})`,
      `e = ${fmt(spec.e)} g 不在 ${spec.accuracy_class} 级任何一行的范围内（${ranges}）`, false);
    const cite = { table: 'scales.class_parameters', row: spec.accuracy_class, verified: src.verified, source: src };
    return { kind: 'spec', ...common(pack, false, [r], [cite]), spec: specDict(spec) };
  }
  const n = spec.max.div(spec.e);
  const least = Dec.parse(row.min_e).mul(spec.e);
  const nOk = n.ge(row.n_min) && n.le(row.n_max);
  const minOk = spec.min.ge(least);
  const reasons = [
    reason(nOk ? 'N_WITHIN_CLASS' : 'N_OUTSIDE_CLASS',
      `n = Max/e = ${fmt(n)} ${nOk ? 'within' : 'outside'} ${row.n_min}–${row.n_max}`,
      `n = Max/e = ${fmt(n)} ${nOk ? '在' : '不在'} ${row.n_min}–${row.n_max} 范围内`, nOk),
    reason(minOk ? 'MIN_OK' : 'MIN_TOO_SMALL',
      `Min ${fmt(spec.min)} g ${minOk ? '≥' : '<'} ${fmt(row.min_e)} e = ${fmt(least)} g`,
      `最小秤量 ${fmt(spec.min)} g ${minOk ? '≥' : '<'} ${fmt(row.min_e)} e = ${fmt(least)} g`, minOk),
  ];
  const cite = { table: 'scales.class_parameters',
    row: `row ${row.row}: class ${row.class}, ${describe(interval(row.e), 'e', 'g')}`,
    verified: row.verified, source: src };
  return { kind: 'spec', ...common(pack, nOk && minOk, reasons, [cite]), spec: specDict(spec) };
}

// ------------------------------------------------------------------ prepackages

function prepackRules(pack) {
  if (!pack.prepackages) {
    throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: 'prepackage rules', rule_zh: '定量包装商品规则' });
  }
  return pack.prepackages;
}

function deficiencyOf(pack, nominal, unit) {
  const rules = prepackRules(pack);
  if (!UNITS.includes(unit)) throw fail('UNIT_UNKNOWN', { value: repr(unit), known: UNITS.join(', ') });
  const family = Object.values(rules.deficiency).find((f) => f.units.includes(unit));
  if (!family) {
    throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: `deficiency table for ${unit}`,
      rule_zh: `以 ${unit} 计的允许短缺量表` });
  }
  if (nominal.sign() <= 0 || (unit === 'count' && !nominal.eq(nominal.toIntegral('half_even')))) {
    throw fail('NOMINAL_INVALID', { value: nominal });
  }
  const band = findBand(family.table, nominal, null, family.units.join('/'));
  if (!band) throw fail('NOMINAL_OUTSIDE_TABLE', { value: nominal, unit });
  const raw = band.raw.kind === 'percent' ? nominal.mul(band.value).div(100) : band.value;
  const citations = [band.citation];
  let t = raw;
  let rounding = 'none';
  const step = family.rounding.steps.find((s) => s.upto === null || nominal.le(Dec.parse(s.upto)));
  if (step) {
    // Division by the quantum, as the server does, so a quantum of 0.5 rounds correctly too.
    const quantum = Dec.parse(step.quantum);
    t = raw.div(quantum).toIntegral(step.mode).mul(quantum);
    rounding = `${step.mode} to ${quantum.toString()}`;
    const src = family.rounding.source;
    if (src) citations.push({ table: `${family.table.key}.rounding`, row: rounding, verified: src.verified, source: src });
  }
  return { nominal, unit, t, t_raw: raw, band: band.label, rounding, citations };
}

function deficiencyDict(d) {
  return { nominal: d.nominal.toString(), unit: d.unit, t: d.t.toString(), t_raw: d.t_raw.toString(),
    band: d.band, rounding: d.rounding };
}

/** T with its band, unrounded value and rounding (prepackages.deficiency). */
export function deficiency(pack, nominal, unit) {
  return deficiencyDict(deficiencyOf(pack, num(nominal, 'nominal'), unit));
}

/** The tolerable deficiency T, rounded by the pack's rule. */
export function tolerableDeficiency(pack, nominal, unit) {
  return deficiencyOf(pack, num(nominal, 'nominal'), unit).t;
}

function describeLot(row) {
  const f = (n) => fmt(Dec.of(n));
  return row.lot_max === null ? `≥ ${f(row.lot_min)}` : `${f(row.lot_min)}–${f(row.lot_max)}`;
}

function planOf(pack, lotSize) {
  const rules = prepackRules(pack);
  if (typeof lotSize !== 'number' || !Number.isInteger(lotSize) || lotSize < 1) {
    throw fail('LOT_SIZE_INVALID', { value: repr(lotSize) });
  }
  for (const row of rules.sampling_plan.rows) {
    if (row.lot_min <= lotSize && (row.lot_max === null || lotSize <= row.lot_max)) {
      const text = describeLot(row);
      return {
        lot_size: lotSize, sample_size: row.sample_size || lotSize,
        correction_factor: row.correction_factor, allowed_t1: row.allowed_t1, allowed_t2: row.allowed_t2,
        row: text,
        citations: [{ table: 'prepackages.sampling_plan', row: `row ${row.row}: lot ${text}`,
          verified: row.verified, source: rules.sampling_plan.source }],
      };
    }
  }
  throw fail('LOT_SIZE_NOT_IN_PLAN', { pack: pack.id, value: lotSize, first: rules.sampling_plan.rows[0].lot_min });
}

function planDict(p) {
  const { citations, ...rest } = p;
  return rest;
}

/** The sampling plan row for a lot: sample size, λ (null: no average test), T1/T2 allowed. */
export function samplingPlan(pack, lotSize) {
  return planDict(planOf(pack, lotSize));
}

/**
 * Judge a lot from the sample's actual quantities. The average requirement q̄ ≥ Qn − λ·s is
 * decided in integers exactly as the server does: D²·(n − 1)·b² ≤ a²·n·(n·Σq² − (Σq)²) with
 * D = n·Qn − Σq > 0 and λ = a/b, so no rounded square root can flip the verdict.
 */
export function evaluateLot(pack, nominal, unit, lotSize, quantities) {
  const qn = num(nominal, 'nominal');
  const d = deficiencyOf(pack, qn, unit);
  const plan = planOf(pack, lotSize);
  if (quantities.length !== plan.sample_size) {
    throw fail('SAMPLE_SIZE_MISMATCH', { lot: lotSize, required: plan.sample_size, given: quantities.length });
  }
  const values = quantities.map((q, i) => num(q, `package ${i + 1}`));
  values.forEach((v, i) => { if (v.sign() < 0) throw fail('QUANTITY_NEGATIVE', { index: i + 1, value: v }); });
  // A common power of ten turns every value into an exact integer.
  const places = Math.max(0, ...[qn, d.t, ...values].map((v) => -v.e));
  const scale = 10n ** BigInt(places);
  const qnS = qn.scaledTo(places);
  const tS = d.t.scaledTo(places);
  const qs = values.map((v) => v.scaledTo(places));
  const t1 = [];
  const t2 = [];
  qs.forEach((q, i) => {
    const short = qnS - q;
    if (short > 2n * tS) t2.push(i + 1);
    else if (short > tS) t1.push(i + 1);
  });
  const n = BigInt(qs.length);
  let total = 0n;
  let squares = 0n;
  for (const q of qs) { total += q; squares += q * q; }
  const varNum = n * squares - total * total; // n(n−1)·s², scaled by scale²
  const mean = new Dec(total, 0).div(new Dec(n, 0)).div(new Dec(scale, 0));
  const stdev = n < 2n ? null
    : new Dec(varNum, 0).div(new Dec(n * (n - 1n), 0)).sqrt().div(new Dec(scale, 0));
  const lam = plan.correction_factor === null ? null : Dec.parse(plan.correction_factor);
  let averageOk = null;
  let lambdaS = null;
  let limitValue = null;
  if (lam !== null) {
    const lamNum = lam.e >= 0 ? lam.c * 10n ** BigInt(lam.e) : lam.c;
    const lamDen = lam.e >= 0 ? 1n : 10n ** BigInt(-lam.e);
    const deficit = n * qnS - total;
    averageOk = deficit <= 0n
      || deficit * deficit * (n - 1n) * lamDen * lamDen <= lamNum * lamNum * n * varNum;
    const s = stdev || new Dec(0n, 0);
    lambdaS = lam.mul(s).quantize(4);
    limitValue = qn.sub(lam.mul(s)).quantize(4);
  }
  const individualOk = t1.length <= plan.allowed_t1 && t2.length <= plan.allowed_t2;
  const shownMean = mean.quantize(4);
  const shownS = stdev === null ? null : stdev.quantize(4);
  const reasons = lotReasons(d, plan, shownMean, shownS, limitValue, averageOk, t1, t2);
  const citations = [...d.citations, ...plan.citations];
  const opt = (v) => (v === null ? null : v.toString());
  return {
    kind: 'lot', ...common(pack, individualOk && averageOk !== false, reasons, citations),
    deficiency: deficiencyDict(d), plan: planDict(plan), t: d.t.toString(),
    quantities: values.map((v) => v.toString()), mean: shownMean.toString(), stdev: opt(shownS),
    lambda_s: opt(lambdaS), average_limit: opt(limitValue), average_ok: averageOk,
    t1_count: t1.length, t2_count: t2.length, t1_packages: t1, t2_packages: t2,
    individual_ok: individualOk,
  };
}

function lotReasons(d, plan, mean, stdev, limitValue, averageOk, t1, t2) {
  const u = d.unit;
  const qn = fmt(d.nominal);
  let avg;
  if (averageOk === null) {
    avg = reason('AVERAGE_NOT_REQUIRED',
      `no average requirement for a lot of ${plan.lot_size} (plan row ${plan.row}); mean ${fmt(mean)} ${u}`,
      `批量 ${plan.lot_size}（方案 ${plan.row}）不检验平均实际含量；平均值 ${fmt(mean)} ${u}`, null);
  } else {
    const op = averageOk ? '≥' : '<';
    const s = fmt(stdev || new Dec(0n, 0));
    const lam = fmt(Dec.parse(plan.correction_factor));
    avg = reason(averageOk ? 'AVERAGE_OK' : 'AVERAGE_TOO_LOW',
      `mean ${fmt(mean)} ${u} ${op} Qn − λ·s = ${qn} − ${lam} × ${s} = ${fmt(limitValue)} ${u}`,
      `平均实际含量 ${fmt(mean)} ${u} ${op} Qn − λ·s = ${qn} − ${lam} × ${s} = ${fmt(limitValue)} ${u}`, averageOk);
  }
  const out = [avg];
  for (const [label, found, allowed, bound] of [['T1', t1, plan.allowed_t1, d.t], ['T2', t2, plan.allowed_t2, d.t.mul(2)]]) {
    const ok = found.length <= allowed;
    const at = found.length ? ` (#${found.join(', #')})` : '';
    const sym = label === 'T1' ? 'T' : '2T';
    out.push(reason(ok ? `${label}_OK` : `${label}_EXCEEDED`,
      `${found.length} package${found.length === 1 ? '' : 's'} short by more than ${sym} = ${fmt(bound)} ${u}${at}; the plan allows ${allowed}`,
      `短缺量大于 ${sym} = ${fmt(bound)} ${u} 的有 ${found.length} 件${at}；方案允许 ${allowed} 件`, ok));
  }
  return out;
}
