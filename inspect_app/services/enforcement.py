"""What stored inspections set in motion: orders and alerts at once, closings and withdrawals.

Called by ``sync/push`` once every item of a batch is in (:func:`after_ingest`). Orders and
alerts act when the inspection is stored, as the inspector's notice (责令改正通知书) is handed
over at the stall; review only decides what counts for scores and publication. The rules:

* each finding creates the orders its catalogue entry triggers (``repair_order`` → repair,
  ``condemnation`` → condemn, ``reverification`` → reverify), due ``deadline_days`` after the
  day of the visit (Asia/Shanghai), on the finding's instrument (or the inspection's, or none:
  an order on the merchant); an ``alert`` trigger raises an alert (``obstruction`` for an
  obstructed inspection, ``severe_finding`` otherwise);
* a correction (``supersedes``) carries each active order and open alert of the record it
  replaces to its own finding of the same code and instrument, and withdraws the rest; the
  correction's findings that carried nothing create their own;
* a finding whose order is already active on the instrument (found again before the deadline)
  creates no second order;
* a planned visit to the merchant is ticked off (``plans.tick_off``);
* a later inspection of the same instrument (or, for an order on the merchant, of the same
  form at the same merchant) that does not find the order's code fulfils the order and closes
  it; one that finds it again notes "not fulfilled" in the order's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select

from inspect_app.domain.forms.model import Violation
from inspect_app.domain.traffic_light import LOCAL_ZONE, local_today
from inspect_app.extensions import db
from inspect_app.models import Alert, Finding, Inspection, Merchant, Order, User
from inspect_app.models.alert import AlertKind
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES, OrderKind, OrderStatus
from inspect_app.services import alerts, credit, orders, plans

#: Catalogue trigger → order kind.
ORDER_FOR_TRIGGER: Mapping[str, OrderKind] = {
    "repair_order": OrderKind.REPAIR,
    "condemnation": OrderKind.CONDEMN,
    "reverification": OrderKind.REVERIFY,
}
OBSTRUCTION_CODE = "INSPECTION_OBSTRUCTED"


def visit_day(inspection: Inspection) -> date:
    """The day of the visit on the district's calendar (deadlines count from it)."""
    return inspection.captured_at.astimezone(LOCAL_ZONE).date()


def after_ingest(
    created: Sequence[Inspection], violations: Mapping[str, Violation], now: datetime
) -> None:
    """Apply the module's rules to a batch of newly stored inspections, oldest visit first."""
    today = local_today(now)
    # Most visits find a stall with no open order: ask once per batch which merchants have one,
    # and look for orders to close only there (a merchant joins as soon as it gets one).
    with_orders = _merchants_with_active_orders({i.merchant_id for i in created})
    for inspection in sorted(created, key=lambda i: (i.captured_at, i.id)):
        carried: set[int] = set()
        if inspection.supersedes_id is not None:
            carried = _carry_or_withdraw(inspection, now, today)
            # The corrected record no longer counts for the grade (its correction will, once
            # approved).
            credit.mark_dirty(inspection.merchant_id, "supersede", now)
        elif inspection.merchant_id in with_orders:
            _reinspect(inspection, now, today)
        for finding in inspection.findings:
            if finding.id not in carried:
                _act_on(finding, inspection, violations.get(finding.code), now, today)
        if inspection.findings:
            with_orders.add(inspection.merchant_id)
    # A planned visit (双随机) is done once its merchant's inspection is in.
    plans.tick_off(created, now)


def _merchants_with_active_orders(merchant_ids: set[int]) -> set[int]:
    if not merchant_ids:
        return set()
    return set(
        db.session.scalars(
            select(Order.merchant_id)
            .where(Order.merchant_id.in_(merchant_ids), Order.status.in_(ACTIVE_ORDER_STATUSES))
            .distinct()
        )
    )


