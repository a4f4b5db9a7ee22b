"""The audit ledger: append-only, each entry hashing the one before it.

Rule: ``entry_hash = sha256(canonical JSON of {prev_hash, at, actor_id, action, entity,
entity_id, detail})``; the first entry's ``prev_hash`` is 64 zeros. Altering any stored field of
any entry changes its recomputed hash, which no longer matches ``entry_hash`` or the next
entry's ``prev_hash``; :func:`verify_chain` names the first entry where that happens.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, User
from inspect_app.models.types import utcnow

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
#: Arbitrary constant key for the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_303_001


def _entry_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: Mapping[str, Any],
) -> str:
    payload = {
        "prev_hash": prev_hash,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: concurrent appenders queue instead of failing on
        # the unique prev_hash. SQLite request transactions already begin IMMEDIATE.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    head = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    prev_hash = head or GENESIS_HASH
    actor_id = actor.id if actor is not None else None
    entries = []
    for event in events:
        at = utcnow()
        entity_key = None if event.entity_id is None else str(event.entity_id)
        body = dict(event.detail or {})
        entry_hash = _entry_hash(
            prev_hash, at, actor_id, event.action, event.entity, entity_key, body
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
    return entries


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
    """Result of :func:`verify_chain`: ``first_bad_id`` is None when the chain is intact."""

    checked: int
    first_bad_id: int | None
    reason: str | None


def _entries(batch: int = 1000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> ChainReport:
    """Recompute every hash in id order and report the first entry that does not match."""
    prev = GENESIS_HASH
    checked = 0
    for entry in _entries():
        checked += 1
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "prev_hash does not match the previous entry")
        expected = _entry_hash(
            entry.prev_hash,
            entry.at,
            entry.actor_id,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.detail,
        )
        if expected != entry.entry_hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        prev = entry.entry_hash
    return ChainReport(checked, None, None)
