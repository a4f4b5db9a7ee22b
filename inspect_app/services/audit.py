"""The audit ledger: append-only, each entry keyed to the one before it, the head checkpointed.

Rules (see docs/decisions.md, "Audit you can trust"):

* ``entry_hash = HMAC-SHA256(AUDIT_KEY, canonical JSON of {prev_hash, at, actor_id, action,
  entity, entity_id, detail})`` (RFC 2104); the first entry's ``prev_hash`` is 64 zeros. Without
  the key nobody can recompute a chain that verifies, so altering, inserting or deleting an
  entry in the middle shows, even when whoever did it re-hashed everything after it.
* Every ``inspection.create`` entry carries ``record_sha256``, the content hash of the stored
  inspection (:mod:`inspect_app.services.audit_records`), so an edit to the inspection's rows
  shows too, and so does its deletion.
* The single ``audit_checkpoint`` row holds the head (entry id, entry count, entry hash) under
  its own HMAC and is rewritten in the transaction of every append, which also logs the head:
  deleting the last entries leaves a valid but shorter chain, and the checkpoint says so.

:func:`verify_chain` names the first entry (or inspection) where any of this fails.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, select, text

from inspect_app.extensions import db
from inspect_app.models import AuditCheckpoint, AuditEntry, Inspection, User
from inspect_app.models.audit import AUDIT_KEY_OPTION
from inspect_app.models.types import utcnow
from inspect_app.services.audit_records import canonical_json, digests_by_uuid

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
INSPECTION_CREATE = "inspection.create"
#: Arbitrary constant key for the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_303_001
_CHECKPOINT_ID = 1


def bound_key() -> bytes:
    """This app's ``AUDIT_KEY``, from the engine the session is bound to.

    ``config.load_config`` puts the key in the engine's execution options: each app has its
    own engine, so the key travels with it, and this module needs no Flask import.
    """
    key = db.session.get_bind().get_execution_options().get(AUDIT_KEY_OPTION)
    if not key:
        raise RuntimeError("no AUDIT_KEY on this engine: build the app with create_app()")
    return str(key).encode()


def entry_mac(
    key: bytes,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: Mapping[str, Any],
) -> str:
    """The ``entry_hash`` of one entry: HMAC-SHA256 of its canonical JSON, hex."""
    payload = {
        "prev_hash": prev_hash,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    return hmac.new(key, canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def checkpoint_mac(key: bytes, entry_id: int, entry_count: int, entry_hash: str) -> str:
    """The MAC of a checkpoint; its payload cannot be mistaken for an entry's."""
    payload = {"checkpoint": {"entry_id": entry_id, "count": entry_count, "hash": entry_hash}}
    return hmac.new(key, canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def _checkpoint_valid(key: bytes, checkpoint: AuditCheckpoint) -> bool:
    expected = checkpoint_mac(
        key, checkpoint.entry_id, checkpoint.entry_count, checkpoint.entry_hash
    )
    return hmac.compare_digest(expected, checkpoint.mac)


@dataclass(frozen=True)
class Event:
    """One thing to record: ``action`` is a verb such as ``login`` or ``inspection.create``."""

    action: str
    entity: str
    entity_id: object | None = None
    detail: Mapping[str, Any] | None = None


def record_many(actor: User | None, events: Sequence[Event]) -> list[AuditEntry]:
    """Append entries in order, reading the chain's head once (flushes; the caller commits).

    :param actor: who did it, or None for the system (CLI, seeding).
    """
    if not events:
        return []
    key = bound_key()
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: concurrent appenders queue instead of failing on
        # the unique prev_hash. SQLite request transactions already begin IMMEDIATE.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    head = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    checkpoint = session.get(AuditCheckpoint, _CHECKPOINT_ID, populate_existing=True)
    prev_hash = head.entry_hash if head else GENESIS_HASH
    actor_id = actor.id if actor is not None else None
    entries = []
    for event in events:
        at = utcnow()
        entity_key = None if event.entity_id is None else str(event.entity_id)
        body = dict(event.detail or {})
        entry_hash = entry_mac(
            key, prev_hash, at, actor_id, event.action, event.entity, entity_key, body
        )
        entries.append(
            AuditEntry(
                at=at,
                actor_id=actor_id,
                action=event.action,
                entity=event.entity,
                entity_id=entity_key,
                detail=body,
                prev_hash=prev_hash,
                entry_hash=entry_hash,
            )
        )
        prev_hash = entry_hash
    session.add_all(entries)
    session.flush()
    _advance_checkpoint(key, head, checkpoint, entries)
    return entries


def _advance_checkpoint(
    key: bytes,
    head: Row[int, str] | None,
    checkpoint: AuditCheckpoint | None,
    entries: Sequence[AuditEntry],
) -> None:
    """Move the checkpoint to the new head, if it described the old head; log the new head.

    A checkpoint that no longer matches the chain (entries deleted from the end, the row
    deleted or forged) is left as found: it is the evidence ``flask audit verify`` reports,
    and refusing the append instead would stop sign-ins and sync over it.
    """
    last = entries[-1]
    if checkpoint is None and head is None:
        checkpoint = AuditCheckpoint(id=_CHECKPOINT_ID, entry_count=0)
        db.session.add(checkpoint)
    elif not (
        checkpoint is not None
        and head is not None
        and checkpoint.entry_id == head.id
        and checkpoint.entry_hash == head.entry_hash
        and _checkpoint_valid(key, checkpoint)
    ):
        logger.error(
            "Audit checkpoint does not match the chain head (entry %s); left for "
            "`flask audit verify` to report",
            head.id if head else None,
        )
        return
    checkpoint.entry_id = last.id
    checkpoint.entry_count += len(entries)
    checkpoint.entry_hash = last.entry_hash
    checkpoint.mac = checkpoint_mac(key, last.id, checkpoint.entry_count, last.entry_hash)
    db.session.flush()
    # An external copy of the head: a checkpoint row restored from an old backup together
    # with a truncated chain would still verify; the log would not agree with it.
    logger.info(
        "Audit head: entry %d, %d entries, hash %s",
        last.id,
        checkpoint.entry_count,
        last.entry_hash,
    )


def record(
    actor: User | None,
    action: str,
    entity: str,
    entity_id: object | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the ledger (see :func:`record_many`)."""
    return record_many(actor, [Event(action, entity, entity_id, detail)])[0]


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`.

    ``reason`` is None when everything checked out. Otherwise ``first_bad_id`` names the first
    bad entry and/or ``inspection_uuid`` the inspection concerned; an inspection that has no
    create entry at all has only the latter.
    """

    checked: int
    first_bad_id: int | None
    reason: str | None
    inspections: int = 0
    inspection_uuid: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None

    def describe(self) -> str:
        """One line for people: what was checked, or where it broke and why."""
        if self.intact:
            return (
                f"audit chain intact: {self.checked} entries, "
                f"{self.inspections} inspections checked"
            )
        if self.first_bad_id is None:
            return f"audit chain BROKEN at inspection {self.inspection_uuid}: {self.reason}"
        subject = "" if self.inspection_uuid is None else f"inspection {self.inspection_uuid} "
        return f"audit chain BROKEN at entry {self.first_bad_id}: {subject}{self.reason}"


_EntryRow = Row[int, datetime, int | None, str, str, str | None, dict[str, Any], str, str]


def _batches(size: int) -> Iterator[Sequence[_EntryRow]]:
    """Entries in id order, ``size`` at a time: memory stays flat however long the chain."""
    last_id = 0
    while True:
        rows = db.session.execute(
            select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.actor_id,
                AuditEntry.action,
                AuditEntry.entity,
                AuditEntry.entity_id,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.entry_hash,
            )
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(size)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _record_problem(entry: _EntryRow, stored: Mapping[str, str]) -> str | None:
    """What is wrong with the inspection an ``inspection.create`` entry vouches for."""
    digest = stored.get(entry.entity_id or "")
    if digest is None:
        return "deleted (its create entry remains)"
    expected = entry.detail.get("record_sha256")
    if not isinstance(expected, str):
        return "has a create entry without record_sha256"
    if not hmac.compare_digest(expected, digest):
        return (
            "differs from the record_sha256 of its create entry "
            "(answers, evaluation, verdict, findings or another stored field changed)"
        )
    return None


def _entry_problem(
    key: bytes, entry: _EntryRow, prev: str, stored: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """What is wrong with one entry (and the inspection it vouches for), if anything."""
    if entry.prev_hash != prev:
        return "prev_hash does not match the previous entry", None
    expected = entry_mac(
        key,
        entry.prev_hash,
        entry.at,
        entry.actor_id,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.detail,
    )
    if not hmac.compare_digest(expected, entry.entry_hash):
        return "content does not match its hash", None
    if entry.action == INSPECTION_CREATE:
        return _record_problem(entry, stored), entry.entity_id
    return None, None


def verify_chain(key: bytes | None = None, batch_size: int = 500) -> ChainReport:
    """Check every entry's MAC and link, every created inspection, and the checkpoint.

    :param key: the ``AUDIT_KEY`` to check against (default: the one this app writes with).
    """
    key = bound_key() if key is None else key
    # Read first: entries appended while the walk runs are then allowed after it.
    checkpoint = db.session.get(AuditCheckpoint, _CHECKPOINT_ID, populate_existing=True)
    checkpoint_ok = checkpoint is not None and _checkpoint_valid(key, checkpoint)
    expected_head = checkpoint.entry_id if checkpoint_ok and checkpoint else None
    prev = GENESIS_HASH
    checked = inspections = 0
    last_id: int | None = None
    reached_checkpoint = False
    for rows in _batches(batch_size):
        stored = digests_by_uuid(
            [r.entity_id for r in rows if r.action == INSPECTION_CREATE and r.entity_id]
        )
        for entry in rows:
            checked += 1
            problem, uuid = _entry_problem(key, entry, prev, stored)
            if problem is None and entry.id == expected_head and checkpoint is not None:
                if entry.entry_hash != checkpoint.entry_hash or checked != checkpoint.entry_count:
                    problem = (
                        f"not the head the checkpoint recorded ({checkpoint.entry_count} entries "
                        "ending here): entries were deleted and others appended"
                    )
                reached_checkpoint = True
            if problem is not None:
                return ChainReport(checked, entry.id, problem, inspections, uuid)
            if entry.action == INSPECTION_CREATE:
                inspections += 1
            prev, last_id = entry.entry_hash, entry.id
    if checkpoint is None:
        if checked:
            return ChainReport(
                checked,
                last_id,
                "the audit checkpoint is missing, so the chain's end cannot be confirmed",
                inspections,
            )
    elif not checkpoint_ok:
        return ChainReport(
            checked, checkpoint.entry_id, "the audit checkpoint does not match its MAC", inspections
        )
    elif not reached_checkpoint:
        return ChainReport(
            checked,
            checkpoint.entry_id,
            f"missing: the checkpoint records the chain ending at this entry with "
            f"{checkpoint.entry_count} entries, but it has {checked}"
            + (f" ending at entry {last_id}" if last_id is not None else "")
            + "; entries were deleted from the end",
            inspections,
        )
    orphan = db.session.scalar(
        select(Inspection.uuid)
        .where(
            ~exists().where(
                AuditEntry.action == INSPECTION_CREATE,
                AuditEntry.entity == "inspection",
                AuditEntry.entity_id == Inspection.uuid,
            )
        )
        .order_by(Inspection.id)
        .limit(1)
    )
    if orphan is not None:
        return ChainReport(
            checked, None, "no inspection.create entry records it", inspections, orphan
        )
    return ChainReport(checked, None, None, inspections)
