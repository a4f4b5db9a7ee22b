// The on-device port of inspect_app/domain/optics.py: reference checks of focimeters and
// refractometers, and spectacle lenses against the prescription. Tables come from the rule
// pack JSON (the `optics` section of /api/v1/rulepacks/<id>; null in a pack without optics),
// numbers are exact decimals (decimal.js), and results have the shape of the Python
// OpticsVerdict.to_dict() so tests/vectors/optics.json can compare them key by key.

import { Dec } from './decimal.js';
import { MeasurementError, common, describe, fail, findBand, interval, contains, num, reason } from './metrology.js';

export { MeasurementError };

// Chinese names of the checked quantities, for the OUTSIDE_TOLERANCE reason (optics._NAMES).
const NAMES = {
  sphere: '球镜', pd: '瞳距', power: '顶焦度', zero: '零位', 'meridian 1': '主子午线 1',
  'meridian 2': '主子午线 2', cylinder: '柱镜', axis: '轴位',
};
const zhName = (q) => NAMES[q] || q;

function rulesOf(pack, rule, ruleZh) {
  if (!pack.optics) throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule, rule_zh: ruleZh });
  return pack.optics;
}

/** Python's repr() of the axis, so AXIS_INVALID reads as the server's message does. */
function axisRepr(axis) {
  return axis === null ? 'None' : `Decimal('${axis.toString()}')`;
}

/**
 * LensPower: sphere S, cylinder C (D) and axis (degrees, null without a cylinder). The
 * principal meridians are S and S + C. A cylinder needs an axis within 0–180 (AXIS_INVALID).
 * Accepts raw decimal strings/numbers; a value already built is returned as it is.
 */
export function lensPower({ sphere, cylinder = '0', axis = null }) {
  const lens = { sphere: num(sphere, 'sphere'), cylinder: num(cylinder, 'cylinder'),
    axis: axis === null || axis === undefined ? null : num(axis, 'axis'), lens: true };
  if (!lens.cylinder.isZero() && (lens.axis === null || lens.axis.sign() < 0 || lens.axis.gt(180))) {
    throw fail('AXIS_INVALID', { value: axisRepr(lens.axis) });
  }
  return lens;
}

const asLens = (value) => (value && value.lens === true ? value : lensPower(value));

/** The same lens written with the opposite cylinder sign: (S + C, −C, axis ± 90). */
export function transposed(lens) {
  if (lens.axis === null || lens.cylinder.isZero()) return lens;
  const axis = lens.axis.le(90) ? lens.axis.add(90) : lens.axis.sub(90);
  return lensPower({ sphere: lens.sphere.add(lens.cylinder), cylinder: lens.cylinder.neg(), axis });
}

function point(quantity, unit, nominal, measured, tolerance, band) {
  const error = measured.sub(nominal);
  return { quantity, unit, nominal, measured, error, tolerance, band, passed: error.abs().le(tolerance) };
}

function pointDict(p) {
  return { quantity: p.quantity, unit: p.unit, nominal: p.nominal.toString(), measured: p.measured.toString(),
    error: p.error.toString(), tolerance: p.tolerance.toString(), band: p.band, passed: p.passed };
}

function verdict(kind, pack, points, citations, extra = []) {
  const failed = points.filter((p) => !p.passed).map((p) => p.quantity);
  const first = failed.length
    ? reason('OUTSIDE_TOLERANCE', `outside tolerance: ${failed.join(', ')}`,
      `超出允差：${failed.map(zhName).join('、')}`, false)
    : reason('WITHIN_TOLERANCE', 'every checked quantity within tolerance', '所检各项均在允差内', true);
  const reasons = [first, ...extra];
  // Citations are kept as given (the Python OpticsVerdict does not de-duplicate them).
  return { kind, ...common(pack, reasons.every((r) => r.ok !== false), reasons, citations),
    points: points.map(pointDict) };
}

function banded(pack, table, quantity, kind, nominal, reading) {
  const band = findBand(table, nominal.abs());
  if (!band) throw fail('NO_TOLERANCE', { table: table.key, value: `${nominal.toString()} ${table.unit}` });
  return verdict(kind, pack, [point(quantity, table.unit, nominal, reading, band.value, band.label)], [band.citation]);
}

/**
 * A refractometer's reading of a reference (model eye) against its nominal value:
 * ``quantity`` "sphere" (cn: ±0.25 D to |P| ≤ 10 D, ±0.50 D beyond) or "pd" (±1 mm).
 */
export function checkRefractometer(pack, nominal, reading, quantity = 'sphere') {
  const rules = rulesOf(pack, `refractometer ${quantity} table`, '验光仪允差表');
  const table = (rules.reference || {})[`refractometer_${quantity}`];
  if (!table) {
    throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: `refractometer ${quantity} table`,
      rule_zh: `验光仪${zhName(quantity)}允差表` });
  }
  return banded(pack, table, quantity, 'refractometer', num(nominal, 'nominal'), num(reading, 'reading'));
}

/**
 * A focimeter against a reference lens of power ``nominal`` (0: no lens, the zero check,
 * tighter for instruments reading to 0.01 D). Other powers need a ``focimeter_power`` table;
 * the cn pack has none, so they raise RULE_NOT_IN_PACK rather than guess a tolerance.
 */
