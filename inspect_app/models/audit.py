"""The append-only, hash-chained audit ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.extensions import Base
from inspect_app.models.types import UTCDateTime, utcnow


class AuditEntry(Base):
    """One ledger entry. ``entry_hash`` covers every field and the previous entry's hash.

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
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
