// Runs tests/vectors cases against static/field/metrology.js and optics.js inside the page;
// the rules of comparison are those of tests/domain/test_vectors.py (tests/vectors/README.md).
(async ({ cases, token }) => {
  const M = await import('/static/field/metrology.js');
  const O = await import('/static/field/optics.js');
  const headers = { Authorization: `Bearer ${token}` };
  const packs = {};
  for (const id of ['cn', 'oiml']) packs[id] = await (await fetch(`/api/v1/rulepacks/${id}`, { headers })).json();
  const run = {
    mpe: (p, i) => ({ mpe: M.mpe(p, i.accuracy_class, i.e, i.load, i.stage).toString() }),
    evaluate_test: (p, i) => M.evaluateTest(p, i.spec, i.points, i.stage),
    evaluate_eccentricity: (p, i) => M.evaluateEccentricity(p, i.spec, i.load, i.indications, i.stage),
    evaluate_repeatability: (p, i) => M.evaluateRepeatability(p, i.spec, i.load, i.indications, i.stage),
    check_spec: (p, i) => M.checkSpec(p, i.spec),
    tolerable_deficiency: (p, i) => ({ t: M.tolerableDeficiency(p, i.nominal, i.unit).toString() }),
    sampling_plan: (p, i) => M.samplingPlan(p, i.lot_size),
    evaluate_lot: (p, i) => M.evaluateLot(p, i.nominal, i.unit, i.lot_size, i.quantities),
    check_lens: (p, i) => O.checkLens(p, i.nominal, i.measured),
    check_refractometer: (p, i) => O.checkRefractometer(p, i.nominal, i.reading, i.quantity),
    check_focimeter: (p, i) => O.checkFocimeter(p, i.nominal, i.reading, i.resolution),
  };
  const DEC = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;
  const same = (a, b) => {
    // Exact decimal equality without floats: compare canonical texts.
    const canon = (s) => { let [w, f = ''] = s.trim().replace(/^\+/, '').split('.'); const neg = w.startsWith('-');
      w = w.replace('-', '').replace(/^0+(?=\d)/, ''); f = f.replace(/0+$/, '');
      const z = /^0*$/.test(w) && f === ''; return (neg && !z ? '-' : '') + w + (f ? '.' + f : ''); };
    return canon(a) === canon(b);
  };
  const match = (exp, act, where) => {
    if (exp !== null && typeof exp === 'object' && !Array.isArray(exp)) {
      if (act === null || typeof act !== 'object') return `${where}: expected an object, got ${JSON.stringify(act)}`;
      for (const [k, v] of Object.entries(exp)) {
        if (!(k in act)) return `${where}.${k}: missing`;
        const m = match(v, act[k], `${where}.${k}`); if (m) return m;
      }
      return null;
    }
    if (Array.isArray(exp)) {
      if (!Array.isArray(act) || act.length !== exp.length) return `${where}: expected ${exp.length} items, got ${JSON.stringify(act)}`;
      for (let i = 0; i < exp.length; i++) { const m = match(exp[i], act[i], `${where}[${i}]`); if (m) return m; }
      return null;
    }
    if (typeof exp === 'string' && typeof act === 'string' && DEC.test(exp) && DEC.test(act)) {
      return same(exp, act) ? null : `${where}: ${exp} != ${act}`;
    }
    return exp === act ? null : `${where}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`;
  };
  const failures = []; const ran = {};
  for (const c of cases) {
    let problem = null;
    try {
      const out = run[c.function](packs[c.pack], c.input);
      if ('error' in c.expected) problem = `expected error ${c.expected.error}, got a result`;
      else if (out.pack && out.pack.id !== c.pack) problem = `pack ${out.pack.id}`;
      else problem = match(c.expected, out, '');
    } catch (e) {
      if (!(e instanceof M.MeasurementError)) problem = `threw ${e}`;
      else if (!('error' in c.expected)) problem = `refused: ${e.code} ${e.en}`;
      else if (e.code !== c.expected.error) problem = `error ${e.code}, expected ${c.expected.error}`;
    }
    ran[c.function] = (ran[c.function] || 0) + 1;
    if (problem) failures.push(`${c.file}: ${c.name}: ${problem}`);
  }
  return { failures, ran, exported: [...Object.keys(M), ...Object.keys(O)] };
})
