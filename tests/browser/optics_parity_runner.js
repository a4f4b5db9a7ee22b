// Runs random optics cases through static/field/optics.js; returns each verdict JSON or the
// refusal (code and both messages) for tests/browser/test_optics_parity.py to compare.
(async ({ cases, token }) => {
  const O = await import('/static/field/optics.js');
  const headers = { Authorization: `Bearer ${token}` };
  const packs = {};
  for (const id of ['cn', 'oiml']) packs[id] = await (await fetch(`/api/v1/rulepacks/${id}`, { headers })).json();
  return cases.map((c) => {
    const p = packs[c.pack];
    const i = c.input;
    try {
      if (c.function === 'check_lens') return { result: O.checkLens(p, i.nominal, i.measured) };
      if (c.function === 'check_refractometer') return { result: O.checkRefractometer(p, i.nominal, i.reading, i.quantity) };
      return { result: O.checkFocimeter(p, i.nominal, i.reading, i.resolution) };
    } catch (e) {
      if (!(e instanceof O.MeasurementError)) return { crash: String(e) };
      return { error: { code: e.code, en: e.en, zh: e.zh } };
    }
  });
})
