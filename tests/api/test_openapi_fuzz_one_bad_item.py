"""Fuzzing ``POST /api/v1/sync/push`` one item at a time: a generated item among valid ones.

Schemathesis draws push bodies from /api/v1/openapi.json (items are ``InspectionIn``), both
ones that follow the document and (negative mode) ones that break it. One drawn item is put
among 2 to 8 valid items at a random place and the batch is pushed: never a 5xx, always
HTTP 200 with one result per item, the drawn item answered with a known status (and a
catalogue code when refused), every valid item ``created``. Derandomised, so a run is
repeatable. Runs on SQLite and on PostgreSQL (``INSPECT_TEST_DATABASE=postgresql``).

The whole-request fuzzing of every operation is in ``test_openapi_fuzz.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from inspect_app.errors import CATALOGUE
from tests.api.conftest import Field
from tests.payloads import item, prepack_answers, scale_answers

EXAMPLES = {GenerationMode.POSITIVE: 75, GenerationMode.NEGATIVE: 75}
STATUSES = {"created", "duplicate", "conflict", "stale", "rejected"}


def _drawn_item(body: Any) -> Any:
    """The first item of a generated batch, or the whole body when it holds none (negative
    mode also breaks the batch's own shape): any JSON value can stand for an item."""
    inspections = body.get("inspections") if isinstance(body, dict) else None
    if isinstance(inspections, list) and inspections:
        return inspections[0]
    return body if isinstance(body, dict | list | str | int | float | bool) else None


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=str)
def test_a_generated_item_among_valid_ones_never_sinks_the_batch(
    app: Flask, field: Field, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    [push] = [
        operation
        for result in schema.get_all_operations()
        if (operation := result.ok()).method.upper() == "POST"
        and operation.path.endswith("/sync/push")
    ]

    def valid(kind: str) -> dict[str, Any]:
        if kind == "scale":
            return item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
        return item("prepackaged_goods", prepack_answers(field.merchant.id))

    @given(
        case=push.as_strategy(generation_mode=mode),
        kinds=st.lists(st.sampled_from(["scale", "prepack"]), min_size=2, max_size=8),
        data=st.data(),
    )
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any, kinds: list[str], data: st.DataObject) -> None:
        drawn = _drawn_item(case.body)
        batch: list[Any] = [valid(kind) for kind in kinds]
        at = data.draw(st.integers(0, len(batch)), label="position of the drawn item")
        batch.insert(at, drawn)
        note(f"drawn item: {drawn!r}")
        response = field.client.post(
            "/api/v1/sync/push", json={"inspections": batch}, headers=field.headers
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        results = response.get_json()["results"]
        assert len(results) == len(batch)
        for index, (sent, result) in enumerate(zip(batch, results, strict=True)):
            if index == at:
                assert result["status"] in STATUSES, result
                assert result["status"] != "rejected" or result["code"] in CATALOGUE, result
            else:
                assert (result["uuid"], result["status"]) == (sent["uuid"], "created"), result

    exercise()
