"""The dashboard summary computed the naive way, from the raw rows, for tests and the benchmark.

Every figure of ``GET /api/v1/dashboard/summary`` that a raw aggregate can give: one
``GROUP BY`` over the current inspections of the period joined with their merchants and their
findings (captured_at between the period's first moment and the first moment after it in
Asia/Shanghai), reduced in Python to totals, forms, markets, weeks and severities; and the
same for the previous period. No rollup is read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Merchant
from inspect_app.models.inspection import Verdict
from inspect_app.services.rollup_check import current_clause, local_day_sql

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rows(region_ids: list[int] | None, start: date, end: date) -> list[Any]:
    first = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    findings = (
        select(
            Finding.inspection_id,
            *[func.sum(case((Finding.severity == n, 1), else_=0)).label(f"s{n}") for n in range(5)],
        )
        .group_by(Finding.inspection_id)
        .subquery()
    )
    day = local_day_sql(Inspection.captured_at)
    query = (
        select(
            day,
            Inspection.form_key,
            Merchant.market_id,
            func.count(),
            func.sum(case((Inspection.verdict == Verdict.FAIL, 1), else_=0)),
            *[func.sum(func.coalesce(findings.c[f"s{n}"], 0)) for n in range(5)],
        )
        .select_from(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .outerjoin(findings, findings.c.inspection_id == Inspection.id)
        .where(Inspection.captured_at >= first, Inspection.captured_at < after, current_clause())
        .group_by(day, Inspection.form_key, Merchant.market_id)
    )
    if region_ids is not None:
        query = query.where(Merchant.region_id.in_(region_ids))
    return list(db.session.execute(query))


def naive_summary(region_ids: list[int] | None, start: date, end: date) -> dict[str, Any]:
    """Totals, pass rate, severities, forms, markets, ISO weeks and the previous period."""
    totals = [0] * 7
    by_form: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_market: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_week: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, form, market, count, failed, *severities in _rows(region_ids, start, end):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        findings = sum(int(s or 0) for s in severities)
        figures = [int(count), int(failed or 0), findings]
        for group in (
            by_form[form],
            by_market[market],
            by_week[day - timedelta(days=day.weekday())],
        ):
            for n, value in enumerate(figures):
                group[n] += value
        totals[0] += figures[0]
        totals[1] += figures[1]
        for n, value in enumerate(severities):
            totals[2 + n] += int(value or 0)
    length = end - start + timedelta(days=1)
    previous = [0, 0, 0]
    for _day, _form, _market, count, failed, *severities in _rows(
        region_ids, start - length, start - timedelta(days=1)
    ):
        previous[0] += int(count)
        previous[1] += int(failed or 0)
        previous[2] += sum(int(s or 0) for s in severities)
    return {
        "inspections": totals[0],
        "failed": totals[1],
        "pass_rate": (totals[0] - totals[1]) / totals[0] if totals[0] else None,
        "findings_by_severity": {f"S{n}": totals[2 + n] for n in range(5)},
        "by_form": dict(by_form),
        "by_market": dict(by_market),
        "by_week": dict(by_week),
        "previous": previous,
    }
