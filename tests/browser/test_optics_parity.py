"""static/field/optics.js against inspect_app/domain/optics.py on random readings, whole verdicts.

The shared vectors check chosen keys at the table edges; this checks that the tablet's port
returns the *entire* verdict JSON (reasons in both languages, citations, bands) or the same
error (code and both messages) as the server for a few hundred seeded random inputs, including
plus-cylinder measurements, axes across 0°/180°, focimeter resolutions and the oiml pack.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inspect_app.domain import optics
from inspect_app.domain.quantities import MeasurementError
from tests.browser.conftest import LiveServer, Stall
from tests.browser.helpers import token

pytestmark = pytest.mark.browser

RUNNER = (Path(__file__).parent / "optics_parity_runner.js").read_text(encoding="utf-8")


def _d(rng: random.Random, low: int, high: int, step: str) -> str:
    """A decimal string on a grid: ``step`` × an integer in [low, high]."""
    return str(Decimal(rng.randint(low, high)) * Decimal(step))


def _lens_case(rng: random.Random) -> dict[str, Any]:
    sphere = _d(rng, -100, 100, "0.25")
    cylinder = rng.choice(["0", _d(rng, -32, 0, "0.25"), _d(rng, 0, 32, "0.25")])
    axis = None if cylinder == "0" and rng.random() < 0.7 else str(rng.randint(0, 180))
    m_sphere = str(Decimal(sphere) + Decimal(rng.randint(-40, 40)) / 100)
    m_cyl = str(Decimal(cylinder) + Decimal(rng.randint(-30, 30)) / 100)
    m_axis = None if axis is None else str((int(axis) + rng.randint(-20, 20)) % 181)
    if m_axis is None and m_cyl != "0":
        m_axis = str(rng.randint(0, 180))
    measured = {"sphere": m_sphere, "cylinder": m_cyl, "axis": m_axis}
    if rng.random() < 0.3 and m_axis is not None and Decimal(m_cyl) != 0:
        # The same lens written in the other cylinder sign (the server transposes it back).
        ax = int(m_axis)
        measured = {
            "sphere": str(Decimal(m_sphere) + Decimal(m_cyl)),
            "cylinder": str(-Decimal(m_cyl)),
            "axis": str(ax + 90 if ax <= 90 else ax - 90),
        }
    roll = rng.random()
    if roll < 0.03:
        measured["axis"] = None  # a cylinder without an axis: AXIS_INVALID
    elif roll < 0.08:
        measured = {"sphere": m_sphere, "cylinder": "0", "axis": None}  # toric read as sphere
    return {
        "function": "check_lens",
        "pack": "oiml" if rng.random() < 0.03 else "cn",
        "input": {
            "nominal": {"sphere": sphere, "cylinder": cylinder, "axis": axis},
            "measured": measured,
        },
    }


def _instrument_case(rng: random.Random) -> dict[str, Any]:
    pack = "oiml" if rng.random() < 0.05 else "cn"
    if rng.random() < 0.5:
        quantity = rng.choice(["sphere", "pd"])
        nominal = _d(rng, -60, 60, "0.25") if quantity == "sphere" else str(rng.randint(50, 75))
        reading = str(Decimal(nominal) + Decimal(rng.randint(-60, 60)) / 100)
        return {
            "function": "check_refractometer",
            "pack": pack,
            "input": {"nominal": nominal, "reading": reading, "quantity": quantity},
        }
    nominal = "0" if rng.random() < 0.7 else _d(rng, -40, 40, "0.25")
    return {
        "function": "check_focimeter",
        "pack": pack,
        "input": {
            "nominal": nominal,
            "reading": str(Decimal(nominal) + Decimal(rng.randint(-6, 6)) / 100),
            "resolution": rng.choice([None, "0.01", "0.005", "0.02", "0.125"]),
        },
    }


def _lens(data: dict[str, Any]) -> optics.LensPower:
    return optics.LensPower(data["sphere"], data["cylinder"], data["axis"])


def _python(case: dict[str, Any]) -> dict[str, Any]:
    i = case["input"]
    try:
        if case["function"] == "check_lens":
            verdict = optics.check_lens(case["pack"], _lens(i["nominal"]), _lens(i["measured"]))
        elif case["function"] == "check_refractometer":
            verdict = optics.check_refractometer(
                case["pack"], i["nominal"], i["reading"], i["quantity"]
            )
        else:
            verdict = optics.check_focimeter(
                case["pack"], i["nominal"], i["reading"], i["resolution"]
            )
    except MeasurementError as exc:
        return {"error": {"code": exc.code, "en": exc.en, "zh": exc.zh}}
    return {"result": json.loads(json.dumps(verdict.to_dict()))}


def test_optics_port_returns_the_servers_whole_verdict(
    page: Any, live_server: LiveServer, stall: Stall
) -> None:
    rng = random.Random(20260501)
    cases = [_lens_case(rng) for _ in range(300)] + [_instrument_case(rng) for _ in range(200)]
    page.goto("/field/")
    got = page.evaluate(
        RUNNER,
        {"cases": cases, "token": token(live_server.url, stall.inspector.username, stall.password)},
    )
    expected = [_python(c) for c in cases]
    differ = [
        (case, want, have)
        for case, want, have in zip(cases, expected, got, strict=True)
        if want != have
    ]
    assert differ == []
    # The sample must reach every outcome, or it proves little.
    outcomes = {
        "pass"
        if "result" in e and e["result"]["passed"]
        else "fail"
        if "result" in e
        else e["error"]["code"]
        for e in expected
    }
    assert {"pass", "fail", "RULE_NOT_IN_PACK", "AXIS_INVALID"} <= outcomes
    axis_notes = [
        e
        for e in expected
        if "result" in e and any(r["code"] == "AXIS_NOT_MEASURED" for r in e["result"]["reasons"])
    ]
    assert axis_notes
