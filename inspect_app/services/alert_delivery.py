"""Alert delivery: a row per alert, channel and target; the worker sends it after commit.

The lifecycle of one :class:`AlertDelivery` (docs/alerts.md):

* :func:`schedule` adds the rows (a webhook row when a webhook is configured, one e-mail row per
  active supervisor of the alert's district with an address when mail is configured) and
  notes their ids in the session; the worker package enqueues them once the transaction has
  committed, never before (the worker must see the rows), and forgets them on rollback.
* :func:`claim` takes a due, unclaimed pending row with one conditional UPDATE (the arbiter on
  both engines), holding it for the lease, and returns what to send; the caller commits,
  sends with no transaction open, then records :func:`record_delivered` or
  :func:`record_failure` (back-off, and ``failed`` after the last attempt) and commits again.
* A delivered row is never claimed again, so it is never sent again; a worker that dies
  between the receiver's acceptance and that last commit is the one case that sends twice,
  with the same ``X-Inspect-Delivery`` id for the receiver to drop the repeat.

Settings reach this module on the engine the session is bound to (like the audit key), put
there by :func:`inspect_app.worker.init_app`; services stay free of Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Executable, or_, select, update
from sqlalchemy.orm import Session

from inspect_app.extensions import db
from inspect_app.models import Alert, AlertDelivery, Finding, Inspection, Market, Region, User
from inspect_app.models.alert import DeliveryChannel, DeliveryStatus
from inspect_app.models.user import Role
from inspect_app.services.alert_settings import SETTINGS_OPTION, DeliverySettings, redacted

#: ``Session.info`` key: delivery ids to enqueue when the transaction commits.
ENQUEUE_KEY = "inspect_alert_deliveries_to_enqueue"
_ERROR_MAX = 500


@dataclass(frozen=True)
class Outgoing:
    """One claimed delivery: the webhook document and what an e-mail says."""

    delivery_id: int
    alert_id: int
    channel: DeliveryChannel
    target: str
    document: dict[str, Any]
    details: dict[str, str]


def bound_settings(session: Session | None = None) -> DeliverySettings:
    """This app's settings, from the engine the session is bound to (none: deliver nothing)."""
    bind = (session or db.session).get_bind()
    found = bind.get_execution_options().get(SETTINGS_OPTION)
    return found if isinstance(found, DeliverySettings) else DeliverySettings()


def schedule(alert: Alert) -> list[AlertDelivery]:
    """Add the alert's missing delivery rows and enqueue them after commit (flushes)."""
    settings = bound_settings()
    targets: list[tuple[DeliveryChannel, str]] = []
    if settings.webhook_url:
        targets.append((DeliveryChannel.WEBHOOK, redacted(settings.webhook_url)))
    if settings.mail_server and settings.mail_sender:
        targets.extend((DeliveryChannel.EMAIL, a) for a in _supervisor_addresses(alert.region_id))
    existing = {(d.channel, d.target) for d in alert.deliveries}
    created = [
        AlertDelivery(channel=channel, target=target, status=DeliveryStatus.PENDING, attempts=0)
        for channel, target in targets
        if (channel, target) not in existing
    ]
    if created:
        alert.deliveries.extend(created)
        db.session.flush()
        enqueue_after_commit([d.id for d in created])
    return created


def _supervisor_addresses(region_id: int) -> list[str]:
    rows = db.session.scalars(
        select(User.email)
        .where(
            User.role == Role.SUPERVISOR,
            User.region_id == region_id,
            User.is_active.is_(True),
            User.email.is_not(None),
        )
        .order_by(User.id)
    )
    addresses: dict[str, str] = {}
    for email in rows:
        address = (email or "").strip()
        if address:
            addresses.setdefault(address.lower(), address)
    return list(addresses.values())


def enqueue_after_commit(delivery_ids: list[int]) -> None:
    """Note ids for the worker package's after-commit hook (dropped if the work rolls back)."""
    db.session.info.setdefault(ENQUEUE_KEY, []).extend(delivery_ids)


