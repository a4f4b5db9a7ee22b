"""Alerts: raised by severe findings and overdue condemnations, handled by supervisors.

A row first (visible in the inbox at once); delivery outward (webhook, e-mail) is scheduled by
:mod:`inspect_app.services.alert_delivery` and runs in the worker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Alert, Finding, Inspection, Merchant, Order, User
from inspect_app.models.alert import AlertEvent, AlertKind
from inspect_app.services import alert_delivery, audit, scoping


def raise_alert(
    kind: AlertKind,
    severity: int,
    merchant: Merchant,
    now: datetime,
    *,
    inspection: Inspection | None = None,
    finding: Finding | None = None,
    order: Order | None = None,
) -> Alert:
    """Add an alert and its "created" event, and schedule its delivery after commit."""
    instrument_id = None
    if finding is not None:
        instrument_id = finding.instrument_id
    if instrument_id is None and inspection is not None:
        instrument_id = inspection.instrument_id
    if instrument_id is None and order is not None:
        instrument_id = order.instrument_id
    alert = Alert(
        kind=kind,
        severity=severity,
        region_id=merchant.region_id,
        merchant_id=merchant.id,
        instrument_id=instrument_id,
        inspection_id=inspection.id if inspection is not None else None,
        finding_id=finding.id if finding is not None else None,
        order_id=order.id if order is not None else None,
        created_at=now,
    )
    alert.events.append(AlertEvent(at=now, action="created"))
    db.session.add(alert)
    db.session.flush()
    alert_delivery.schedule(alert)
    return alert


def _is_open() -> ColumnElement[bool]:
    return and_(Alert.acknowledged_at.is_(None), Alert.withdrawn_at.is_(None))


def acknowledge(actor: User, alert: Alert, now: datetime) -> Alert:
    """Acknowledge once: of two supervisors at the same moment, the first wins.

    The conditional UPDATE is the arbiter on both engines (a row lock on PostgreSQL, the write
    lock on SQLite); the loser gets ``ALERT_ALREADY_ACKNOWLEDGED`` naming who won and when.
    """
    result = db.session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    won = getattr(result, "rowcount", 0)
    db.session.refresh(alert)
    if not won:
        winner = db.session.get(User, alert.acknowledged_by_id)
        raise AppError(
            "ALERT_ALREADY_ACKNOWLEDGED",
            {
                "acknowledged_by": [winner.display_name if winner else "?"],
                "acknowledged_at": [
                    alert.acknowledged_at.isoformat() if alert.acknowledged_at else ""
                ],
            },
        )
    alert.events.append(AlertEvent(at=now, actor_id=actor.id, action="acknowledged"))
    audit.record(actor, "alert.acknowledge", "alert", alert.id)
    return alert


def assign(actor: User, alert: Alert, assignee: User, now: datetime) -> Alert:
    """Give the alert to a supervisor or inspector of its district (anyone else: not found)."""
    if not scoping.may_be_assigned(assignee, alert):
        raise AppError("NOT_FOUND")
    alert.assigned_to_id = assignee.id
    alert.assigned_at = now
    alert.events.append(
        AlertEvent(at=now, actor_id=actor.id, action="assigned", note=assignee.display_name)
    )
    audit.record(actor, "alert.assign", "alert", alert.id, {"assignee": assignee.id})
    return alert


def withdraw(alert: Alert, reason: str, now: datetime, actor: User | None = None) -> None:
    """Take back an alert whose finding was overturned (kept, marked, never deleted)."""
    if alert.withdrawn_at is not None:
        return
    alert.withdrawn_at = now
    alert.withdrawn_reason = reason
    alert.events.append(
        AlertEvent(at=now, actor_id=actor.id if actor else None, action="withdrawn", note=reason)
    )


def open_count(user: User) -> int:
    """Open (unacknowledged, not withdrawn) alerts in the user's districts."""
    return (
        db.session.scalar(
            select(func.count(Alert.id)).where(scoping.alerts_clause(user), _is_open())
        )
        or 0
    )


def inbox(
    user: User,
    *,
    limit: int = 50,
    open_only: bool = False,
    after_id: int | None = None,
    before_id: int | None = None,
) -> list[Alert]:
    """The user's districts' alerts, newest first; ``after_id`` gives only newer ones (the
    inbox's poll), ``before_id`` only older ones (the next page)."""
    query = select(Alert).where(scoping.alerts_clause(user))
    if open_only:
        query = query.where(_is_open())
    if after_id is not None:
        query = query.where(Alert.id > after_id)
    if before_id is not None:
        query = query.where(Alert.id < before_id)
    return list(db.session.scalars(query.order_by(Alert.id.desc()).limit(limit)))
