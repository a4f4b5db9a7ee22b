"""Read models of the grade pages: a district's distribution, its change month by month, and
its merchants filtered by grade. Scoped like every staff list (``scoping.region_clause``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import extract, func, select

from inspect_app.extensions import db
from inspect_app.models import CreditSnapshot, Market, Merchant, MerchantGrade, User
from inspect_app.services.scoping import region_clause

#: The grades in the order the pages list them (docs/credit.md).
GRADES = ("A", "B", "C", "D", "P")
#: Merchants on one page of the list.
PER_PAGE = 50


@dataclass(frozen=True)
class Month:
    """The grades held at the end of a month (the current month: so far)."""

    start: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Listed:
    merchant_id: int
    name: str
    stall_no: str | None
    market_zh: str | None
    market_en: str | None
    grade: str | None
    score: Decimal | None
    computed_at: datetime | None


def current_counts(user: User) -> tuple[dict[str, int], int]:
    """``({grade: merchants}, merchants without a grade yet)`` of the user's district(s)."""
    rows = db.session.execute(
        select(MerchantGrade.grade, func.count())
        .join(Merchant, Merchant.id == MerchantGrade.merchant_id)
        .where(region_clause(user, Merchant.region_id))
        .group_by(MerchantGrade.grade)
    ).all()
    counts = dict.fromkeys(GRADES, 0) | {grade: int(n) for grade, n in rows}
    merchants = db.session.scalar(
        select(func.count(Merchant.id)).where(region_clause(user, Merchant.region_id))
    )
    return counts, int(merchants or 0) - sum(counts.values())


def _month_starts(today: date, months: int) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def monthly(user: User, today: date, months: int = 12) -> list[Month]:
    """The distribution at the end of each of the last ``months`` months, oldest first.

    Each merchant holds the grade of its last snapshot computed for a day up to the month's
    end (its ``as_of``); a merchant with no snapshot by then is not counted that month. Reads
    the snapshots of the period: two statements with a window function each.
    """
    starts = _month_starts(today, months)
    scope = region_clause(user, Merchant.region_id)
    year, month = extract("year", CreditSnapshot.as_of), extract("month", CreditSnapshot.as_of)
    latest = func.row_number().over(
        partition_by=(CreditSnapshot.merchant_id, year, month),
        order_by=(CreditSnapshot.as_of.desc(), CreditSnapshot.id.desc()),
    )
    in_period = (
        select(
            CreditSnapshot.merchant_id,
            CreditSnapshot.grade,
            year.label("y"),
            month.label("m"),
            latest.label("rn"),
        )
        .join(Merchant, Merchant.id == CreditSnapshot.merchant_id)
        .where(scope, CreditSnapshot.as_of >= starts[0], CreditSnapshot.as_of <= today)
        .subquery()
    )
    before_rank = func.row_number().over(
        partition_by=CreditSnapshot.merchant_id,
        order_by=(CreditSnapshot.as_of.desc(), CreditSnapshot.id.desc()),
    )
    before = (
        select(CreditSnapshot.merchant_id, CreditSnapshot.grade, before_rank.label("rn"))
        .join(Merchant, Merchant.id == CreditSnapshot.merchant_id)
        .where(scope, CreditSnapshot.as_of < starts[0])
        .subquery()
    )
    latest_before = select(before.c.merchant_id, before.c.grade).where(before.c.rn == 1)
    held: dict[int, str] = dict(db.session.execute(latest_before).all())
    by_month: dict[tuple[int, int], dict[int, str]] = {}
    rows = db.session.execute(
        select(in_period.c.merchant_id, in_period.c.grade, in_period.c.y, in_period.c.m).where(
            in_period.c.rn == 1
        )
    )
    for merchant, grade, y, m in rows:
        by_month.setdefault((int(y), int(m)), {})[merchant] = grade
    out = []
    for start in starts:
        held.update(by_month.get((start.year, start.month), {}))
        counts = Counter(held.values())
        out.append(Month(start, {grade: counts.get(grade, 0) for grade in GRADES}))
    return out


def merchants(user: User, grade: str | None, page: int = 1) -> tuple[list[Listed], bool]:
    """The district's merchants with their current grade (``grade``: only those), worst
    score first within a grade; ``(page of rows, whether there is a next page)``."""
    query = (
        select(
            Merchant.id,
            Merchant.name,
            Merchant.stall_no,
            Market.name_zh,
            Market.name_en,
            MerchantGrade.grade,
            MerchantGrade.score,
            MerchantGrade.computed_at,
        )
        .outerjoin(MerchantGrade, MerchantGrade.merchant_id == Merchant.id)
        .outerjoin(Market, Market.id == Merchant.market_id)
        .where(region_clause(user, Merchant.region_id))
        .order_by(
            MerchantGrade.grade.is_(None),
            MerchantGrade.grade,
            MerchantGrade.score.is_(None),
            MerchantGrade.score,
            Merchant.name,
            Merchant.id,
        )
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    )
    if grade is not None:
        query = query.where(MerchantGrade.grade == grade)
    rows = [Listed(*row) for row in db.session.execute(query)]
    return rows[:PER_PAGE], len(rows) > PER_PAGE
