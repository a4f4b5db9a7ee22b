"""static/field/answers.js against inspect_app/domain/forms/answers.py, on every published form.

The tablet reads photos, instruments and flagged violations out of answers with one walker,
the port of the server's. This feeds both the same answers (valid ones from tests/payloads.py
and a few hundred seeded random ones, malformed values included: wrong types, nulls, empty
strings, rows that are not objects, a repeat of 501 rows) and compares the whole output.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from flask import Flask

from inspect_app import registry
from inspect_app.domain.forms import answers as A
from inspect_app.domain.forms.model import FieldSpec, FormDefinition
from tests.browser.conftest import LiveServer
from tests.payloads import prepack_answers, scale_answers

pytestmark = pytest.mark.browser

SHA = "ab" * 32
RUNNER = """async ({ cases }) => {
  const A = await import('/static/field/answers.js');
  return cases.map(({ definition, answers }) => ({
    walk: A.walk(definition.fields, answers).map(([path, spec, value]) => [path, spec.key, value]),
    photos: A.photoRefs(definition, answers),
    instruments: A.instrumentRefs(definition, answers),
    flagged: A.flaggedViolations(definition, answers).map((f) => [f.path, f.code]),
  }));
}"""


def _value(rng: random.Random, spec: FieldSpec, depth: int) -> Any:
    """A value for ``spec``: mostly well-formed, sometimes of the wrong shape."""
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.16:
        return rng.choice(["", [], {}, 0, False, "x", ["x"], 1.5])
    if spec.type == "boolean":
        return rng.choice([True, False, True, False, "true", 1])
    if spec.type == "select":
        values = [c.value for c in spec.choices]
        return rng.choice([*values, *values, "no-such-choice", values[:2]])
    if spec.type == "multi_select":
        values = [c.value for c in spec.choices]
        return rng.sample(values, rng.randint(0, len(values))) if rng.random() < 0.8 else values[0]
    if spec.type == "photo":
        return rng.choice([SHA, "cd" * 32, SHA.upper(), SHA[:10], 42])
    if spec.type == "instrument":
        return rng.choice(["NM-0150-000123", "qr_TOKEN-9", "ab", "NM 0150", "https://x/q/abc", 7])
    if spec.type == "repeat":
        if depth > 2:
            return []
        n = rng.choice([0, 1, 2, 3, 501]) if rng.random() < 0.05 else rng.randint(0, 3)
        return [
            _answers(rng, spec.fields, depth + 1) if rng.random() < 0.9 else rng.choice(["row", 3])
            for _ in range(n)
        ]
    if spec.type == "number":
        return rng.choice([5, "5.0", "-0.25", "abc"])
    if spec.type == "geotag":
        return {"lat": 40.8, "lon": 111.6, "accuracy": 8}
    return rng.choice(["text", "2026-05-01", "东北大米"])


def _answers(rng: random.Random, fields: tuple[FieldSpec, ...], depth: int = 0) -> dict[str, Any]:
    return {spec.key: _value(rng, spec, depth) for spec in fields if rng.random() < 0.85}


def _python(definition: FormDefinition, answers: Any) -> dict[str, Any]:
    return {
        "walk": [[p, spec.key, v] for p, spec, v in A._walk(definition.fields, answers, "")],
        "photos": A.photo_refs(definition, answers),
        "instruments": [list(pair) for pair in A.instrument_refs(definition, answers)],
        "flagged": [[f.path, f.code] for f in A.flagged_violations(definition, answers)],
    }


def test_answers_js_reads_answers_exactly_as_the_server(
    page: Any, app: Flask, live_server: LiveServer
) -> None:
    forms = registry.forms()
    definitions = [
        d for key in forms.form_keys() for v in forms.versions(key) if (d := forms.get(key, v))
    ]
    assert {d.key for d in definitions} >= {"bazaar_scale", "prepackaged_goods", "optical_shop"}
    rng = random.Random(20260501)
    cases: list[tuple[FormDefinition, Any]] = []
    for definition in definitions:
        if definition.key == "bazaar_scale":
            cases.append((definition, scale_answers(1, "NM-0150-000123", seal="broken")))
        if definition.key == "prepackaged_goods":
            cases.append((definition, prepack_answers(1)))
        cases.append((definition, "not an object"))
        cases.extend((definition, _answers(rng, definition.fields)) for _ in range(80))

    page.goto(live_server.url + "/field/")
    got = page.evaluate(
        RUNNER, {"cases": [{"definition": d.to_json(), "answers": a} for d, a in cases]}
    )
    expected = [_python(d, a) for d, a in cases]
    mismatches = [
        (d.key, a, g, e) for (d, a), g, e in zip(cases, got, expected, strict=True) if g != e
    ]
    assert mismatches[:3] == []
    # The random answers did reach every branch.
    assert any(e["photos"] for e in expected)
    assert any(e["instruments"] for e in expected)
    assert any(e["flagged"] for e in expected)
    assert any(len(e["walk"]) > 500 for e in expected)
