"""Orders: repair (blue tag), condemnation (red tag) and re-verification, and their lifecycle.

::

    open ──acknowledge──► open (acknowledged_at set)
    open / overdue ──evidence──► evidence_submitted ──accept──► closed
                                 evidence_submitted ──reject──► open (overdue if past due)
    open ──deadline passes──► overdue            (an overdue condemnation raises an alert)
    open / evidence_submitted / overdue ──passing re-inspection──► closed
    any active ──review returns / correction removes the finding──► withdrawn

Every change adds an :class:`OrderEvent`, re-derives the instrument's status and goes to the
change log, so a tablet's next pull carries it (closed and withdrawn orders as tombstones).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, case, select

from inspect_app.domain.traffic_light import local_today
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Instrument, Order, User
from inspect_app.models.alert import AlertKind
from inspect_app.models.change import ChangeOp
from inspect_app.models.enforcement import (
    ACTIVE_ORDER_STATUSES,
    EvidenceDecision,
    EvidenceKind,
    OrderEvent,
    OrderEvidence,
    OrderStatus,
)
from inspect_app.models.inspection import Inspection
from inspect_app.services import (
    alerts,
    audit,
    credit,
    instrument_status,
    reference,
    scoping,
)

#: Severity of the alert an overdue condemnation raises (the finding behind it was S2–S4).
OVERDUE_CONDEMNATION_SEVERITY = 4


def log_change(order: Order) -> None:
    """Put the order in the change log: an upsert while active, a tombstone once it ends."""
    db.session.flush()  # the id, and the status default of a new order, exist from here
    op = ChangeOp.UPSERT if order.status in ACTIVE_ORDER_STATUSES else ChangeOp.DELETE
    reference.log_change("order", order.id, order.region_id, op)


def _move(
    order: Order,
    to: OrderStatus,
    action: str,
    now: datetime,
    today: date,
    actor: User | None = None,
    note: str | None = None,
    inspection: Inspection | None = None,
) -> None:
    """Change the status, record the event, re-derive the instrument, log for pull."""
    before = order.status
    order.status = to
    order.updated_at = now
    order.events.append(
        OrderEvent(
            at=now,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=before.value,
            to_status=to.value,
            note=note,
            inspection_id=inspection.id if inspection else None,
        )
    )
    after_change(order, today)


def after_change(order: Order, today: date) -> None:
    """Re-derive the instrument's status, log the order for pull and, when it closed,
    recompute the merchant's grade (a correction by the deadline halves an S1/S2 deduction)."""
    if order.status == OrderStatus.CLOSED:
        credit.mark_dirty(order.merchant_id, "order")
    if order.instrument_id is not None:
        instrument = db.session.get(Instrument, order.instrument_id)
        if instrument is not None:
            instrument_status.refresh(instrument, today)
    log_change(order)


def _require_active(order: Order) -> None:
    if order.status not in ACTIVE_ORDER_STATUSES:
        raise AppError("ORDER_NOT_ACTIVE")


def add_event(order: Order, action: str, now: datetime, **fields: object) -> None:
    """A history line that does not change the status (acknowledged, a re-inspection, …)."""
    order.events.append(OrderEvent(at=now, action=action, from_status=order.status.value, **fields))


def acknowledge(actor: User, order: Order, now: datetime) -> Order:
    """The merchant confirms having seen the order (once; a second time changes nothing)."""
    _require_active(order)
    if order.acknowledged_at is None:
        order.acknowledged_at = now
        order.acknowledged_by_id = actor.id
        add_event(order, "acknowledged", now, actor_id=actor.id)
        audit.record(actor, "order.acknowledge", "order", order.id)
    return order


def record_evidence(actor: User, order: Order, evidence: OrderEvidence, now: datetime) -> Order:
    """Attach the merchant's evidence; the order waits for a supervisor's decision."""
    _require_active(order)
    evidence.uploaded_by_id = actor.id
    evidence.created_at = now
    order.evidence.append(evidence)
    db.session.flush()
    _move(
        order,
        OrderStatus.EVIDENCE_SUBMITTED,
        "evidence",
        now,
        today=local_today(now),
        actor=actor,
        note=evidence.kind.value,
    )
    audit.record(actor, "order.evidence", "order", order.id, {"sha256": evidence.sha256})
    return order


