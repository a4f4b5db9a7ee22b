"""Enqueue alert deliveries after the transaction that created them commits, never before.

``services.alert_delivery`` notes delivery ids in ``Session.info``; these listeners, on the
``Session`` class once per process, hand them to the current app's queue when the outermost
transaction commits and forget them when it ends any other way (rollback, close). The worker
must never look for a row that is not committed yet, and a rolled-back alert sends nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from inspect_app.services.alert_delivery import ENQUEUE_KEY

log = logging.getLogger(__name__)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    delivery_ids = session.info.pop(ENQUEUE_KEY, None)
    if not delivery_ids or not has_app_context():
        return
    from inspect_app.worker.queue import EXTENSION_KEY

    queue: Any = current_app.extensions.get(EXTENSION_KEY)
    if queue is None:
        return
    for delivery_id in dict.fromkeys(delivery_ids):
        try:
            queue.enqueue_delivery(delivery_id)
        except Exception:  # the commit stands; the minute's sweep sends it
            log.warning(
                "could not enqueue alert delivery %s; the retry sweep will send it",
                delivery_id,
                exc_info=True,
            )


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(ENQUEUE_KEY, None)


def install() -> None:
    """Listen on every session of this process (idempotent: many apps share the class)."""
    for name, listener in (
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
