"""``sync/push``: store a batch of inspections, each on its own, exactly once.

Decision tree for one item (early returns; what each outcome means to a client is in
docs/sync-protocol.md, section 3):

1. the envelope failed its schema                      → rejected VALIDATION_FAILED
2. the uuid exists: same content hash → duplicate (the original result); else → conflict
3. unknown form / version, or a closed form             → rejected FORM_*
4. answers fail the form definition                     → rejected VALIDATION_FAILED
5. unknown merchant or instrument, or another region    → rejected *_UNKNOWN / OUT_OF_REGION
6. supersedes an unknown uuid → rejected; an already superseded one → stale
7. the measurements cannot be evaluated                 → rejected MEASUREMENT_INVALID
8. otherwise                                            → created, with the server's verdict
9. anything else fails for this one item                → rejected ITEM_UNPROCESSABLE (logged)

Batch at a time (docs/sync-protocol.md, "Batch-at-a-time ingest"): every item is judged
first, with what the batch cites read in a few queries, and the records to store are inserted
together in one savepoint (``sync_batch``). Should that insert fail (a uuid or correction
committed by another connection in the meantime, a row the database refuses), the savepoint
rolls back and the batch is stored item by item, each in its own savepoint (``sync_items``):
there the database's unique constraints (inspection uuid, supersedes) decide each race, the
loser is re-read as a duplicate (or stale), and one bad row sinks only its item. Either way
the batch's audit entries, change-log rows and after-insert hooks are written once, after the
inserts, so the locks they take are held only briefly and never while waiting on a row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from inspect_app.domain.rulepacks import RulePack
from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.formdefs import FormRegistry
from inspect_app.models import Device, Inspection, Order, User
from inspect_app.models.types import utcnow
from inspect_app.services import audit, audit_records, enforcement, reference, rollups
from inspect_app.services.inspection_record import ItemResult, PushItem, build_inspection
from inspect_app.services.sync_batch import BatchEffects, Push, store_batch
from inspect_app.services.sync_items import store_items, stored

logger = logging.getLogger(__name__)


def _after_insert_hooks(created: Sequence[Inspection], forms: FormRegistry, now: datetime) -> None:
    """Everything that reacts to a batch's new records, in order; the one place to add one.

    Each hook gets the created inspections as ORM objects, in the order sent, with their ids
    and ``findings`` loaded, after the audit entries and change-log rows are written.
    """
    # Orders and alerts act as soon as the record is stored (the notice is handed over at
    # the stall); review decides later what counts for scores.
    enforcement.after_ingest(created, forms.violations, now)
    rollups.after_ingest(created)  # the dashboards' read models


def push_batch(
    actor: User,
    device: Device | None,
    items: Sequence[PushItem | ItemResult],
    forms: FormRegistry,
    pack: RulePack,
    lang: str = "en",
    received_at: datetime | None = None,
) -> list[ItemResult]:
    """Store each valid item once and return one result per item, in the order sent.

    :param items: envelopes that passed the wire schema, or ready-made ``rejected`` results
        for those that did not (so the results keep the order sent).
    :param lang: ``zh`` or ``en``, for the field messages of rejected items.
    :param received_at: the server time to record; only back-fills (the demo) pass one.
    """
    now = received_at or utcnow()
    push = Push(actor, device, forms, pack, now, lang, build_inspection)
    existing = stored(i.uuid for i in items if isinstance(i, PushItem))
    outcome = store_batch(push, items, existing)
    if outcome is None:  # the bulk insert met a race or a refused row: nothing was kept
        outcome = store_items(push, items)
    results, effects = outcome
    _record(actor, effects)
    _after_insert_hooks(effects.created, forms, now)
    results = _with_closed_orders(results)
    logger.info("Push by user %s: %d items, %d created", actor.id, len(items), len(effects.created))
    return results


def _record(actor: User, effects: BatchEffects) -> None:
    """The batch's audit entries and the change-log rows of the instruments it touched."""
    # Each entry vouches for the record as stored: the hash is of the rows read back.
    records = effects.digests
    if records is None:
        records = audit_records.digests_by_uuid([i.uuid for i in effects.created])
    audit.record_many(
        actor,
        [
            audit.Event(
                audit.INSPECTION_CREATE,
                "inspection",
                inspection.uuid,
                {
                    "verdict": inspection.verdict.value,
                    "supersedes": inspection.supersedes_id,
                    "record_sha256": records[inspection.uuid],
                },
            )
            for inspection in effects.created
        ],
    )
    for instrument in effects.instruments.values():
        reference.touch_instrument(instrument)


def _with_closed_orders(results: list[ItemResult]) -> list[ItemResult]:
    """Add the orders each stored record closed, read after the hooks ran (one query).

    Read from the orders themselves (``closed_by_inspection_id``), so a resend (``duplicate``)
    is told the same as the first answer while the order stays closed by that record.
    """
    uuids = [r.uuid for r in results if r.status in ("created", "duplicate")]
    if not uuids:
        return results
    closed: dict[str, list[int]] = {}
    rows = db.session.execute(
        select(Inspection.uuid, Order.id)
        .join(Order, Order.closed_by_inspection_id == Inspection.id)
        .where(Inspection.uuid.in_(uuids))
        .order_by(Order.id)
    )
    for uuid, order_id in rows:
        closed.setdefault(uuid, []).append(order_id)
    return [replace(r, closed_orders=closed[r.uuid]) if r.uuid in closed else r for r in results]


def rejected(uuid: str, code: str, errors: dict[str, Any] | None = None) -> ItemResult:
    """A result for an item refused before it reached the service (wire schema errors)."""
    assert code in CATALOGUE
    return ItemResult(uuid, "rejected", code=code, errors=errors)
