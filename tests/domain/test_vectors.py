"""Shared test vectors (tests/vectors/*.json): the same cases the tablet's JavaScript must pass.

Each case names a function, a pack and its input; ``expected`` is either ``{"error": CODE}``
or a subset of the result's JSON (``to_dict()``, or ``{"mpe": …}`` / ``{"t": …}`` for the
functions that return one number). Strings that are both decimals compare as numbers
("9.0" equals "9"); lists must have the expected length. See tests/vectors/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

from inspect_app.domain import optics, prepackages, scales
from inspect_app.domain.quantities import MeasurementError, dec_str

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
#: The metrology vectors the engine and the tablet share (credit.json is the credit rule's,
#: run by tests/domain/test_credit.py).
METROLOGY_FILES = [VECTORS / f"{name}.json" for name in ("optics", "prepackages", "scales")]
Input = Mapping[str, Any]


def _spec(inp: Input) -> scales.ScaleSpec:
    return scales.ScaleSpec(**inp["spec"])


def _lens(data: Mapping[str, Any]) -> optics.LensPower:
    return optics.LensPower(data["sphere"], data["cylinder"], data["axis"])


RUNNERS: dict[str, Callable[[str, Input], Any]] = {
    "mpe": lambda pack, i: {
        "mpe": dec_str(scales.mpe(pack, i["accuracy_class"], i["e"], i["load"], i["stage"]))
    },
    "evaluate_test": lambda pack, i: scales.evaluate_test(
        pack, _spec(i), [tuple(p) for p in i["points"]], i["stage"]
    ).to_dict(),
    "evaluate_eccentricity": lambda pack, i: scales.evaluate_eccentricity(
        pack, _spec(i), i["load"], i["indications"], i["stage"]
    ).to_dict(),
    "evaluate_repeatability": lambda pack, i: scales.evaluate_repeatability(
        pack, _spec(i), i["load"], i["indications"], i["stage"]
    ).to_dict(),
    "check_spec": lambda pack, i: scales.check_spec(pack, _spec(i)).to_dict(),
    "tolerable_deficiency": lambda pack, i: {
        "t": dec_str(prepackages.tolerable_deficiency(pack, i["nominal"], i["unit"]))
    },
    "sampling_plan": lambda pack, i: prepackages.sampling_plan(pack, i["lot_size"]).to_dict(),
    "evaluate_lot": lambda pack, i: prepackages.evaluate_lot(
        pack, i["nominal"], i["unit"], i["lot_size"], i["quantities"]
    ).to_dict(),
    "check_lens": lambda pack, i: optics.check_lens(
        pack, _lens(i["nominal"]), _lens(i["measured"])
    ).to_dict(),
    "check_refractometer": lambda pack, i: optics.check_refractometer(
        pack, i["nominal"], i["reading"], i["quantity"]
    ).to_dict(),
    "check_focimeter": lambda pack, i: optics.check_focimeter(
        pack, i["nominal"], i["reading"], i["resolution"]
    ).to_dict(),
}


def _cases() -> list[Any]:
    params = []
    for path in METROLOGY_FILES:
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def assert_matches(expected: Any, actual: Any, where: str = "") -> None:
    """Assert ``actual`` holds everything in ``expected`` (dict keys are a subset)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key}: missing"
            assert_matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: expected {len(expected)} items, got {actual!r}"
        )
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_matches(want, got, f"{where}[{i}]")
    elif (
        isinstance(expected, str)
        and isinstance(actual, str)
        and _decimal(expected) is not None
        and _decimal(actual) is not None
    ):
        assert _decimal(expected) == _decimal(actual), f"{where}: {expected} != {actual}"
    else:
        assert expected == actual and type(expected) is type(actual), (
            f"{where}: expected {expected!r}, got {actual!r}"
        )


def test_vector_files_exist_and_cover_every_function() -> None:
    files = {p.stem for p in VECTORS.glob("*.json")}
    assert files == {"scales", "prepackages", "optics", "credit"}
    used = {case.values[0]["function"] for case in _cases()}
    assert used == set(RUNNERS)


@pytest.mark.parametrize("case", _cases())
def test_vector(case: Mapping[str, Any]) -> None:
    run = RUNNERS[case["function"]]
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(MeasurementError) as raised:
            run(case["pack"], case["input"])
        assert raised.value.code == expected["error"]
        return
    result = run(case["pack"], case["input"])
    if "pack" in result:  # verdicts always name the pack that produced them
        assert result["pack"]["id"] == case["pack"]
    assert_matches(expected, result, case["name"])