def decide_evidence(
    actor: User, evidence: OrderEvidence, accept: bool, reason: str, now: datetime, today: date
) -> Order:
    """Accept (the order closes; a certificate renews the instrument's verification) or reject.

    A rejected piece sends the order back to ``open``, or ``overdue`` when its deadline has
    passed, unless other evidence is still waiting for a decision.
    """
    order = evidence.order
    if evidence.decision != EvidenceDecision.PENDING:
        raise AppError("EVIDENCE_ALREADY_DECIDED")
    _require_active(order)
    if not accept and not reason.strip():
        raise AppError("VALIDATION_FAILED", {"reason": ["Say why the evidence is rejected."]})
    evidence.decision = EvidenceDecision.ACCEPTED if accept else EvidenceDecision.REJECTED
    evidence.decided_at = now
    evidence.decided_by_id = actor.id
    evidence.decision_reason = reason.strip() or None
    if accept:
        if evidence.kind == EvidenceKind.CERTIFICATE and order.instrument is not None:
            _renew_verification(order.instrument, evidence)
        order.closed_at = now
        order.closed_by_id = actor.id
        _move(order, OrderStatus.CLOSED, "evidence_accepted", now, today, actor, reason or None)
    else:
        waiting = any(
            e.decision == EvidenceDecision.PENDING for e in order.evidence if e is not evidence
        )
        if not waiting:
            back = OrderStatus.OVERDUE if order.due_date < today else OrderStatus.OPEN
            _move(order, back, "evidence_rejected", now, today, actor, reason)
        else:
            add_event(order, "evidence_rejected", now, actor_id=actor.id, note=reason)
    audit.record(
        actor,
        "order.evidence_decision",
        "order",
        order.id,
        {"evidence": evidence.id, "accepted": accept},
    )
    return order


def _renew_verification(instrument: Instrument, evidence: OrderEvidence) -> None:
    instrument.certificate_no = evidence.certificate_no
    if evidence.verifying_body:
        instrument.verifying_body = evidence.verifying_body
    instrument.verified_at = evidence.verified_at
    instrument.valid_until = evidence.valid_until
    reference.touch_instrument(instrument)


def close_by_reinspection(order: Order, inspection: Inspection, now: datetime, today: date) -> None:
    """A re-inspection without the order's finding fulfils it."""
    order.closed_at = now
    order.closed_by_inspection_id = inspection.id
    _move(
        order,
        OrderStatus.CLOSED,
        "reinspected",
        now,
        today,
        inspection=inspection,
        note="fulfilled",
    )


def withdraw(order: Order, reason: str, actor: User | None, now: datetime, today: date) -> None:
    """Take the order back (its finding was overturned); kept with its history."""
    if order.status not in ACTIVE_ORDER_STATUSES:
        return
    order.withdrawn_at = now
    order.withdrawn_reason = reason
    _move(order, OrderStatus.WITHDRAWN, "withdrawn", now, today, actor, reason)


def mark_overdue(today: date, now: datetime) -> list[Order]:
    """Open orders whose deadline passed become overdue; an overdue condemnation alerts.

    Evidence that waits for a decision keeps its order out of this: the merchant has acted.
    Idempotent: an order already overdue is not touched again.
    """
    due = list(
        db.session.scalars(
            select(Order)
            .where(Order.status == OrderStatus.OPEN, Order.due_date < today)
            .order_by(Order.id)
        )
    )
    for order in due:
        order.overdue_at = now
        _move(order, OrderStatus.OVERDUE, "overdue", now, today)
        if order.kind.value == "condemn":
            alerts.raise_alert(
                AlertKind.OVERDUE_CONDEMNATION,
                OVERDUE_CONDEMNATION_SEVERITY,
                order.merchant,
                now,
                order=order,
            )
    return due


def active_for_instrument(instrument_id: int) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.instrument_id == instrument_id, Order.status.in_(ACTIVE_ORDER_STATUSES))
            .order_by(Order.id)
        )
    )


def merchant_orders(merchant_id: int, active_only: bool = False) -> list[Order]:
    """A merchant's orders, the ones needing action first, then newest first."""
    query = select(Order).where(Order.merchant_id == merchant_id)
    if active_only:
        query = query.where(Order.status.in_(ACTIVE_ORDER_STATUSES))
    return list(db.session.scalars(query.order_by(_urgency(), Order.id.desc())))


def district_orders(user: User, status: OrderStatus | None = None, limit: int = 200) -> list[Order]:
    """Orders in the user's districts; overdue first, then open, then the rest, newest first."""
    query = select(Order).where(scoping.region_clause(user, Order.region_id))
    if status is not None:
        query = query.where(Order.status == status)
    return list(db.session.scalars(query.order_by(_urgency(), Order.id.desc()).limit(limit)))


def _urgency() -> ColumnElement[int]:
    return case(
        (Order.status == OrderStatus.OVERDUE, 0),
        (Order.status == OrderStatus.OPEN, 1),
        (Order.status == OrderStatus.EVIDENCE_SUBMITTED, 2),
        else_=3,
    )
