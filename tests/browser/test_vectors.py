"""The shared metrology vectors (tests/vectors/*.json) against the tablet's JavaScript.

The page imports static/field/metrology.js and reads the rule packs from the API, exactly as
the app does; each case is compared with the same rules as tests/domain/test_vectors.py
(subset match, decimals compared as numbers, lists of exact length).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, Stall
from tests.browser.helpers import token

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
PORTED = {
    "mpe", "evaluate_test", "evaluate_eccentricity", "evaluate_repeatability", "check_spec",
    "tolerable_deficiency", "sampling_plan", "evaluate_lot",
}
#: Not ported to the tablet yet: optical-shop verdicts are the server's alone (docs/field-app.md).
NOT_PORTED = {"check_lens", "check_refractometer", "check_focimeter"}

RUNNER = """
async ({ cases, token }) => {
  const M = await import('/static/field/metrology.js');
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
  };
  const DEC = /^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)\\s*$/;
  const same = (a, b) => {
    // Exact decimal equality without floats: compare canonical texts.
    const canon = (s) => { let [w, f = ''] = s.trim().replace(/^\\+/, '').split('.'); const neg = w.startsWith('-');
      w = w.replace('-', '').replace(/^0+(?=\\d)/, ''); f = f.replace(/0+$/, '');
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
  return { failures, ran, exported: Object.keys(M) };
}
"""


def _cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append({**case, "file": path.stem})
    return cases


def test_every_scale_and_prepackage_vector_passes_in_the_browser(
    page: Any, live_server: LiveServer, stall: Stall
) -> None:
    cases = _cases()
    ported = [c for c in cases if c["function"] in PORTED]
    assert {c["function"] for c in cases} <= PORTED | NOT_PORTED
    page.goto("/field/")
    result = page.evaluate(RUNNER, {
        "cases": ported,
        "token": token(live_server.url, stall.inspector.username, stall.password),
    })
    assert result["failures"] == []
    assert set(result["ran"]) == PORTED
    assert sum(result["ran"].values()) == len(ported)
    files = {c["file"] for c in ported}
    assert files == {"scales", "prepackages"}
    # Optics is not ported: the module must not pretend otherwise.
    assert not {"checkLens", "checkRefractometer", "checkFocimeter"} & set(result["exported"])


def test_every_ui_string_exists_in_both_languages(page: Any, live_server: LiveServer) -> None:
    page.goto("/field/")
    problems = page.evaluate("""async () => {
      const { strings } = await import('/static/field/i18n.js');
      const out = [];
      const vars = (s) => [...s.matchAll(/\\{(\\w+)\\}/g)].map((m) => m[1]).sort().join(',');
      for (const [key, pair] of Object.entries(strings)) {
        if (!Array.isArray(pair) || pair.length !== 2 || pair.some((s) => typeof s !== 'string' || !s.trim())) out.push(`${key}: not [zh, en]`);
        else if (vars(pair[0]) !== vars(pair[1])) out.push(`${key}: placeholders differ`);
        else if (!/[\\u4e00-\\u9fff]/.test(pair[0]) && !/^[\\w {}.,:/-]+$/.test(pair[0])) out.push(`${key}: zh has no Chinese`);
      }
      return out;
    }""")
    assert problems == []
