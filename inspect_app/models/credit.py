"""Honesty credit snapshots and risk-based inspection plans (双随机)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.place import Merchant
from inspect_app.models.types import UTCDateTime, str_enum, utcnow


class CreditSnapshot(Base):
    """One computation of a merchant's grade: its inputs, rule version and result.

    Append-only: any past grade can be explained from the row that produced it.
    """

    __tablename__ = "credit_snapshot"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("grade IN ('A', 'B', 'C', 'D', 'P')", name="grade_letter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rule_version: Mapped[str] = mapped_column(String(16))
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    grade: Mapped[str] = mapped_column(String(1))
    capped_by: Mapped[str | None] = mapped_column(String(64))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    #: The history the rule was given (inspections with their findings' facts).
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: What caused the recomputation: inspection, supersede, review, order, daily, demo, …
    trigger: Mapped[str] = mapped_column(String(32))


class MerchantGrade(Base):
    """The current grade of each merchant: the latest snapshot, kept for filtering and lists."""

    __tablename__ = "merchant_grade"
    __table_args__ = (
        CheckConstraint("grade IN ('A', 'B', 'C', 'D', 'P')", name="grade_letter"),
        # Merchants by grade on the dashboard (services/dashboard_registry.py).
        Index("ix_merchant_grade_grade_merchant_id", "grade", "merchant_id"),
    )

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("credit_snapshot.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    grade: Mapped[str] = mapped_column(String(1), index=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    merchant: Mapped[Merchant] = relationship()
    snapshot: Mapped[CreditSnapshot] = relationship()


class Selection(enum.StrEnum):
    RISK = "risk"
    RANDOM = "random"


class Plan(Base):
    """A dated, reproducible draw of whom to inspect and who inspects (双随机).

    ``seed`` and ``inputs`` (the candidates with their priorities, the inspectors, the rule
    version) are recorded so anyone can redraw it and get the same list.
    """

    __tablename__ = "inspection_plan"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("random_share >= 0 AND random_share <= 1", name="random_share_range"),
        # One plan per district and day: two supervisors drawing at once cannot both win.
        UniqueConstraint("region_id", "plan_date", name="uq_inspection_plan_region_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    size: Mapped[int] = mapped_column(Integer)
    random_share: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    seed: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[str] = mapped_column(String(16))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the subjects and results are published (双随机一公开).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.rank", cascade="all, delete-orphan"
    )


class PlanItem(Base):
    """One planned visit: a merchant, the inspector drawn for it, and why it is there."""

    __tablename__ = "inspection_plan_item"
    __table_args__ = (
        UniqueConstraint("plan_id", "merchant_id", name="uq_plan_item_merchant"),
        UniqueConstraint("plan_id", "rank", name="uq_plan_item_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    selection: Mapped[Selection] = mapped_column(str_enum(Selection, "plan_selection"))
    priority: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    #: Reason codes (risk factors) shown to the inspector; empty for a random pick.
    reasons: Mapped[list[str]] = mapped_column(JSON)
    #: The first inspection of this merchant synced on or after the plan date.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(back_populates="items")
    merchant: Mapped[Merchant] = relationship()
