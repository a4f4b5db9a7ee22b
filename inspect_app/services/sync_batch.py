"""The batch path of ``sync/push``: judge every item first, then insert the stored ones together.

Phases (docs/sync-protocol.md, "Batch-at-a-time ingest"):

1. **read**: the caller has read the stored records with the batch's uuids; here everything
   the new items cite (merchants, instruments, corrected records) is read, one query per kind
   (:class:`~inspect_app.services.sync_lookups.Lookups`);
2. **judge**: each item in the order sent, without a query or a flush: a refusal, a replay of
   a stored record, or a built record. A built record counts as stored for the later items
   (a correction of it, a second correction of the same original, its uuid again);
3. **insert**: the built records in one savepoint, one executemany ``INSERT`` per table (one
   more round each time an item corrects a record of the same batch), then the stored rows
   read back once, as ORM objects with their findings;
4. **answer**: the results and audit hashes of the rows read back, one query for received
   photos.

If the insert fails (a uuid or correction committed by another connection since phase 1, or
a row the database refuses), its savepoint rolls back, nothing of the batch is kept and
:func:`store_batch` returns None: the caller stores the batch again item by item
(``sync_items``), the path that decides each race and each refused row for one item alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert as insert_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.forms import FormDefinition, validate_answers
from inspect_app.domain.rulepacks import RulePack
from inspect_app.extensions import db
from inspect_app.formdefs import FormRegistry
from inspect_app.models import Device, Finding, Inspection, InspectionAttachment, Instrument, User
from inspect_app.services import audit_records
from inspect_app.services.inspection_draft import InspectionDraft
from inspect_app.services.inspection_record import (
    ItemResult,
    PushItem,
    Rejected,
    definition_for,
    result_for,
    results_for,
)
from inspect_app.services.sync_lookups import Lookups

#: The push's one log, whichever phase writes to it.
logger = logging.getLogger("inspect_app.services.sync_push")

#: Failures of the database or the process, not of the item: they fail the request (a 5xx
#: the client retries later) instead of parking a sound record as rejected.
SERVER_FAILURES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # connection lost, lock or statement timeout, serialisation
    sa_exc.InterfaceError,
    sa_exc.InternalError,  # e.g. PostgreSQL's "current transaction is aborted"
    sa_exc.TimeoutError,  # connection pool exhausted
    sa_exc.PendingRollbackError,
    MemoryError,
)

#: ``inspection_record.build_inspection``, passed in by ``sync_push`` (tests replace it there).
Build = Callable[
    [User, Device | None, PushItem, FormDefinition, FormRegistry, RulePack, datetime, Lookups],
    InspectionDraft,
]


@dataclass(frozen=True)
class Push:
    """What every item of one push shares."""

    actor: User
    device: Device | None
    forms: FormRegistry
    pack: RulePack
    now: datetime
    lang: str
    build: Build


@dataclass
class BatchEffects:
    """What to write once every item is in: audit entries and instrument cache updates."""

    created: list[Inspection] = field(default_factory=list)
    instruments: dict[int, Instrument] = field(default_factory=dict)
    #: ``record_sha256`` by uuid when already computed from the rows read back, else None.
    digests: dict[str, str] | None = None

    def note(self, inspection: Inspection) -> None:
        self.created.append(inspection)
        if inspection.instrument_id is not None:
            instrument = db.session.get(Instrument, inspection.instrument_id)  # identity map
            if instrument is not None:
                self.instruments[instrument.id] = instrument


def replay(
    item: PushItem, stored: Inspection | InspectionDraft, stored_result: ItemResult | None = None
) -> ItemResult:
    """A resend: the original result when the content matches, a conflict otherwise."""
    if stored.content_sha256 != item.content_sha256:
        return ItemResult(item.uuid, "conflict", code="SYNC_UUID_CONFLICT")
    if stored_result is not None:
        return replace(stored_result, status="duplicate")
    assert isinstance(stored, Inspection)
    return result_for(stored, "duplicate")


def unprocessable(item: PushItem) -> ItemResult:
    return ItemResult(item.uuid, "rejected", code="ITEM_UNPROCESSABLE")


def judge(push: Push, item: PushItem, lookups: Lookups) -> InspectionDraft:
    """Decision tree steps 3 to 7 for one item: the record to store, built, not yet added.

    :raises Rejected: the item's refusal.
    """
    definition = definition_for(push.forms, item.form_key, item.form_version)
    issues = validate_answers(definition, item.answers)
    if issues:
        errors: dict[str, list[str]] = {}
        for issue in issues:
            message = issue.message_zh if push.lang == "zh" else issue.message_en
            errors.setdefault(issue.path or "_schema", []).append(message)
        raise Rejected("VALIDATION_FAILED", errors)
    return push.build(
        push.actor, push.device, item, definition, push.forms, push.pack, push.now, lookups
    )


def _judge_safely(push: Push, item: PushItem, lookups: Lookups) -> InspectionDraft | ItemResult:
    try:
        return judge(push, item, lookups)
    except Rejected as rejection:
        return rejection.result(item.uuid)
    except SERVER_FAILURES:
        raise
    except Exception:
        logger.exception("Push item %s by user %s could not be stored", item.uuid, push.actor.id)
        return unprocessable(item)


def _definition(forms: FormRegistry, item: PushItem) -> FormDefinition | None:
    try:
        return definition_for(forms, item.form_key, item.form_version)
    except Rejected:
        return None


def store_batch(
    push: Push, items: Sequence[PushItem | ItemResult], existing: Mapping[str, Inspection]
) -> tuple[list[ItemResult], BatchEffects] | None:
    """One result per item in the order sent, and the batch's effects; None when the insert
    failed and nothing was kept (then store the batch item by item)."""
    lookups = Lookups()
    fresh = [i for i in items if isinstance(i, PushItem) and i.uuid not in existing]
    lookups.prefetch((_definition(push.forms, i), i.answers, i.supersedes) for i in fresh)
    # A resend's answers, described together (one query for the photos received).
    resent = dict(zip(existing, results_for(list(existing.values()), "duplicate"), strict=True))
    results: list[ItemResult | None] = []
    refused: dict[str, ItemResult] = {}
    for item in items:
        if isinstance(item, ItemResult):
            results.append(item)
        elif item.uuid in existing:
            results.append(replay(item, existing[item.uuid], resent[item.uuid]))
        elif item.uuid in lookups.pending:
            results.append(None)  # the same record again: answered once it is stored
        elif item.uuid in refused:
            results.append(refused[item.uuid])  # refused again, for the same reason
        else:
            outcome = _judge_safely(push, item, lookups)
            if isinstance(outcome, ItemResult):
                refused[item.uuid] = outcome
                results.append(outcome)
            else:
                lookups.claim(outcome, item.supersedes)
                results.append(None)
    drafts = list(lookups.pending.values())  # in the order sent
    ids = insert(drafts, lookups) if drafts else {}
    if ids is None:
        return None
    stored = load(ids.values())
    records = [stored[ids[draft.uuid]] for draft in drafts]
    created = dict(zip(lookups.pending, results_for(records, "created"), strict=True))
    answered: set[str] = set()
    for index, (item, result) in enumerate(zip(items, results, strict=True)):
        if result is None:
            assert isinstance(item, PushItem)
            if item.uuid in answered:  # the same uuid again, after the stored one
                result = replay(item, lookups.pending[item.uuid], created[item.uuid])
            results[index] = result or created[item.uuid]
            answered.add(item.uuid)
    effects = BatchEffects(digests={record.uuid: digest(record) for record in records})
    for record in records:
        effects.note(record)
    return [r for r in results if r is not None], effects


def load(ids: Iterable[int]) -> dict[int, Inspection]:
    """The stored inspections, read back as the database holds them, with their findings."""
    rows = db.session.scalars(
        select(Inspection)
        .where(Inspection.id.in_(list(ids)))
        .options(selectinload(Inspection.findings), selectinload(Inspection.attachments))
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def digest(inspection: Inspection) -> str:
    """The ``record_sha256`` of an inspection read back from the database (the same rule and
    columns as :func:`audit_records.digests_by_uuid`, without reading it a second time)."""
    return audit_records.record_digest(
        {column.key: getattr(inspection, column.key) for column in audit_records.RECORD_COLUMNS},
        [
            {column.key: getattr(f, column.key) for column in audit_records.FINDING_COLUMNS}
            for f in inspection.findings
        ],
    )


def insert(records: Sequence[InspectionDraft], lookups: Lookups) -> dict[str, int] | None:
    """Insert ``records`` and their findings and photo references in one savepoint.

    :returns: the new ids by uuid, or None if the savepoint was rolled back (nothing kept).

    One executemany ``INSERT`` per table (Core, no unit of work), the new ids read back by
    uuid; a record that corrects another of the same batch starts a new round, so the
    original has its id when the correction needs it. Ids follow the order sent.
    """
    ids: dict[str, int] = {}
    try:
        with db.session.begin_nested():
            segment: list[InspectionDraft] = []
            for record in records:
                original = lookups.pending_original(record)
                if original is not None and original.uuid not in ids:
                    _insert_segment(segment, lookups, ids)  # the original is in this one
                    segment = []
                segment.append(record)
            _insert_segment(segment, lookups, ids)
    except SERVER_FAILURES:
        raise
    except sa_exc.IntegrityError:
        # A race lost to another connection, or a row a constraint refuses: expected.
        logger.info("Bulk insert of %d records met a constraint; item by item", len(records))
        return None
    except Exception:
        # Not expected: the item-by-item path finds the item (or the bug) and answers for it.
        logger.exception("Bulk insert of %d records failed; item by item", len(records))
        return None
    return ids


def _insert_segment(segment: list[InspectionDraft], lookups: Lookups, ids: dict[str, int]) -> None:
    rows = []
    for record in segment:
        original = lookups.pending_original(record)
        if original is not None:
            record.supersedes_id = ids[original.uuid]
        rows.append(record.row())
    for run in _runs(rows):
        db.session.execute(insert_(Inspection), run)
    # Read the ids back by uuid rather than with RETURNING: a plain executemany is the
    # driver's fast path on both engines (a RETURNING insert becomes one statement with a
    # parameter per value, 12 000 for 500 rows, which PostgreSQL parses slowly).
    uuids = [record.uuid for record in segment]
    query = select(Inspection.uuid, Inspection.id).where(Inspection.uuid.in_(uuids))
    ids.update((uuid, id_) for uuid, id_ in db.session.execute(query))
    findings = [f | {"inspection_id": ids[r.uuid]} for r in segment for f in r.findings]
    photos = [p | {"inspection_id": ids[r.uuid]} for r in segment for p in r.photos]
    for model, model_rows in ((Finding, findings), (InspectionAttachment, photos)):
        for run in _runs(model_rows):
            db.session.execute(insert_(model), run)


def _runs(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive rows with the same keys (one executemany each; usually a single run)."""
    runs: list[list[dict[str, Any]]] = []
    for row in rows:
        if runs and runs[-1][0].keys() == row.keys():
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs
