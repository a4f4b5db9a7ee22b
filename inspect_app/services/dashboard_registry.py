"""The registry behind the dashboard: the district's instruments and merchants as they are now.

Not a period's records but states: an instrument's verification as of ``today`` (the district's
calendar), a merchant's current honesty grade (``merchant_grade``). "Overdue" is the overview
tile's rule (:mod:`.dashboard_status`): verification lapsed before today and the instrument
still in use. Keyset-paginated like the record lists (:mod:`.keyset`), on index-backed
orders only: code, verification date, name, grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import aliased

from inspect_app.extensions import db
from inspect_app.models import (
    Inspection,
    Instrument,
    Market,
    Merchant,
    MerchantGrade,
    Region,
    User,
)
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.services import keyset
from inspect_app.services.dashboard_status import OUT_OF_USE
from inspect_app.services.keyset import Page, SortKey
from inspect_app.services.scoping import region_clause

PAGE_SIZE = 50
#: "Due soon": verification lapses within this many days.
DUE_SOON_DAYS = 30
VERIFICATION_STATES = ("overdue", "due_soon", "valid", "unknown")

INSTRUMENT_SORTS = {
    "code": SortKey((Instrument.code, Instrument.id), ("text", "id")),
    "valid_until": SortKey((Instrument.valid_until, Instrument.id), ("date", "id"), nullable=True),
}
MERCHANT_SORTS = {
    "name": SortKey((Merchant.name, Merchant.id), ("text", "id")),
    "grade": SortKey(
        (MerchantGrade.grade, MerchantGrade.merchant_id),
        ("text", "id"),
        nullable=True,
        null_columns=(Merchant.id,),
    ),
}


@dataclass(frozen=True)
class RegistryFilter:
    """Which instruments or merchants: the user's districts, optionally narrowed."""

    user: User
    today: date
    region_id: int | None = None
    market_id: int | None = None
    grade: str | None = None
    #: An instrument kind, or a merchant kind.
    kind: str | None = None
    #: Instruments only: one of :data:`VERIFICATION_STATES`.
    verification: str | None = None


def _district(flt: RegistryFilter, column: Any) -> list[ColumnElement[bool]]:
    """The user's districts (and the one named), on ``column``."""
    clauses = [region_clause(flt.user, cast(Any, column))]
    if flt.region_id is not None:
        clauses.append(column == flt.region_id)
    return clauses


def _merchant_where(flt: RegistryFilter, region: Any) -> list[ColumnElement[bool]]:
    """Scope and market; ``region`` is how the district is read (:func:`_merchant_region`,
    :func:`_owner_region`)."""
    clauses = _district(flt, region)
    if flt.market_id is not None:
        clauses.append(Merchant.market_id == flt.market_id)
    return clauses


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


# A district is about a third of the registry: too little to narrow by. PostgreSQL's statistics
# know that and walk the list's order from its index, checking the district per row. SQLite's
# planner instead reads the whole district through ``ix_merchant_region_id`` and sorts it (a
# page cost that grows with the registry), and, for a condition on a joined merchant, builds a
# Bloom filter over the district's merchants; so on SQLite the district is written in a form
# no index serves: ``region_id + 0``, or a lookup of the instrument's merchant per row.


def _merchant_region() -> Any:
    return Merchant.region_id + 0 if _sqlite() else Merchant.region_id


def _owner_region() -> Any:
    """The instrument's merchant's district."""
    if not _sqlite():
        return Merchant.region_id
    owner = aliased(Merchant)
    return select(owner.region_id).where(owner.id == Instrument.merchant_id).scalar_subquery()


def _has_grade(grade: str) -> ColumnElement[bool]:
    return exists().where(MerchantGrade.merchant_id == Merchant.id, MerchantGrade.grade == grade)


