"""The append-only, keyed hash chain of audit entries and its checkpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.extensions import Base
from inspect_app.models.types import UTCDateTime, utcnow

#: Name of the engine execution option that carries ``AUDIT_KEY`` to the audit service.
#: ``config.load_config`` sets it on each app's engine; services read it from the session's
#: bind, so they never import Flask and two apps in one process keep their own keys.
AUDIT_KEY_OPTION = "inspect_audit_key"


class AuditEntry(Base):
    """One ledger entry. ``entry_hash`` is an HMAC of every field and the previous entry's hash.

    ``prev_hash`` is unique: two writers that read the same head cannot both append, so the
    chain can never fork, whatever the locking above it does.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint("length(entry_hash) = 64", name="entry_hash_length"),
        CheckConstraint("length(prev_hash) = 64", name="prev_hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    #: Indexed: verification looks up the create entry of every inspection.
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """The chain's head as last written: one row, updated in the transaction of every append.

    A chain whose last entries were deleted is still a valid chain; this row (its own HMAC
    in ``mac``) is what says it used to be longer. No foreign key to ``audit_entry``: the row
    is evidence about entries, and must outlive the ones someone deletes.
    """

    __tablename__ = "audit_checkpoint"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("entry_count >= 1", name="entry_count_positive"),
        CheckConstraint("length(entry_hash) = 64", name="entry_hash_length"),
        CheckConstraint("length(mac) = 64", name="mac_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int]
    entry_count: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
