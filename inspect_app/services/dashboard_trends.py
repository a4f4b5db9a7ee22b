"""The trends page's series: pass rate and findings per week, per form type and per market.

All from the rollups. The weeks are ISO weeks (Monday to Sunday) cut to the period, as in the
summary (:func:`inspect_app.services.dashboard.summary`, ``by_week``): the first and last week
may hold fewer days, and say how many. Per form type, each week's pass rate is computed from
``inspection_rollup_by_form``; per market, the period's figures (worst pass rate first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import InspectionRollupByForm
from inspect_app.services import dashboard
from inspect_app.services.dashboard import Filter, Period, figures
from inspect_app.services.scoping import region_clause

#: Weeks shown at most: a longer period is summed by calendar month instead.
MAX_WEEKS = 60


@dataclass(frozen=True)
class Bucket:
    """A week (or a month, for a long period) of the period."""

    label: str
    start: date
    end: date


def buckets(period: Period) -> list[Bucket]:
    """ISO weeks cut to the period; calendar months when that would exceed :data:`MAX_WEEKS`."""
    out: list[Bucket] = []
    weekly = (period.end - period.start).days // 7 + 2 <= MAX_WEEKS
    start = period.start
    while start <= period.end:
        if weekly:
            monday = start - timedelta(days=start.weekday())
            end = min(monday + timedelta(days=6), period.end)
            year, week, _ = monday.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = min(following - timedelta(days=1), period.end)
            label = f"{start.year}-{start.month:02d}"
        out.append(Bucket(label, start, end))
        start = end + timedelta(days=1)
    return out


def _per_day_form(flt: Filter, period: Period) -> list[Any]:
    model = InspectionRollupByForm
    query = (
        select(
            model.day,
            model.form_key,
            func.sum(model.inspections),
            func.sum(model.failed),
            *[func.sum(getattr(model, f"findings_s{n}")) for n in range(5)],
        )
        .where(
            region_clause(flt.user, model.region_id),
            model.day >= period.start,
            model.day <= period.end,
        )
        .group_by(model.day, model.form_key)
    )
    if flt.region_id is not None:
        query = query.where(model.region_id == flt.region_id)
    if flt.form_key is not None:
        query = query.where(model.form_key == flt.form_key)
    return list(db.session.execute(query))


def _bucket_of(spans: list[Bucket]) -> dict[date, int]:
    index: dict[date, int] = {}
    for n, span in enumerate(spans):
        day = span.start
        while day <= span.end:
            index[day] = n
            day += timedelta(days=1)
    return index


def trends(flt: Filter, period: Period) -> dict[str, Any]:
    """``buckets`` (labels), ``overall`` and ``forms`` (per bucket figures), ``markets``."""
    spans = buckets(period)
    where = _bucket_of(spans)
    width = 7
    overall = [[0] * width for _ in spans]
    forms: dict[str, list[list[int]]] = {}
    for row in _per_day_form(flt, period):
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
        n = where[day]
        values = [int(v or 0) for v in row[2:]]
        per_form = forms.setdefault(row[1], [[0] * width for _ in spans])
        for target in (overall[n], per_form[n]):
            for i, value in enumerate(values):
                target[i] += value

    def shaped(counts: list[int]) -> dict[str, Any]:
        full = [counts[0], counts[1], *counts[2:7], 0]
        return {**figures(full), "by_severity": {f"S{s}": counts[2 + s] for s in range(5)}}

    summary = dashboard.summary(flt, period)
    return {
        "buckets": [
            {"label": s.label, "start": s.start, "end": s.end, "days": (s.end - s.start).days + 1}
            for s in spans
        ],
        "weekly": all(s.label[4:6] == "-W" for s in spans),
        "overall": [shaped(c) for c in overall],
        "forms": {key: [shaped(c) for c in forms[key]] for key in sorted(forms)},
        "markets": summary["by_market"],
        "by_form": summary["by_form"],
    }
