"""The shared metrology vectors (tests/vectors/*.json) against the tablet's JavaScript.

The page imports static/field/metrology.js and optics.js and reads the rule packs from the
API, exactly as the app does; each case is compared with the same rules as
tests/domain/test_vectors.py (subset match, decimals compared as numbers, lists of exact
length).
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
#: The metrology vectors the engine and the tablet share (credit.json is the credit rule's,
#: run by tests/domain/test_credit.py).
METROLOGY_FILES = [VECTORS / f"{name}.json" for name in ("optics", "prepackages", "scales")]
PORTED = {
    "mpe",
    "evaluate_test",
    "evaluate_eccentricity",
    "evaluate_repeatability",
    "check_spec",
    "tolerable_deficiency",
    "sampling_plan",
    "evaluate_lot",
    "check_lens",
    "check_refractometer",
    "check_focimeter",
}

RUNNER = (Path(__file__).parent / "vectors_runner.js").read_text(encoding="utf-8")


def _cases() -> list[dict[str, Any]]:
    cases = []
    for path in METROLOGY_FILES:
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append({**case, "file": path.stem})
    return cases


def test_every_vector_passes_in_the_browser(
    page: Any, live_server: LiveServer, stall: Stall
) -> None:
    cases = _cases()
    # Every function of every vector file has a JavaScript port: nothing is skipped.
    assert {c["function"] for c in cases} == PORTED
    page.goto("/field/")
    result = page.evaluate(
        RUNNER,
        {
            "cases": cases,
            "token": token(live_server.url, stall.inspector.username, stall.password),
        },
    )
    assert result["failures"] == []
    assert set(result["ran"]) == PORTED
    assert sum(result["ran"].values()) == len(cases)
    assert {c["file"] for c in cases} == {"scales", "prepackages", "optics"}
    assert len([c for c in cases if c["file"] == "optics"]) == 25
    assert {"checkLens", "checkRefractometer", "checkFocimeter"} <= set(result["exported"])


def test_every_ui_string_exists_in_both_languages(page: Any, live_server: LiveServer) -> None:
    page.goto("/field/")
    check = (Path(__file__).parent / "i18n_check.js").read_text(encoding="utf-8")
    problems = page.evaluate(check)
    assert problems == []
