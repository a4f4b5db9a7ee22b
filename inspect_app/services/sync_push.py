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

Each item runs in a savepoint, so one bad item never sinks the batch. The database's unique
constraints (inspection uuid, supersedes) are what make this hold when two connections push
the same batch at once: the loser's insert fails, its savepoint rolls back, and the item is
re-read as a duplicate (or stale). Audit entries and change-log rows are written after all
inserts, so the locks they take are held only briefly and never while waiting on a row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.domain.forms import validate_answers
from inspect_app.domain.rulepacks import RulePack
from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.formdefs import FormRegistry
from inspect_app.models import Device, Inspection, Instrument, User
from inspect_app.models.types import utcnow
from inspect_app.services import audit, audit_records, reference
from inspect_app.services.inspection_record import (
    InstrumentCache,
    ItemResult,
    PushItem,
    Rejected,
    build_inspection,
    definition_for,
    result_for,
)

logger = logging.getLogger(__name__)

#: Failures of the database or the process, not of the item: they fail the request (a 5xx
#: the client retries later) instead of parking a sound record as rejected.
_SERVER_FAILURES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # connection lost, lock or statement timeout, serialisation
    sa_exc.InterfaceError,
    sa_exc.InternalError,  # e.g. PostgreSQL's "current transaction is aborted"
    sa_exc.TimeoutError,  # connection pool exhausted
    sa_exc.PendingRollbackError,
    MemoryError,
)


@dataclass
class _BatchEffects:
    """What to write once every item is in: audit entries and instrument cache updates."""

    created: list[Inspection] = field(default_factory=list)
    instruments: dict[int, Instrument] = field(default_factory=dict)
    #: Instrument lookups by QR token or code, valid for the whole batch (one transaction).
    lookups: InstrumentCache = field(default_factory=dict)


def _existing(uuids: Iterable[str]) -> dict[str, Inspection]:
    rows = db.session.scalars(select(Inspection).where(Inspection.uuid.in_(list(uuids))))
    return {row.uuid: row for row in rows}


def _replay(item: PushItem, stored: Inspection) -> ItemResult:
    """A resend: the original result when the content matches, a conflict otherwise."""
    if stored.content_sha256 == item.content_sha256:
        return result_for(stored, "duplicate")
    return ItemResult(item.uuid, "conflict", code="SYNC_UUID_CONFLICT")


def _store_one(
    actor: User,
    device: Device | None,
    item: PushItem,
    forms: FormRegistry,
    pack: RulePack,
    now: datetime,
    effects: _BatchEffects,
    lang: str,
) -> ItemResult:
    """Store one item in its own savepoint and answer for it; never fails the batch for it.

    Refusals are :class:`Rejected`; a lost race on a unique index is re-read (duplicate,
    conflict or stale). Anything else that goes wrong with this item (a value a database
    refuses, a bug met by odd data) rolls its savepoint back, is logged with its uuid and is
    answered ``rejected ITEM_UNPROCESSABLE``, and the batch goes on. Failures of the database
    itself (:data:`_SERVER_FAILURES`) propagate: the request fails and the client retries.
    """
    try:
        return _store_in_savepoint(actor, device, item, forms, pack, now, effects, lang)
    except Rejected as rejection:
        return rejection.result(item.uuid)
    except IntegrityError:
        # Lost a race: the same uuid (or a correction of the same record) committed first.
        result = _after_race(item)
        if result is not None:
            return result
        logger.exception("Push item %s by user %s broke a constraint", item.uuid, actor.id)
        return _unprocessable(item)
    except _SERVER_FAILURES:
        raise
    except Exception:
        logger.exception("Push item %s by user %s could not be stored", item.uuid, actor.id)
        return _unprocessable(item)


def _store_in_savepoint(
    actor: User,
    device: Device | None,
    item: PushItem,
    forms: FormRegistry,
    pack: RulePack,
    now: datetime,
    effects: _BatchEffects,
    lang: str,
) -> ItemResult:
    """Decision tree steps 3 to 8; the batch's effects are noted only once the item is in."""
    definition = definition_for(forms, item.form_key, item.form_version)
    issues = validate_answers(definition, item.answers)
    if issues:
        errors: dict[str, list[str]] = {}
        for issue in issues:
            message = issue.message_zh if lang == "zh" else issue.message_en
            errors.setdefault(issue.path or "_schema", []).append(message)
        raise Rejected("VALIDATION_FAILED", errors)
    with db.session.begin_nested():
        inspection = build_inspection(
            actor, device, item, definition, forms, pack, now, effects.lookups
        )
        db.session.add(inspection)
        db.session.flush()
        # Inside the savepoint: should describing it fail, the row goes with it.
        result = result_for(inspection, "created")
        instrument = (
            None
            if inspection.instrument_id is None
            else db.session.get(Instrument, inspection.instrument_id)  # identity map hit
        )
    effects.created.append(inspection)
    if instrument is not None:
        effects.instruments[instrument.id] = instrument
    return result


def _unprocessable(item: PushItem) -> ItemResult:
    return ItemResult(item.uuid, "rejected", code="ITEM_UNPROCESSABLE")


def _after_race(item: PushItem) -> ItemResult | None:
    """The answer for an item whose insert hit a unique index, or None if it was another one."""
    stored = db.session.scalar(select(Inspection).where(Inspection.uuid == item.uuid))
    if stored is not None:
        return _replay(item, stored)
    if item.supersedes is not None:
        return ItemResult(item.uuid, "stale", code="SYNC_SUPERSEDE_STALE")
    return None


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
    existing = _existing(i.uuid for i in items if isinstance(i, PushItem))
    seen: dict[str, ItemResult] = {}
    effects = _BatchEffects()
    results: list[ItemResult] = []
    for item in items:
        if isinstance(item, ItemResult):
            results.append(item)
            continue
        if item.uuid in existing:
            results.append(_replay(item, existing[item.uuid]))
        elif item.uuid in seen:
            # The same record twice in one batch: answer like a resend.
            stored = _existing([item.uuid]).get(item.uuid)
            results.append(_replay(item, stored) if stored else seen[item.uuid])
        else:
            result = _store_one(actor, device, item, forms, pack, now, effects, lang)
            seen[item.uuid] = result
            results.append(result)
    # Each entry vouches for the record as stored: the hash is of the rows read back.
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
    logger.info("Push by user %s: %d items, %d created", actor.id, len(items), len(effects.created))
    return results


def rejected(uuid: str, code: str, errors: dict[str, Any] | None = None) -> ItemResult:
    """A result for an item refused before it reached the service (wire schema errors)."""
    assert code in CATALOGUE
    return ItemResult(uuid, "rejected", code=code, errors=errors)
