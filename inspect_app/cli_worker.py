"""``flask worker`` (the Huey consumer) and ``flask alerts …`` (delivery housekeeping)."""

from __future__ import annotations

import logging

import click

from inspect_app.extensions import db
from inspect_app.models.types import utcnow
from inspect_app.services import alert_redelivery
from inspect_app.worker import task_queue


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
@click.option("--no-periodic", is_flag=True, help="Leave the every-minute and daily jobs out.")
def worker_command(workers: int, no_periodic: bool) -> None:
    """Run the background worker until Ctrl-C: alert delivery, overdue orders, daily credit.

    Deliveries left pending by a worker that stopped are enqueued again first (each at the
    time it may be tried), so nothing waits for the minute's sweep.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    queue = task_queue()
    if queue.huey.immediate:
        raise click.UsageError("TASK_QUEUE_IMMEDIATE is set: there is no queue to consume")
    pending = alert_redelivery.pending_with_eta()
    db.session.rollback()
    now = utcnow()
    for delivery_id, eta in pending:
        queue.enqueue_delivery(delivery_id, eta=eta if eta is not None and eta > now else None)
    if pending:
        click.echo(f"{len(pending)} pending alert deliveries enqueued", err=True)
    queue.consumer(workers=workers, periodic=not no_periodic).run()


@click.group("alerts")
def alerts_group() -> None:
    """Alert delivery (webhook, e-mail)."""


@alerts_group.command("redeliver")
def alerts_redeliver() -> None:
    """Try again now: failed deliveries, pending ones, and open alerts without any delivery."""
    result = alert_redelivery.redeliver()
    db.session.commit()
    click.echo(
        f"{result.revived} failed made pending, {result.created} created, "
        f"{result.enqueued} enqueued"
    )


@alerts_group.command("list")
@click.option("--limit", default=20, show_default=True)
def alerts_list(limit: int) -> None:
    """Deliveries by status, then the newest ones (webhook addresses without their keys)."""
    counts = alert_redelivery.counts()
    click.echo(", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "none")
    for d in alert_redelivery.recent(limit):
        when = d.delivered_at or d.next_attempt_at
        click.echo(
            f"#{d.id} alert {d.alert_id} {d.channel.value:<7} {d.status.value:<9} "
            f"attempts {d.attempts}  {d.target}  {when.isoformat() if when else '-'}"
            + (f"  last error: {d.last_error}" if d.last_error else "")
        )
