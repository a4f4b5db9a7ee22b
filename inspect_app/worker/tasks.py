"""The tasks, bound to one app: each opens an app context, calls services, commits itself.

* ``deliver_alert(delivery_id)``: claim, send, record (:func:`run_delivery`); a failed attempt
  schedules itself again at the back-off time.
* every minute: ``retry_alert_deliveries`` (pending deliveries that are due and not held, e.g.
  lost with a worker that died mid-send) and ``mark_overdue_orders``;
* 02:00 district time: ``recompute_credit`` (daily credit snapshots).

Periodic tasks use Huey's own ``periodic_task`` and ``crontab``; Huey's crontab reads UTC, so
:func:`district_crontab` shifts the moment into the district's zone first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask
from huey import Huey, crontab

from inspect_app.domain.traffic_light import LOCAL_ZONE, local_today
from inspect_app.extensions import db
from inspect_app.models.types import utcnow
from inspect_app.services import alert_delivery, alert_redelivery, alert_transport
from inspect_app.services.alert_settings import DeliverySettings

if TYPE_CHECKING:
    from inspect_app.worker.queue import TaskQueue

log = logging.getLogger(__name__)


def run_delivery(
    delivery_id: int, settings: DeliverySettings, clock: Callable[[], datetime] | None = None
) -> datetime | None:
    """One attempt at one delivery (in an app context); the next attempt's time if it failed.

    Claim and commit; send with no transaction open; record and commit. A delivery that is
    not due, held by another worker, or already delivered is left alone.
    """
    clock = clock or utcnow
    outgoing = alert_delivery.claim(delivery_id, clock(), settings)
    db.session.commit()
    if outgoing is None:
        return None
    try:
        alert_transport.send(outgoing, settings)
    except Exception as exc:  # counted like any failure, so a bug cannot retry for ever
        if isinstance(exc, alert_transport.DeliveryFailed):
            reason = str(exc)
        else:
            log.exception("alert delivery %s: unexpected error while sending", delivery_id)
            reason = f"internal error ({type(exc).__name__})"
        next_at = alert_delivery.record_failure(delivery_id, reason, clock(), settings)
        db.session.commit()
        log.warning(
            "alert %s delivery %s (%s) failed: %s; %s",
            outgoing.alert_id,
            delivery_id,
            outgoing.channel.value,
            reason,
            f"next attempt at {next_at.isoformat()}" if next_at else "gave up",
        )
        return next_at
    alert_delivery.record_delivered(delivery_id, clock())
    db.session.commit()
    log.info(
        "alert %s delivery %s (%s) delivered",
        outgoing.alert_id,
        delivery_id,
        outgoing.channel.value,
    )
    return None


def district_crontab(**fields: str) -> Callable[[datetime], bool]:
    """Huey's ``crontab`` read on the district's clock (Asia/Shanghai) instead of UTC."""
    matches = crontab(**fields)

    def validate(moment: datetime) -> bool:
        local = moment.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)
        return bool(matches(local))

    return validate


@dataclass(frozen=True)
class Tasks:
    deliver_alert: Any
    retry_alert_deliveries: Any
    mark_overdue_orders: Any
    recompute_credit: Any


def register(huey: Huey, app: Flask, queue: TaskQueue) -> Tasks:
    """Define this app's tasks on its Huey instance."""

    def deliver_alert(delivery_id: int) -> None:
        with app.app_context():
            next_at = run_delivery(delivery_id, queue.settings)
        if next_at is not None:
            queue.enqueue_delivery(delivery_id, eta=next_at)

    def retry_alert_deliveries() -> None:
        with app.app_context():
            due = alert_redelivery.due(utcnow())
            db.session.rollback()
        for delivery_id in due:
            queue.enqueue_delivery(delivery_id)

    def mark_overdue_orders() -> None:
        from inspect_app.services import orders

        with app.app_context():
            now = utcnow()
            overdue = orders.mark_overdue(local_today(now), now)
            db.session.commit()
        if overdue:
            log.info("%d order(s) became overdue", len(overdue))

    def recompute_credit() -> None:
        """The nightly pass: statuses that change with the date alone (a verification that ran
        out overnight), then every grade (caps lift with time alone)."""
        from inspect_app.services import credit, instrument_status

        with app.app_context():
            now = utcnow()
            today = local_today(now)
            changed = instrument_status.refresh_by_date(today)
            db.session.commit()
            credit.recompute_all(today, trigger="daily", now=now, after_chunk=db.session.commit)
            db.session.commit()
        if changed:
            log.info("%d instrument status(es) changed with the date", changed)

    every_minute = crontab()
    return Tasks(
        deliver_alert=huey.task(name="deliver_alert")(deliver_alert),
        retry_alert_deliveries=huey.periodic_task(every_minute, name="retry_alert_deliveries")(
            retry_alert_deliveries
        ),
        mark_overdue_orders=huey.periodic_task(every_minute, name="mark_overdue_orders")(
            mark_overdue_orders
        ),
        recompute_credit=huey.periodic_task(
            district_crontab(minute="0", hour="2"), name="recompute_credit"
        )(recompute_credit),
    )