def _act_on(
    finding: Finding,
    inspection: Inspection,
    violation: Violation | None,
    now: datetime,
    today: date,
) -> None:
    if violation is None:
        return
    merchant = db.session.get(Merchant, inspection.merchant_id)
    assert merchant is not None  # a foreign key
    instrument_id = finding.instrument_id or inspection.instrument_id
    for trigger in violation.triggers:
        kind = ORDER_FOR_TRIGGER.get(trigger)
        if kind is None or violation.deadline_days is None:
            continue
        if _already_ordered(inspection.merchant_id, instrument_id, kind, finding.code):
            continue  # found again: the open order stands (its history notes the visit)
        order = Order(
            kind=kind,
            status=OrderStatus.OPEN,
            region_id=merchant.region_id,
            merchant_id=inspection.merchant_id,
            instrument_id=instrument_id,
            inspection_id=inspection.id,
            finding_id=finding.id,
            finding_code=finding.code,
            due_date=visit_day(inspection) + timedelta(days=violation.deadline_days),
            created_at=now,
            updated_at=now,
        )
        db.session.add(order)
        orders.add_event(order, "created", now, inspection_id=inspection.id)
        order.events[-1].to_status = OrderStatus.OPEN.value
        order.events[-1].from_status = None
        orders.after_change(order, today)
    if "alert" in violation.triggers:
        alert_kind = (
            AlertKind.OBSTRUCTION if finding.code == OBSTRUCTION_CODE else AlertKind.SEVERE_FINDING
        )
        alerts.raise_alert(
            alert_kind,
            violation.severity_rank,
            merchant,
            now,
            inspection=inspection,
            finding=finding,
        )


def _already_ordered(
    merchant_id: int, instrument_id: int | None, kind: OrderKind, code: str
) -> bool:
    """An active order of this kind for this code is already on the instrument (or merchant)."""
    query = select(Order.id).where(
        Order.merchant_id == merchant_id,
        Order.kind == kind,
        Order.finding_code == code,
        Order.status.in_(ACTIVE_ORDER_STATUSES),
    )
    if instrument_id is None:
        query = query.where(Order.instrument_id.is_(None))
    else:
        query = query.where(Order.instrument_id == instrument_id)
    return db.session.scalar(query.limit(1)) is not None


def _carry_or_withdraw(correction: Inspection, now: datetime, today: date) -> set[int]:
    """Move what the replaced record caused to the correction's matching findings.

    Returns the ids of the correction's findings that took something over (they create
    nothing new).
    """
    replaced_id = correction.supersedes_id
    by_key = {(f.code, f.instrument_id or correction.instrument_id): f for f in correction.findings}
    carried: set[int] = set()
    for order in db.session.scalars(
        select(Order).where(
            Order.inspection_id == replaced_id, Order.status.in_(ACTIVE_ORDER_STATUSES)
        )
    ):
        match = by_key.get((order.finding_code, order.instrument_id))
        if match is None:
            orders.withdraw(order, "correction removed the finding", None, now, today)
            continue
        order.inspection_id = correction.id
        order.finding_id = match.id
        orders.add_event(order, "carried", now, inspection_id=correction.id)
        orders.log_change(order)
        carried.add(match.id)
    for alert in db.session.scalars(
        select(Alert).where(Alert.inspection_id == replaced_id, Alert.withdrawn_at.is_(None))
    ):
        old = db.session.get(Finding, alert.finding_id) if alert.finding_id else None
        match = by_key.get((old.code, alert.instrument_id)) if old is not None else None
        if match is None:
            alerts.withdraw(alert, "correction removed the finding", now)
            continue
        alert.inspection_id = correction.id
        alert.finding_id = match.id
        carried.add(match.id)
    return carried


def withdraw_caused_by(
    inspection: Inspection, reason: str, actor: User | None, now: datetime
) -> None:
    """Withdraw every active order and open alert this inspection caused (review returned it)."""
    today = local_today(now)
    for order in db.session.scalars(
        select(Order).where(
            Order.inspection_id == inspection.id, Order.status.in_(ACTIVE_ORDER_STATUSES)
        )
    ):
        orders.withdraw(order, reason, actor, now, today)
    for alert in db.session.scalars(
        select(Alert).where(Alert.inspection_id == inspection.id, Alert.withdrawn_at.is_(None))
    ):
        alerts.withdraw(alert, reason, now, actor)


def _reinspect(inspection: Inspection, now: datetime, today: date) -> None:
    """Close the active orders this visit shows fulfilled; note the ones it finds again."""
    found = {f.code for f in inspection.findings}
    query = select(Order).where(
        Order.merchant_id == inspection.merchant_id,
        Order.status.in_(ACTIVE_ORDER_STATUSES),
        Order.inspection_id != inspection.id,
    )
    if inspection.instrument_id is not None:
        query = query.where(Order.instrument_id == inspection.instrument_id)
    else:
        query = query.where(Order.instrument_id.is_(None))
    for order in db.session.scalars(query.order_by(Order.id)):
        origin = order.inspection
        if origin.captured_at >= inspection.captured_at:
            continue  # an older visit synced late says nothing about a newer order
        if order.instrument_id is None and origin.form_key != inspection.form_key:
            continue  # another form cannot see this order's finding
        if order.finding_code in found:
            orders.add_event(
                order, "reinspected", now, inspection_id=inspection.id, note="not fulfilled"
            )
        else:
            orders.close_by_reinspection(order, inspection, now, today)