def is_claimable(now: datetime) -> Any:
    return (
        (AlertDelivery.status == DeliveryStatus.PENDING)
        & or_(AlertDelivery.claimed_until.is_(None), AlertDelivery.claimed_until < now)
        & or_(AlertDelivery.next_attempt_at.is_(None), AlertDelivery.next_attempt_at <= now)
    )


def claim(delivery_id: int, now: datetime, settings: DeliverySettings) -> Outgoing | None:
    """Hold a due pending delivery for the lease and say what to send (None: not ours now)."""
    won = rowcount(
        update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id, is_claimable(now))
        .values(claimed_until=now + timedelta(seconds=settings.lease_seconds))
    )
    if won != 1:
        return None
    delivery = db.session.get(AlertDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    alert = delivery.alert
    if alert.withdrawn_at is not None:
        reason: str | None = "alert withdrawn before delivery"
    elif delivery.channel == DeliveryChannel.WEBHOOK:
        reason = None if settings.webhook_url else "webhook no longer configured"
    else:
        reason = None if settings.mail_server and settings.mail_sender else "mail not configured"
    if reason is not None:
        # Nothing to send: final, and `flask alerts redeliver` tries it again once fixed.
        delivery.status, delivery.claimed_until = DeliveryStatus.FAILED, None
        delivery.last_error = reason
        db.session.flush()
        return None
    return _outgoing(delivery, alert)


def _outgoing(delivery: AlertDelivery, alert: Alert) -> Outgoing:
    region = db.session.get(Region, alert.region_id)
    assert region is not None
    inspection_uuid = (
        db.session.scalar(select(Inspection.uuid).where(Inspection.id == alert.inspection_id))
        if alert.inspection_id is not None
        else None
    )
    finding_code = (
        db.session.scalar(select(Finding.code).where(Finding.id == alert.finding_id))
        if alert.finding_id is not None
        else None
    )
    merchant = alert.merchant
    market = db.session.get(Market, merchant.market_id) if merchant.market_id else None
    document = {
        "alert": {
            "id": alert.id,
            "kind": alert.kind.value,
            "severity": alert.severity,
            "merchant_id": alert.merchant_id,
            "instrument_id": alert.instrument_id,
            "inspection_uuid": inspection_uuid,
            "created_at": alert.created_at.isoformat(),
            "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        },
        "district": {"code": region.code, "name_zh": region.name_zh, "name_en": region.name_en},
    }
    details = {
        "merchant": merchant.name,
        "stall_no": merchant.stall_no or "",
        "market_zh": market.name_zh if market else "",
        "market_en": market.name_en if market else "",
        "instrument": alert.instrument.code if alert.instrument else "",
        "finding_code": finding_code or "",
    }
    return Outgoing(delivery.id, alert.id, delivery.channel, delivery.target, document, details)


def record_delivered(delivery_id: int, now: datetime) -> bool:
    """Mark the delivery accepted (final). False when it was no longer pending."""
    return bool(
        rowcount(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, AlertDelivery.status == DeliveryStatus.PENDING)
            .values(
                status=DeliveryStatus.DELIVERED,
                delivered_at=now,
                attempts=AlertDelivery.attempts + 1,
                claimed_until=None,
                next_attempt_at=None,
                last_error=None,
            )
        )
    )


def record_failure(
    delivery_id: int, error: str, now: datetime, settings: DeliverySettings
) -> datetime | None:
    """Count a failed attempt: the time of the next one, or None when it gave up (failed)."""
    delivery = db.session.get(AlertDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    attempts = delivery.attempts + 1
    gave_up = attempts >= settings.max_attempts
    next_at = None if gave_up else now + settings.backoff(attempts)
    rowcount(
        update(AlertDelivery)
        .where(
            AlertDelivery.id == delivery_id,
            AlertDelivery.status == DeliveryStatus.PENDING,
            AlertDelivery.attempts == delivery.attempts,
        )
        .values(
            attempts=attempts,
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
            next_attempt_at=next_at,
            claimed_until=None,
            last_error=error[:_ERROR_MAX],
        )
    )
    return next_at


def rowcount(statement: Executable) -> int:
    """Rows an UPDATE matched (the ORM session state is not synchronised: rows are re-read)."""
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    assert isinstance(result, CursorResult)
    return result.rowcount
