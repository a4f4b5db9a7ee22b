"""Dashboard figures for a period, read from the rollups only (never the inspection table).

A period is inclusive calendar days in the district's time zone; the rollups are keyed by that
day, so the figures are exact sums of rows (docs/dashboards.md, "Period semantics"). The
queries touch the coarsest rollup that answers them (:mod:`inspect_app.models.rollup`):
by form for totals, forms, weeks and severities, by market for the ranking, the fine table
only when the caller narrows to one market or one form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select

from inspect_app.extensions import db
from inspect_app.models import (
    FindingRollup,
    InspectionRollup,
    InspectionRollupByForm,
    InspectionRollupByMarket,
    Market,
    Region,
    User,
)
from inspect_app.models.rollup import NO_MARKET
from inspect_app.services.rollups import COUNTS
from inspect_app.services.scoping import region_clause

TOP_CODES = 10
_ZERO = [0] * len(COUNTS)


@dataclass(frozen=True)
class Period:
    """Inclusive calendar days ``start`` .. ``end`` (district time)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period | None:
        """The same number of days just before, or None before the calendar's start."""
        try:
            return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        except OverflowError:
            return None


@dataclass(frozen=True)
class Filter:
    """Whose figures: the user's districts, optionally one district, market or form.

    The caller has checked ``region_id`` and ``market_id`` against the user's scope
    (``scoping.sees_region``, ``scoping.market_or_404``); the user's scope applies anyway.
    """

    user: User
    region_id: int | None = None
    market_id: int | None = None
    form_key: str | None = None


Model = type[InspectionRollup] | type[InspectionRollupByForm] | type[InspectionRollupByMarket]


def _where(model: Any, flt: Filter, period: Period) -> list[ColumnElement[bool]]:
    clauses = [
        region_clause(flt.user, model.region_id),
        model.day >= period.start,
        model.day <= period.end,
    ]
    if flt.region_id is not None:
        clauses.append(model.region_id == flt.region_id)
    if flt.market_id is not None:
        clauses.append(model.market_key == flt.market_id)
    if flt.form_key is not None:
        clauses.append(model.form_key == flt.form_key)
    return clauses


def _sums(model: Any) -> list[Any]:
    return [func.sum(getattr(model, name)) for name in COUNTS]


def figures(counts: Sequence[int]) -> dict[str, Any]:
    """Inspections, failed, pass rate and findings from a vector of :data:`COUNTS`."""
    inspections, failed = counts[0], counts[1]
    return {
        "inspections": inspections,
        "failed": failed,
        "pass_rate": (inspections - failed) / inspections if inspections else None,
        "findings": sum(counts[2:7]),
    }


def _severity(counts: Sequence[int]) -> dict[str, int]:
    return {f"S{n}": counts[2 + n] for n in range(5)}


def _model(flt: Filter) -> Any:
    """The coarsest rollup that answers totals, forms and days under ``flt``."""
    return InspectionRollup if flt.market_id is not None else InspectionRollupByForm


def _counts(row: Sequence[Any]) -> list[int]:
    return [int(v or 0) for v in row]


def _by_form(flt: Filter, period: Period) -> dict[str, list[int]]:
    """Counts per form of the period (at most one row per form)."""
    model = _model(flt)
    query = (
        select(model.form_key, *_sums(model))
        .where(*_where(model, flt, period))
        .group_by(model.form_key)
    )
    return {row[0]: _counts(row[1:]) for row in db.session.execute(query)}


