"""Operating alert delivery: what is due, trying everything again, and what the operator sees.

``flask alerts redeliver`` and the worker's sweeps call these; sending itself is
:mod:`inspect_app.services.alert_delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from inspect_app.extensions import db
from inspect_app.models import Alert, AlertDelivery
from inspect_app.models.alert import DeliveryStatus
from inspect_app.services.alert_delivery import (
    ENQUEUE_KEY,
    enqueue_after_commit,
    is_claimable,
    rowcount,
    schedule,
)


def due(now: datetime, limit: int = 500) -> list[int]:
    """Pending deliveries that may be tried now (not held by a worker), oldest first."""
    return list(
        db.session.scalars(
            select(AlertDelivery.id)
            .where(is_claimable(now))
            .order_by(AlertDelivery.id)
            .limit(limit)
        )
    )


def pending_with_eta() -> list[tuple[int, datetime | None]]:
    """Every pending delivery with the earliest time it may be tried (None: now)."""
    rows = db.session.execute(
        select(AlertDelivery.id, AlertDelivery.next_attempt_at, AlertDelivery.claimed_until)
        .where(AlertDelivery.status == DeliveryStatus.PENDING)
        .order_by(AlertDelivery.id)
    )
    return [(i, max((t for t in (n, c) if t is not None), default=None)) for i, n, c in rows]


@dataclass(frozen=True)
class Redelivery:
    revived: int  # failed deliveries made pending again
    created: int  # rows added for alerts that had none
    enqueued: int  # pending deliveries enqueued after commit


def redeliver() -> Redelivery:
    """Try everything not yet delivered now, and add rows for open alerts that have none.

    Failed deliveries of alerts still standing become pending with their attempts reset, and
    pending ones waiting out a back-off become due; an open alert (not acknowledged, not
    withdrawn) without any delivery row gets its rows (a webhook or mail configured after it
    was raised); then every pending delivery is enqueued after commit. A worker that was down
    loses nothing.
    """
    standing = select(Alert.id).where(Alert.withdrawn_at.is_(None))
    revived = rowcount(
        update(AlertDelivery)
        .where(
            AlertDelivery.status == DeliveryStatus.FAILED,
            AlertDelivery.alert_id.in_(standing),
        )
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, claimed_until=None)
    )
    # Pending ones waiting out a back-off: now (one a worker holds keeps its lease).
    rowcount(
        update(AlertDelivery)
        .where(AlertDelivery.status == DeliveryStatus.PENDING)
        .values(next_attempt_at=None)
    )
    bare = db.session.scalars(
        select(Alert).where(
            Alert.withdrawn_at.is_(None),
            Alert.acknowledged_at.is_(None),
            ~Alert.deliveries.any(),
        )
    ).all()
    created = sum(len(schedule(alert)) for alert in bare)
    db.session.info.pop(ENQUEUE_KEY, None)
    pending = [i for i, _eta in pending_with_eta()]
    enqueue_after_commit(pending)
    return Redelivery(revived=revived, created=created, enqueued=len(pending))


def counts() -> dict[str, int]:
    """Deliveries by status (``flask alerts list``)."""
    rows = db.session.execute(
        select(AlertDelivery.status, func.count(AlertDelivery.id)).group_by(AlertDelivery.status)
    )
    return {status.value: n for status, n in rows}


def recent(limit: int = 20) -> list[AlertDelivery]:
    """The newest deliveries with their alerts, for the operator."""
    return list(
        db.session.scalars(select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit))
    )