export function checkFocimeter(pack, nominal, reading, resolution = null) {
  const rules = rulesOf(pack, 'focimeter rules', '焦度计规则');
  const power = num(nominal, 'nominal');
  const value = num(reading, 'reading');
  if (power.isZero()) {
    const zero = rules.focimeter_zero;
    if (!zero) {
      throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: 'focimeter zero-error limit', rule_zh: '焦度计零位误差限' });
    }
    const fineAt = Dec.parse(zero.fine_resolution);
    const fine = resolution !== null && resolution !== undefined && num(resolution, 'resolution').le(fineAt);
    const tol = Dec.parse(fine ? zero.mpe_fine : zero.mpe);
    const band = fine ? `resolution ≤ ${fineAt.toString()} D` : 'any resolution';
    const cite = { table: 'optics.focimeter_zero', row: band, verified: zero.source.verified, source: zero.source };
    return verdict('focimeter', pack, [point('zero', 'D', power, value, tol, band)], [cite]);
  }
  const table = (rules.reference || {}).focimeter_power;
  if (!table) {
    throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: 'focimeter power tolerance table',
      rule_zh: '焦度计顶焦度允差表' });
  }
  return banded(pack, table, 'power', 'focimeter', power, value);
}

/** The signed axis difference folded into (−90°, 90°]: 179° and 1° are 2° apart. */
export function axisDifference(measured, nominal) {
  const [x, y, e] = Dec.align(measured.sub(nominal), Dec.of(180));
  let delta = new Dec(x % y, e); // BigInt % keeps the dividend's sign, like Decimal's %
  if (delta.sign() < 0) delta = delta.add(180);
  if (delta.gt(90)) delta = delta.sub(180);
  return delta;
}

/**
 * A spectacle lens against its nominal or prescribed power (cn: GB 10810.1 Table 1). The
 * row is the nominal highest-power meridian max(|S|, |S + C|); each principal meridian within
 * ±A, the cylinder within ±B (column by nominal |C|); with a cylinder, the axis within the axis
 * table's tolerance for |C|. A measurement in the other cylinder sign is transposed first.
 * ``nominal`` and ``measured`` are {sphere, cylinder, axis} (strings) or lensPower() values.
 */
export function checkLens(pack, rawNominal, rawMeasured) {
  // Built before the rules are looked up, as the Python LensPower arguments are.
  const nominal = asLens(rawNominal);
  let measured = asLens(rawMeasured);
  const rules = rulesOf(pack, 'spectacle-lens tables', '眼镜镜片允差表');
  const table = rules.lens_power;
  if (!table) throw fail('RULE_NOT_IN_PACK', { pack: pack.id, rule: 'lens power table', rule_zh: '镜片顶焦度允差表' });
  if (nominal.cylinder.sign() * measured.cylinder.sign() < 0) measured = transposed(measured);
  const n1 = nominal.sphere;
  const n2 = nominal.sphere.add(nominal.cylinder);
  const highest = n1.abs().gt(n2.abs()) ? n1.abs() : n2.abs();
  const cyl = nominal.cylinder.abs();
  const row = table.rows.find((r) => contains(interval(r), highest));
  const columns = table.cylinder_columns.map(interval);
  const col = columns.findIndex((c) => contains(c, cyl));
  const b = row && col >= 0 ? row.b[col] : null;
  if (b === null || b === undefined) {
    throw fail('NO_TOLERANCE', { table: table.key,
      value: `highest meridian ${highest.toString()} D with cylinder ${cyl.toString()} D` });
  }
  const where = `${describe(interval(row), '|Dmax|', 'D')}; ${describe(columns[col], '|C|', 'D')}`;
  const a = Dec.parse(row.a);
  const points = [
    point('meridian 1', 'D', n1, measured.sphere, a, where),
    point('meridian 2', 'D', n2, measured.sphere.add(measured.cylinder), a, where),
    point('cylinder', 'D', nominal.cylinder, measured.cylinder, Dec.parse(b), where),
  ];
  const citations = [{ table: table.key, row: `row ${row.row}, column ${col + 1}: ${where}`,
    verified: row.verified, source: table.source }];
  const extra = [];
  if (!cyl.isZero() && rules.lens_axis && nominal.axis !== null) {
    const band = findBand(rules.lens_axis, cyl);
    if (!band) throw fail('NO_TOLERANCE', { table: rules.lens_axis.key, value: `${cyl.toString()} D` });
    citations.push(band.citation);
    if (measured.axis === null || measured.cylinder.isZero()) {
      extra.push(reason('AXIS_NOT_MEASURED', 'no cylinder axis measured on a toric lens', '散光镜片未测得柱镜轴位', false));
    } else {
      const delta = axisDifference(measured.axis, nominal.axis);
      points.push({ quantity: 'axis', unit: '°', nominal: nominal.axis, measured: measured.axis, error: delta,
        tolerance: band.value, band: band.label, passed: delta.abs().le(band.value) });
    }
  }
  return verdict('lens', pack, points, citations, extra);
}
