"""``schemas.sync.load_inspection`` / ``dump_result`` reuse one schema each: the same answers
as a schema built per item, and nothing carried from one call to the next."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from marshmallow import ValidationError

from inspect_app.schemas.sync import (
    InspectionIn,
    ItemResultOut,
    drop_none,
    dump_result,
    load_inspection,
)
from inspect_app.services.inspection_record import ItemResult
from tests.payloads import item, scale_answers

GOOD = item("bazaar_scale", scale_answers(7, "NM-B-1"), attachments=["ab" * 32])

BAD: list[dict[str, Any]] = [
    GOOD | {"form_version": "1"},
    GOOD | {"form_version": True},
    GOOD | {"uuid": "not-a-uuid"},
    GOOD | {"answers": [1, 2]},
    GOOD | {"geotag": {"lat": "north", "lon": 1, "accuracy": 1}},
    GOOD | {"geotag": {"lat": 91, "lon": 1, "accuracy": -1, "extra": 1}},
    GOOD | {"geotag": None, "started_at": "2026-01-01T08:00:00"},
    GOOD | {"captured_at": "1970-01-01T00:00:00Z"},
    GOOD | {"surprise": "field", "attachments": ["../../etc/passwd"]},
    {k: v for k, v in GOOD.items() if k not in ("uuid", "answers")},
]


def _errors(load: Any, raw: dict[str, Any]) -> Any:
    try:
        return ("ok", load(copy.deepcopy(raw)))
    except ValidationError as exc:
        return ("error", exc.messages)


@pytest.mark.parametrize("raw", [GOOD, *BAD])
def test_the_shared_schema_answers_as_a_fresh_one(raw: dict[str, Any]) -> None:
    assert _errors(load_inspection, raw) == _errors(lambda r: InspectionIn().load(r), raw)


def test_nothing_carries_over_between_calls() -> None:
    """The same items in another order, each twice: each answered as the first time."""
    items = [GOOD, *BAD]
    first = {id(raw): _errors(load_inspection, raw) for raw in items}
    for raw in [*reversed(items), *items]:
        assert _errors(load_inspection, raw) == first[id(raw)]


def test_results_dump_as_before() -> None:
    results = [
        ItemResult("u1", "created", verdict="pass", findings=[], flags={"geotag": "ok"}),
        ItemResult("u2", "rejected", code="VALIDATION_FAILED", errors={"a": ["b"]}),
        ItemResult("u3", "duplicate", verdict="fail", missing_attachments=["ab" * 32]),
    ]
    for result in results * 2:
        assert dump_result(result) == drop_none(ItemResultOut().dump(result))
    assert "code" not in dump_result(results[0])  # None is omitted, not sent as null