def _by_day(flt: Filter, period: Period) -> dict[date, tuple[int, int, int]]:
    """(inspections, failed, findings) per day of the period that has any."""
    model = _model(flt)
    findings = sum((getattr(model, f"findings_s{n}") for n in range(5)), start=literal(0))
    query = (
        select(model.day, func.sum(model.inspections), func.sum(model.failed), func.sum(findings))
        .where(*_where(model, flt, period))
        .group_by(model.day)
    )
    return {
        row[0]: (int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
        for row in db.session.execute(query)
    }


def totals(flt: Filter, period: Period) -> list[int]:
    """The period's :data:`COUNTS` summed (one row)."""
    model = _model(flt)
    row = db.session.execute(select(*_sums(model)).where(*_where(model, flt, period))).one()
    return _counts(row)


def _weeks(period: Period, per_day: dict[date, tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Every ISO week (Monday first) the period touches, only its days inside the period."""
    weeks: list[dict[str, Any]] = []
    monday = period.start - timedelta(days=period.start.weekday())
    while monday <= period.end:
        first, last = max(monday, period.start), min(monday + timedelta(days=6), period.end)
        days = [per_day.get(first + timedelta(days=n)) for n in range((last - first).days + 1)]
        inspections = sum(d[0] for d in days if d)
        failed = sum(d[1] for d in days if d)
        year, week, _ = monday.isocalendar()
        weeks.append(
            {
                "week": f"{year}-W{week:02d}",
                "start": monday,
                "days": len(days),
                "inspections": inspections,
                "failed": failed,
                "pass_rate": (inspections - failed) / inspections if inspections else None,
                "findings": sum(d[2] for d in days if d),
            }
        )
        if last == period.end:
            break
        monday += timedelta(days=7)
    return weeks


def _by_market(flt: Filter, period: Period) -> list[dict[str, Any]]:
    narrowed = flt.form_key is not None or flt.market_id is not None
    model: Any = InspectionRollup if narrowed else InspectionRollupByMarket
    rows = db.session.execute(
        select(model.region_id, model.market_key, *_sums(model))
        .where(*_where(model, flt, period))
        .group_by(model.region_id, model.market_key)
    ).all()
    ids = {row.market_key for row in rows if row.market_key != NO_MARKET}
    markets = {m.id: m for m in db.session.scalars(select(Market).where(Market.id.in_(ids)))}
    out = []
    for row in rows:
        market = markets.get(row.market_key)
        out.append(
            {
                "market_id": market.id if market else None,
                "region_id": row.region_id,
                "code": market.code if market else None,
                "name_zh": market.name_zh if market else None,
                "name_en": market.name_en if market else None,
                **figures([int(v or 0) for v in row[2:]]),
            }
        )
    # Worst first: the markets that drag the pass rate down lead the list.
    out.sort(key=lambda m: (m["pass_rate"] if m["pass_rate"] is not None else 2, m["code"] or ""))
    return out


def _by_code(flt: Filter, period: Period) -> list[dict[str, Any]] | None:
    if flt.market_id is not None or flt.form_key is not None:
        return None  # the findings rollup has neither dimension
    total = func.sum(FindingRollup.findings)
    where = _where(FindingRollup, flt, period)
    rows = db.session.execute(
        select(FindingRollup.code, FindingRollup.severity, total)
        .where(*where)
        .group_by(FindingRollup.code, FindingRollup.severity)
        .having(total > 0)
        .order_by(total.desc(), FindingRollup.code)
        .limit(TOP_CODES)
    )
    return [{"code": r[0], "severity": f"S{r[1]}", "findings": int(r[2])} for r in rows]


def regions(flt: Filter) -> list[Region]:
    """The districts the figures cover."""
    query = select(Region).where(region_clause(flt.user, Region.id)).order_by(Region.code)
    if flt.region_id is not None:
        query = query.where(Region.id == flt.region_id)
    return list(db.session.scalars(query))


def summary(flt: Filter, period: Period) -> dict[str, Any]:
    """Every figure of the overview and trends for ``period`` (shape: ``SummaryOut``)."""
    per_form = _by_form(flt, period)
    overall = [sum(column) for column in zip(*per_form.values(), strict=True)] or list(_ZERO)
    before = period.previous()
    previous = None
    if before is not None:
        counts = totals(flt, before)
        previous = {
            "start": before.start,
            "end": before.end,
            "days": before.days,
            **figures(counts),
            "findings_by_severity": _severity(counts),
        }
    return {
        **figures(overall),
        "period": {"start": period.start, "end": period.end, "days": period.days},
        "previous": previous,
        "regions": [
            {"id": r.id, "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en}
            for r in regions(flt)
        ],
        "findings_by_severity": _severity(overall),
        "located_findings": overall[7],
        "by_form": {key: figures(per_form[key]) for key in sorted(per_form)},
        "by_market": _by_market(flt, period),
        "by_week": _weeks(period, _by_day(flt, period)),
        "by_code": _by_code(flt, period),
    }
