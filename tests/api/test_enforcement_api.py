"""``GET /api/v1/alerts``, ``GET /api/v1/orders`` and acknowledging an alert once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Alert, User
from inspect_app.models.user import Role
from inspect_app.services import alerts
from tests.api.conftest import Field
from tests.payloads import item, scale_answers

CHEATING = {"cheating_device_found": True, "cheating_methods": ["hidden_switch"]}


def _cheat(field: Field) -> dict[str, Any]:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code, **CHEATING))
    field.push(sent)
    return sent


def test_alerts_list_the_districts_alerts_newest_first(
    field: Field,
    make_user: Callable[..., User],
    make_region: Callable[..., Any],
    token_for: Callable[[User], dict[str, str]],
    make_instrument: Callable[..., Any],
) -> None:
    first = _cheat(field)
    other_scale = make_instrument(field.merchant)
    second = item("bazaar_scale", scale_answers(field.merchant.id, other_scale.code, **CHEATING))
    field.push(second)
    supervisor = token_for(make_user(Role.SUPERVISOR))
    body = field.client.get("/api/v1/alerts", headers=supervisor).get_json()
    assert "alerts" in body, body
    assert [a["inspection_uuid"] for a in body["alerts"]] == [second["uuid"], first["uuid"]]
    newest = body["alerts"][0]
    assert set(newest) == {
        "id",
        "kind",
        "severity",
        "merchant_id",
        "instrument_id",
        "inspection_uuid",
        "created_at",
        "acknowledged_at",
    }
    assert (newest["kind"], newest["severity"], newest["instrument_id"]) == (
        "severe_finding",
        4,
        other_scale.id,
    )
    elsewhere = token_for(make_user(Role.SUPERVISOR, region=make_region()))
    assert field.client.get("/api/v1/alerts", headers=elsewhere).get_json() == {"alerts": []}
    assert field.client.get("/api/v1/alerts", headers=field.headers).status_code == 403
    bad = field.client.get("/api/v1/alerts?limit=0", headers=supervisor)
    assert bad.status_code == 422


def test_orders_for_staff_of_the_district_and_the_merchant_itself(
    field: Field,
    make_user: Callable[..., User],
    make_merchant: Callable[..., Any],
    make_region: Callable[..., Any],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    _cheat(field)
    url = f"/api/v1/orders?merchant={field.merchant.id}"
    [order] = field.client.get(url, headers=field.headers).get_json()["orders"]
    assert (order["kind"], order["status"], order["instrument_id"], order["finding_code"]) == (
        "condemn",
        "open",
        field.scale.id,
        "SCALE_CHEATING_DEVICE",
    )
    own = token_for(make_user(Role.MERCHANT, merchant=field.merchant))
    assert field.client.get(url, headers=own).get_json()["orders"] == [order]
    stranger = token_for(make_user(Role.MERCHANT, merchant=make_merchant()))
    assert field.client.get(url, headers=stranger).status_code == 404
    elsewhere = token_for(make_user(Role.SUPERVISOR, region=make_region()))
    assert field.client.get(url, headers=elsewhere).status_code == 404
    missing = field.client.get("/api/v1/orders", headers=field.headers)
    assert missing.status_code == 422 and "merchant" in missing.get_json()["errors"]


def test_the_second_supervisor_to_acknowledge_learns_who_was_first(
    field: Field, make_user: Callable[..., User], app: Any
) -> None:
    _cheat(field)
    first = make_user(Role.SUPERVISOR, display_name="Wang Fang")
    second = make_user(Role.SUPERVISOR, display_name="Li Lei")
    now = datetime.now(UTC)
    with app.app_context():
        alert = db.session.scalars(select(Alert)).one()
        alerts.acknowledge(db.session.merge(first), alert, now)
        db.session.commit()
    with app.app_context():
        alert = db.session.scalars(select(Alert)).one()
        with pytest.raises(AppError) as caught:
            alerts.acknowledge(db.session.merge(second), alert, now)
        assert caught.value.problem.code == "ALERT_ALREADY_ACKNOWLEDGED"
        assert caught.value.errors is not None
        assert caught.value.errors["acknowledged_by"] == ["Wang Fang"]
        assert alert.acknowledged_by_id == first.id
        assert [e.action for e in alert.events] == ["created", "acknowledged"]
