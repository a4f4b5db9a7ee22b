"""The change log that drives ``sync/pull``: one row per upsert or delete of reference data."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.extensions import Base
from inspect_app.models.types import str_enum


class ChangeOp(enum.StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class ChangeLogEntry(Base):
    """``seq`` is the pull cursor. ``region_id`` None means every region sees the change.

    A row's data is read at pull time, so several changes to one row collapse into one.
    Deletes stay as tombstones so that devices drop rows they cached.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_region_seq", "region_id", "seq"),)

    seq: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    op: Mapped[ChangeOp] = mapped_column(str_enum(ChangeOp, "change_op"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
