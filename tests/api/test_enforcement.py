"""What a stored finding sets in motion: orders, alerts, instrument status, closing, withdrawal.

Driven through ``sync/push`` and the review API, as a tablet and a supervisor would; deadlines
pass with a controllable clock (``orders.mark_overdue(today, now)``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Alert, ChangeLogEntry, Inspection, Instrument, Order, User
from inspect_app.models.alert import AlertKind
from inspect_app.models.enforcement import (
    EvidenceKind,
    OrderEvidence,
    OrderKind,
    OrderStatus,
)
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.user import Role
from inspect_app.services import orders
from tests.api.conftest import Field
from tests.payloads import item, scale_answers

CHEATING = {"cheating_device_found": True, "cheating_methods": ["remote_control"]}
OUT_OF_TOLERANCE = {
    "test_points": [
        {"load": 500, "indication": 500},
        {"load": 5000, "indication": 5050},
        {"load": 10000, "indication": 10010},
    ]
}


def _orders(instrument: Instrument) -> list[Order]:
    db.session.rollback()  # a fresh snapshot: the requests committed in their own sessions
    return list(db.session.scalars(select(Order).where(Order.instrument_id == instrument.id)))


def _alerts() -> list[Alert]:
    db.session.rollback()  # a fresh snapshot: the requests committed in their own sessions
    return list(db.session.scalars(select(Alert).order_by(Alert.id)))


def _status(instrument: Instrument) -> InstrumentStatus:
    db.session.rollback()  # a fresh snapshot: the requests committed in their own sessions
    refreshed = db.session.get(Instrument, instrument.id)
    assert refreshed is not None
    return refreshed.status


def _scale_item(field: Field, captured: datetime | None = None, **answers: Any) -> dict[str, Any]:
    changes = {} if captured is None else {"captured_at": captured.isoformat()}
    return item(
        "bazaar_scale", scale_answers(field.merchant.id, field.scale.code, **answers), **changes
    )


@pytest.fixture
def supervisor_headers(
    make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> dict[str, str]:
    return token_for(make_user(Role.SUPERVISOR))


def test_a_cheating_scale_is_condemned_at_once_and_raises_an_alert(field: Field) -> None:
    sent = _scale_item(field, **CHEATING)
    [result] = field.push(sent)
    assert result["status"] == "created", result
    [order] = _orders(field.scale)
    assert order.kind == OrderKind.CONDEMN and order.status == OrderStatus.OPEN
    assert order.finding_code == "SCALE_CHEATING_DEVICE"
    assert order.due_date == local_today(datetime.now(UTC)) + timedelta(days=30)
    [alert] = _alerts()
    assert alert.kind == AlertKind.SEVERE_FINDING and alert.severity == 4
    assert alert.instrument_id == field.scale.id and alert.acknowledged_at is None
    assert _status(field.scale) == InstrumentStatus.CONDEMNED
    # The tablet learns both on its next pull.
    logged = {(c.entity, c.entity_id) for c in db.session.scalars(select(ChangeLogEntry))}
    assert ("order", order.id) in logged and ("instrument", field.scale.id) in logged


def test_an_out_of_tolerance_scale_gets_a_seven_day_repair_order(field: Field) -> None:
    field.push(_scale_item(field, **OUT_OF_TOLERANCE))
    [order] = _orders(field.scale)
    assert (order.kind, order.finding_code) == (OrderKind.REPAIR, "SCALE_OUT_OF_TOLERANCE")
    assert order.due_date == local_today(datetime.now(UTC)) + timedelta(days=7)
    assert _status(field.scale) == InstrumentStatus.REPAIR_ORDER
    assert _alerts() == []


def test_a_passing_reinspection_closes_the_order_and_a_failing_one_notes_it(field: Field) -> None:
    first = datetime.now(UTC) - timedelta(days=3)
    field.push(_scale_item(field, first, **OUT_OF_TOLERANCE))
    field.push(_scale_item(field, first + timedelta(days=1), **OUT_OF_TOLERANCE))
    [order] = _orders(field.scale)  # found again: the open order stands, no second one
    assert order.status == OrderStatus.OPEN
    assert [e.note for e in order.events if e.action == "reinspected"] == ["not fulfilled"]
    third = _scale_item(field, first + timedelta(days=2))
    field.push(third)
    [order] = _orders(field.scale)
    closer = db.session.scalar(select(Inspection.id).where(Inspection.uuid == third["uuid"]))
    assert order.status == OrderStatus.CLOSED and order.closed_by_inspection_id == closer
    assert _status(field.scale) == InstrumentStatus.IN_SERVICE


def test_a_late_synced_older_visit_does_not_close_a_newer_order(field: Field) -> None:
    now = datetime.now(UTC)
    field.push(_scale_item(field, now - timedelta(hours=1), **OUT_OF_TOLERANCE))
    field.push(_scale_item(field, now - timedelta(days=2)))  # clean, but older
    [order] = _orders(field.scale)
    assert order.status == OrderStatus.OPEN


def test_a_correction_carries_matching_orders_and_withdraws_the_rest(field: Field) -> None:
    original = _scale_item(field, **CHEATING, **OUT_OF_TOLERANCE)
    field.push(original)
    assert {o.kind for o in _orders(field.scale)} == {OrderKind.CONDEMN, OrderKind.REPAIR}
    # The inspector corrects: no cheating device after all, the tolerance finding stays.
    correction = _scale_item(field, **OUT_OF_TOLERANCE)
    correction["supersedes"] = original["uuid"]
    [result] = field.push(correction)
    assert result["status"] == "created", result
    by_kind = {o.kind: o for o in _orders(field.scale)}
    assert by_kind[OrderKind.CONDEMN].status == OrderStatus.WITHDRAWN
    assert by_kind[OrderKind.CONDEMN].withdrawn_reason == "correction removed the finding"
    repair = by_kind[OrderKind.REPAIR]
    assert repair.status == OrderStatus.OPEN and repair.inspection.uuid == correction["uuid"]
    assert [e.action for e in repair.events] == ["created", "carried"]
    [alert] = _alerts()
    assert alert.withdrawn_at is not None
    assert _status(field.scale) == InstrumentStatus.REPAIR_ORDER


def _review(client: FlaskClient, headers: dict[str, str], uuid: str, **body: Any) -> Any:
    return client.post(f"/api/v1/inspections/{uuid}/review", json=body, headers=headers)


def test_returning_an_inspection_withdraws_its_orders_and_alerts(
    field: Field, supervisor_headers: dict[str, str]
) -> None:
    sent = _scale_item(field, **CHEATING)
    field.push(sent)
    missing = _review(field.client, supervisor_headers, sent["uuid"], decision="return")
    assert missing.status_code == 422
    assert missing.get_json()["code"] == "REVIEW_REASON_REQUIRED"
    response = _review(
        field.client, supervisor_headers, sent["uuid"], decision="return", reason="wrong stall"
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["review_state"] == "has_issues"
    [order] = _orders(field.scale)
    assert order.status == OrderStatus.WITHDRAWN and "wrong stall" in order.withdrawn_reason
    [alert] = _alerts()
    assert alert.withdrawn_at is not None
    assert _status(field.scale) == InstrumentStatus.IN_SERVICE
    again = _review(field.client, supervisor_headers, sent["uuid"], decision="approve")
    assert again.status_code == 409 and again.get_json()["code"] == "REVIEW_ALREADY_DECIDED"


def test_approval_keeps_the_orders_and_a_superseded_record_cannot_be_reviewed(
    field: Field, supervisor_headers: dict[str, str]
) -> None:
    original = _scale_item(field, **OUT_OF_TOLERANCE)
    field.push(original)
    correction = _scale_item(field, **OUT_OF_TOLERANCE)
    correction["supersedes"] = original["uuid"]
    field.push(correction)
    stale = _review(field.client, supervisor_headers, original["uuid"], decision="approve")
    assert stale.status_code == 409 and stale.get_json()["code"] == "INSPECTION_SUPERSEDED"
    ok = _review(field.client, supervisor_headers, correction["uuid"], decision="approve")
    assert ok.status_code == 200 and ok.get_json()["review_state"] == "approved"
    [order] = _orders(field.scale)
    assert order.status == OrderStatus.OPEN


def test_review_is_for_supervisors_of_the_district(
    field: Field,
    make_user: Callable[..., User],
    make_region: Callable[..., Any],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    sent = _scale_item(field)
    field.push(sent)
    inspector = _review(field.client, field.headers, sent["uuid"], decision="approve")
    assert inspector.status_code == 403
    elsewhere = make_user(Role.SUPERVISOR, region=make_region())
    other = _review(field.client, token_for(elsewhere), sent["uuid"], decision="approve")
    assert other.status_code == 404
    bad = _review(field.client, token_for(make_user(Role.ADMIN)), sent["uuid"], decision="maybe")
    assert bad.status_code == 422 and "decision" in bad.get_json()["errors"]


def test_deadlines_pass_with_the_clock(
    field: Field, app: Any, make_instrument: Callable[..., Instrument]
) -> None:
    field.push(_scale_item(field, **CHEATING))
    second = make_instrument(field.merchant)
    field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, second.code, **OUT_OF_TOLERANCE))
    )
    today = local_today(datetime.now(UTC))
    with app.app_context():
        assert orders.mark_overdue(today + timedelta(days=7), datetime.now(UTC)) == []
        late = orders.mark_overdue(today + timedelta(days=8), datetime.now(UTC))
        assert [o.kind for o in late] == [OrderKind.REPAIR]
        db.session.commit()
        condemned = orders.mark_overdue(today + timedelta(days=31), datetime.now(UTC))
        assert [o.kind for o in condemned] == [OrderKind.CONDEMN]
        db.session.commit()
        assert orders.mark_overdue(today + timedelta(days=40), datetime.now(UTC)) == []
    kinds = [a.kind for a in _alerts()]
    assert kinds == [AlertKind.SEVERE_FINDING, AlertKind.OVERDUE_CONDEMNATION]
    assert {o.status for o in _orders(field.scale) + _orders(second)} == {OrderStatus.OVERDUE}


def test_accepted_certificate_closes_the_order_and_renews_the_verification(
    field: Field, app: Any, make_user: Callable[..., User]
) -> None:
    field.push(_scale_item(field, verification_valid_until="2026-01-31"))
    [order] = _orders(field.scale)
    assert order.kind == OrderKind.REVERIFY
    assert _status(field.scale) == InstrumentStatus.VERIFICATION_EXPIRED
    merchant_user = make_user(Role.MERCHANT, merchant=field.merchant)
    supervisor = make_user(Role.SUPERVISOR)
    now = datetime.now(UTC)
    with app.app_context():
        order = db.session.get(Order, order.id)
        rejected = OrderEvidence(
            kind=EvidenceKind.PHOTO, sha256="a" * 64, media_type="image/jpeg", size_bytes=10
        )
        orders.record_evidence(db.session.merge(merchant_user), order, rejected, now)
        assert order.status == OrderStatus.EVIDENCE_SUBMITTED
        orders.decide_evidence(
            db.session.merge(supervisor), rejected, False, "unreadable", now, local_today(now)
        )
        assert order.status == OrderStatus.OPEN
        certificate = OrderEvidence(
            kind=EvidenceKind.CERTIFICATE,
            sha256="b" * 64,
            media_type="application/pdf",
            size_bytes=10,
            certificate_no="NM-2026-9",
            verified_at=date(2026, 11, 1),
            valid_until=date(2027, 10, 31),
        )
        orders.record_evidence(db.session.merge(merchant_user), order, certificate, now)
        orders.decide_evidence(
            db.session.merge(supervisor), certificate, True, "", now, local_today(now)
        )
        db.session.commit()
    [order] = _orders(field.scale)
    assert order.status == OrderStatus.CLOSED and order.closed_by_id == supervisor.id
    instrument = db.session.get(Instrument, field.scale.id)
    assert instrument is not None and instrument.certificate_no == "NM-2026-9"
    assert instrument.valid_until == date(2027, 10, 31)
    assert instrument.status == InstrumentStatus.IN_SERVICE
    assert [e.action for e in order.events] == [
        "created",
        "evidence",
        "evidence_rejected",
        "evidence",
        "evidence_accepted",
    ]
