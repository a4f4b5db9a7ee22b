"""Garbage never gets a 500: a 4xx with a catalogue code, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.models import Inspection
from tests.api.conftest import Field
from tests.payloads import item, scale_answers


def _deep(n: int) -> Any:
    value: Any = 1
    for _ in range(n):
        value = {"x": value}
    return value


@pytest.mark.parametrize(
    "body",
    [
        {"inspections": "lots"},
        {"inspections": []},
        {"inspections": [1] * 501},
        {"batch": []},
        {"inspections": [{}], "extra": True},
        [],
        "a string",
        None,
        _deep(200),
    ],
    ids=[
        "not-a-list",
        "empty",
        "too-many",
        "wrong-key",
        "unknown-top-field",
        "array",
        "string",
        "null",
        "deep-nesting",
    ],
)
def test_a_malformed_batch_is_a_4xx_with_a_code(field: Field, body: Any) -> None:
    response = field.client.post("/api/v1/sync/push", json=body, headers=field.headers)
    assert 400 <= response.status_code < 500
    assert response.get_json()["code"] in CATALOGUE


def test_non_json_is_refused(field: Field) -> None:
    response = field.client.post(
        "/api/v1/sync/push",
        data=b"\x00\xff<xml/>",
        headers=field.headers,
        content_type="application/json",
    )
    assert (response.status_code, response.get_json()["code"]) == (400, "INVALID_JSON")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda i: i.update(form_version="1"),
        lambda i: i.update(form_version=True),
        lambda i: i.update(uuid="not-a-uuid"),
        lambda i: i.update(answers=[1, 2]),
        lambda i: i.update(answers={"merchant": "x" * 100_000}),
        lambda i: i.update(answers={"test_points": _deep(20)}),
        lambda i: i.update(geotag={"lat": "north", "lon": 1, "accuracy": 1}),
        lambda i: i.update(geotag={"lat": 91, "lon": 1, "accuracy": 1}),
        lambda i: i.update(geotag={"lat": 40, "lon": 111, "accuracy": -1}),
        lambda i: i.update(surprise="field"),
        lambda i: i.update(attachments=["../../etc/passwd"]),
        lambda i: i["answers"].update(unknown_question=True),
        lambda i: i["answers"].update(test_points=[{"load": float("nan"), "indication": 1}]),
    ],
    ids=[
        "version-string",
        "version-bool",
        "uuid",
        "answers-list",
        "huge-string",
        "deep-answers",
        "lat-type",
        "lat-range",
        "negative-accuracy",
        "unknown-field",
        "path-attachment",
        "unknown-answer",
        "nan",
    ],
)
def test_a_malformed_item_is_rejected_and_the_rest_stored(field: Field, mutate: Any) -> None:
    good = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    bad = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    mutate(bad)
    response = field.client.post(
        "/api/v1/sync/push", json={"inspections": [bad, good]}, headers=field.headers
    )
    assert response.status_code == 200
    rejected, created = response.get_json()["results"]
    assert rejected["status"] == "rejected" and rejected["code"] in CATALOGUE
    assert rejected["errors"]
    assert created["status"] == "created"
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 1


@pytest.mark.parametrize("value", [None, 1, "item", [], [{}], True], ids=repr)
def test_an_item_that_is_not_an_object_is_rejected_alone(field: Field, value: Any) -> None:
    """Even null: the batch's list takes any JSON value, each item is judged on its own."""
    good = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    response = field.client.post(
        "/api/v1/sync/push", json={"inspections": [good, value]}, headers=field.headers
    )
    assert response.status_code == 200
    created, rejected = response.get_json()["results"]
    assert created["status"] == "created"
    assert (rejected["uuid"], rejected["status"], rejected["code"]) == (
        "#1",
        "rejected",
        "VALIDATION_FAILED",
    )


def test_push_needs_a_token(field: Field) -> None:
    response = field.client.post("/api/v1/sync/push", json={"inspections": []})
    assert (response.status_code, response.get_json()["code"]) == (401, "AUTH_REQUIRED")