def verification_clause(state: str, today: date) -> ColumnElement[bool]:
    """Instruments whose verification is in ``state`` on ``today``."""
    if state == "overdue":
        return (Instrument.valid_until < today) & Instrument.status.not_in(OUT_OF_USE)
    if state == "due_soon":
        soon = today + timedelta(days=DUE_SOON_DAYS)
        return (Instrument.valid_until >= today) & (Instrument.valid_until < soon)
    if state == "valid":
        return Instrument.valid_until >= today
    return Instrument.valid_until.is_(None)


def instruments_page(
    flt: RegistryFilter,
    sort: str = "code",
    descending: bool = False,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    query = (
        select(
            Instrument.id,
            Instrument.code,
            Instrument.kind,
            Instrument.make,
            Instrument.model,
            Instrument.valid_until,
            Instrument.status,
            Merchant.id.label("merchant_id"),
            Merchant.name.label("merchant_name"),
            Merchant.stall_no,
            Market.name_zh.label("market_zh"),
            Market.name_en.label("market_en"),
        )
        .select_from(Instrument)
        .join(Merchant, Merchant.id == Instrument.merchant_id)
        .outerjoin(Market, Market.id == Merchant.market_id)
        .where(*_merchant_where(flt, _owner_region()))
    )
    if flt.kind is not None:
        query = query.where(Instrument.kind == InstrumentKind(flt.kind))
    if flt.verification is not None:
        query = query.where(verification_clause(flt.verification, flt.today))
    if flt.grade is not None:
        query = query.where(_has_grade(flt.grade))
    return keyset.page(
        query,
        INSTRUMENT_SORTS[sort],
        descending,
        after,
        limit,
        lambda row: (row.valid_until, row.id) if sort == "valid_until" else (row.code, row.id),
    )


def merchants_page(
    flt: RegistryFilter,
    sort: str = "name",
    descending: bool = False,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    def query(graded_only: bool) -> Any:
        columns = select(
            Merchant.id,
            Merchant.name,
            Merchant.stall_no,
            Merchant.kind,
            Merchant.is_active,
            Market.name_zh.label("market_zh"),
            Market.name_en.label("market_en"),
            MerchantGrade.grade,
            MerchantGrade.score,
        )
        if graded_only:  # an inner join: the grade index can lead
            joined = columns.select_from(MerchantGrade).join(
                Merchant, Merchant.id == MerchantGrade.merchant_id
            )
        else:
            joined = columns.select_from(Merchant).outerjoin(
                MerchantGrade, MerchantGrade.merchant_id == Merchant.id
            )
        out = joined.outerjoin(Market, Market.id == Merchant.market_id).where(
            *_merchant_where(flt, _merchant_region())
        )
        if flt.kind is not None:
            out = out.where(Merchant.kind == MerchantKind(flt.kind))
        if flt.grade is not None:
            out = out.where(MerchantGrade.grade == flt.grade)
        return out

    by_grade = sort == "grade"
    return keyset.page(
        query(by_grade),
        MERCHANT_SORTS[sort],
        descending,
        after,
        limit,
        lambda row: (row.grade, row.id) if by_grade else (row.name, row.id),
        null_query=query(False) if by_grade else None,
    )


def places(user: User, region_id: int | None = None) -> tuple[list[Region], list[Market]]:
    """The districts and markets the user may filter by (one district's, when named)."""
    regions = select(Region).where(region_clause(user, Region.id)).order_by(Region.code)
    markets = select(Market).where(region_clause(user, Market.region_id)).order_by(Market.code)
    if region_id is not None:
        markets = markets.where(Market.region_id == region_id)
    return list(db.session.scalars(regions)), list(db.session.scalars(markets))


def last_inspected(merchant_ids: Iterable[int]) -> dict[int, datetime]:
    """When each merchant was last inspected (its latest capture time; one query)."""
    wanted = sorted(set(merchant_ids))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Inspection.merchant_id, func.max(Inspection.captured_at))
        .where(Inspection.merchant_id.in_(wanted))
        .group_by(Inspection.merchant_id)
    )
    return {row[0]: _aware(row[1]) for row in rows if row[1] is not None}


def _aware(value: Any) -> datetime:
    """``max()`` bypasses the column type: SQLite answers text, PostgreSQL an aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
