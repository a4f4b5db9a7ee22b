"""sync/pull carries the region's active orders and the instruments' derived status.

An inspector opening a stall offline must see its open orders, and an instrument condemned
at the office must read "condemned" on the tablet after the next pull.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Instrument, Merchant, Order, Region, User
from inspect_app.models.enforcement import OrderKind, OrderStatus
from inspect_app.models.inspection import FindingDomain
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import reference
from inspect_app.services.orders import log_change as log_order_change
from tests.api.conftest import Field
from tests.payloads import item, scale_answers

DUE = date.today() + timedelta(days=30)


def _pull(client: FlaskClient, headers: dict[str, str], cursor: str = "0", limit: int = 500) -> Any:
    response = client.get(f"/api/v1/sync/pull?cursor={cursor}&limit={limit}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _orders(page: Any) -> list[dict[str, Any]]:
    return [c for c in page["changes"] if c["entity"] == "order"]


def _inspection(field: Field) -> Inspection:
    """A stored inspection of the field's scale (the record an order points back to)."""
    (result,) = field.push(item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)))
    inspection = db.session.query(Inspection).filter_by(uuid=result["uuid"]).one()
    return inspection


def _order(
    inspection: Inspection,
    merchant: Merchant,
    instrument: Instrument | None,
    kind: OrderKind = OrderKind.CONDEMN,
    code: str = "SCALE_CHEATING_DEVICE",
) -> Order:
    """An order as the enforcement service makes it, logged for the tablets."""
    finding = Finding(
        inspection_id=inspection.id,
        merchant_id=merchant.id,
        instrument_id=instrument.id if instrument else None,
        code=code,
        domain=FindingDomain.INSTR,
        severity=4,
        evidence={},
    )
    db.session.add(finding)
    db.session.flush()
    order = Order(
        kind=kind,
        status=OrderStatus.OPEN,
        region_id=merchant.region_id,
        merchant_id=merchant.id,
        instrument_id=instrument.id if instrument else None,
        inspection_id=inspection.id,
        finding_id=finding.id,
        finding_code=code,
        due_date=DUE,
    )
    db.session.add(order)
    log_order_change(order)
    db.session.commit()
    return order


def _move(order: Order, status: OrderStatus) -> None:
    order.status = status
    if status == OrderStatus.CLOSED:
        order.closed_at = utcnow()
    if status == OrderStatus.WITHDRAWN:
        order.withdrawn_at = utcnow()
        order.withdrawn_reason = "returned by review"
    log_order_change(order)
    db.session.commit()


def test_an_active_order_reaches_the_tablet_with_what_the_stall_screen_shows(
    field: Field,
) -> None:
    order = _order(_inspection(field), field.merchant, field.scale)
    (change,) = _orders(_pull(field.client, field.headers))
    assert (change["id"], change["op"]) == (order.id, "upsert")
    data = change["data"]
    assert {k: data[k] for k in ("kind", "status", "finding_code", "due_date")} == {
        "kind": "condemn",
        "status": "open",
        "finding_code": "SCALE_CHEATING_DEVICE",
        "due_date": DUE.isoformat(),
    }
    assert (data["instrument_id"], data["merchant_id"]) == (field.scale.id, field.merchant.id)


def test_an_order_on_the_merchant_itself_has_no_instrument(field: Field) -> None:
    _order(_inspection(field), field.merchant, None, OrderKind.REPAIR, "PREPACK_SHORT_AVERAGE")
    (change,) = _orders(_pull(field.client, field.headers))
    assert change["data"]["instrument_id"] is None
    assert change["data"]["kind"] == "repair"


