"""Read models for the role home pages (small, region-scoped, no N+1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app.extensions import db
from inspect_app.models import Device, Finding, Inspection, Instrument, Market, Merchant, User
from inspect_app.models.inspection import Verdict
from inspect_app.models.types import utcnow
from inspect_app.services.scoping import region_clause


@dataclass(frozen=True)
class RegionSummary:
    markets: int
    merchants: int
    instruments: int
    overdue_instruments: int
    inspections_30d: int
    failed_30d: int
    severe_findings: list[Finding]


def region_summary(user: User, today: date) -> RegionSummary:
    """Counts a supervisor reads first: what is overdue, what failed, what was severe."""
    since = utcnow() - timedelta(days=30)
    scope = region_clause(user, Merchant.region_id)
    markets = db.session.scalar(
        select(func.count(Market.id)).where(region_clause(user, Market.region_id))
    )
    merchants = db.session.scalar(select(func.count(Merchant.id)).where(scope))
    instruments_q = select(func.count(Instrument.id)).join(Merchant).where(scope)
    instruments = db.session.scalar(instruments_q)
    overdue = db.session.scalar(instruments_q.where(Instrument.valid_until < today))
    recent = (
        select(func.count(Inspection.id))
        .join(Merchant, Inspection.merchant_id == Merchant.id)
        .where(Inspection.received_at >= since, scope)
    )
    inspections_30d = db.session.scalar(recent)
    failed_30d = db.session.scalar(recent.where(Inspection.verdict == Verdict.FAIL))
    severe = db.session.scalars(
        select(Finding)
        .join(Merchant, Finding.merchant_id == Merchant.id)
        .where(Finding.severity >= 3, scope)
        .order_by(Finding.created_at.desc(), Finding.id.desc())
        .limit(10)
        .options(selectinload(Finding.inspection), selectinload(Finding.merchant))
    ).all()
    return RegionSummary(
        markets=markets or 0,
        merchants=merchants or 0,
        instruments=instruments or 0,
        overdue_instruments=overdue or 0,
        inspections_30d=inspections_30d or 0,
        failed_30d=failed_30d or 0,
        severe_findings=list(severe),
    )


def merchant_instruments(merchant_id: int) -> list[Instrument]:
    return list(
        db.session.scalars(
            select(Instrument)
            .where(Instrument.merchant_id == merchant_id)
            .order_by(Instrument.code)
        )
    )


def merchant_inspections(merchant_id: int, limit: int = 20) -> list[Inspection]:
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.merchant_id == merchant_id)
            .order_by(Inspection.captured_at.desc())
            .limit(limit)
            .options(selectinload(Inspection.findings))
        )
    )


def inspector_recent(user: User, limit: int = 20) -> list[Inspection]:
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.inspector_id == user.id)
            .order_by(Inspection.received_at.desc())
            .limit(limit)
            .options(selectinload(Inspection.findings))
        )
    )


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def recent_devices(limit: int = 200) -> list[Device]:
    return list(
        db.session.scalars(
            select(Device)
            .order_by(Device.created_at.desc())
            .limit(limit)
            .options(selectinload(Device.user))
        )
    )