def test_another_regions_orders_stay_off_the_tablet_but_reach_an_admin(
    field: Field,
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    inspection = _inspection(field)
    ours = _order(inspection, field.merchant, field.scale)
    elsewhere = make_merchant(region_id=make_region().id, market_id=None)
    theirs = _order(inspection, elsewhere, None, OrderKind.REPAIR)
    assert [c["id"] for c in _orders(_pull(field.client, field.headers))] == [ours.id]
    admin = token_for(make_user(Role.ADMIN))
    assert {c["id"] for c in _orders(_pull(field.client, admin))} == {ours.id, theirs.id}


def test_closing_or_withdrawing_an_order_sends_a_tombstone(field: Field) -> None:
    inspection = _inspection(field)
    closed = _order(inspection, field.merchant, field.scale)
    withdrawn = _order(
        inspection, field.merchant, field.scale, OrderKind.REPAIR, "SCALE_OUT_OF_TOLERANCE"
    )
    cursor = _pull(field.client, field.headers)["cursor"]
    _move(closed, OrderStatus.CLOSED)
    _move(withdrawn, OrderStatus.WITHDRAWN)
    page = _pull(field.client, field.headers, cursor)
    assert _orders(page) == [
        {"entity": "order", "id": closed.id, "op": "delete", "data": None},
        {"entity": "order", "id": withdrawn.id, "op": "delete", "data": None},
    ]
    # A tablet downloading everything afresh never receives them as live orders.
    assert {c["op"] for c in _orders(_pull(field.client, field.headers))} == {"delete"}


def test_each_status_change_is_one_new_entry_after_the_cursor(field: Field) -> None:
    order = _order(_inspection(field), field.merchant, field.scale)
    cursor = _pull(field.client, field.headers)["cursor"]
    assert _pull(field.client, field.headers, cursor)["changes"] == []

    _move(order, OrderStatus.EVIDENCE_SUBMITTED)
    page = _pull(field.client, field.headers, cursor)
    assert [(c["id"], c["data"]["status"]) for c in _orders(page)] == [
        (order.id, "evidence_submitted")
    ]
    cursor = page["cursor"]

    # Several changes between two pulls arrive as one entry: the order as it is now.
    _move(order, OrderStatus.OPEN)
    _move(order, OrderStatus.OVERDUE)
    page = _pull(field.client, field.headers, cursor)
    assert [(c["op"], c["data"]["status"]) for c in _orders(page)] == [("upsert", "overdue")]
    assert _pull(field.client, field.headers, page["cursor"])["changes"] == []


def test_orders_page_with_the_cursor_like_any_other_entity(field: Field) -> None:
    inspection = _inspection(field)
    cursor = _pull(field.client, field.headers)["cursor"]
    made = [
        _order(inspection, field.merchant, field.scale, kind, code)
        for kind, code in (
            (OrderKind.CONDEMN, "SCALE_CHEATING_DEVICE"),
            (OrderKind.REPAIR, "SCALE_OUT_OF_TOLERANCE"),
            (OrderKind.REVERIFY, "SCALE_SEAL_BROKEN"),
        )
    ]
    first = _pull(field.client, field.headers, cursor, limit=2)
    second = _pull(field.client, field.headers, first["cursor"], limit=2)
    assert (first["has_more"], second["has_more"]) == (True, False)
    ids = [c["id"] for c in _orders(first) + _orders(second)]
    assert ids == [o.id for o in made]
    assert {c["data"]["kind"] for c in _orders(first) + _orders(second)} == {
        "condemn",
        "repair",
        "reverify",
    }


def test_an_instruments_new_status_reaches_the_next_pull(field: Field) -> None:
    cursor = _pull(field.client, field.headers)["cursor"]
    scale = db.session.get(Instrument, field.scale.id)
    assert scale is not None
    scale.status = InstrumentStatus.CONDEMNED
    reference.touch_instrument(scale)
    db.session.commit()
    (change,) = _pull(field.client, field.headers, cursor)["changes"]
    assert (change["entity"], change["id"], change["data"]["status"]) == (
        "instrument",
        scale.id,
        "condemned",
    )


def test_a_cheating_scale_pushed_from_a_tablet_comes_back_condemned_with_its_order(
    field: Field,
) -> None:
    cursor = _pull(field.client, field.headers)["cursor"]
    cheat = scale_answers(
        field.merchant.id,
        field.scale.code,
        cheating_device_found=True,
        cheating_methods=["remote_control"],
    )
    (result,) = field.push(item("bazaar_scale", cheat))
    assert result["verdict"] == "fail"
    page = _pull(field.client, field.headers, cursor)
    (order,) = _orders(page)
    assert order["op"] == "upsert"
    assert {k: order["data"][k] for k in ("kind", "status", "instrument_id", "finding_code")} == {
        "kind": "condemn",
        "status": "open",
        "instrument_id": field.scale.id,
        "finding_code": "SCALE_CHEATING_DEVICE",
    }
    (scale,) = [c for c in page["changes"] if c["entity"] == "instrument"]
    assert scale["data"]["status"] == "condemned"

    # A later visit finds the scale clean: the order closes and the scale is back in service.
    clean = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        captured_at=datetime.now(UTC).isoformat(),
    )
    (reinspection,) = field.push(clean)
    assert reinspection["closed_orders"] == [order["id"]]
    # A resend after a lost answer is told the same.
    (again,) = field.push(clean)
    assert (again["status"], again["closed_orders"]) == ("duplicate", [order["id"]])
    page = _pull(field.client, field.headers, page["cursor"])
    assert _orders(page) == [{"entity": "order", "id": order["id"], "op": "delete", "data": None}]
    (scale,) = [c for c in page["changes"] if c["entity"] == "instrument"]
    assert scale["data"]["status"] == "in_service"
