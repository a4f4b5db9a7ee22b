"""What the dashboard map shows for a period: the markets with their figures, the findings at
their inspections' geotags, and an outline of each district.

Market figures come from the rollups (``inspection_rollup_by_market``, or the fine table when a
form is chosen), so a market's popup says what the overview and the lists say. Finding points
are read from the raw rows, newest first, at most :data:`MAX_POINTS` (the map would not show
more usefully; ``located_findings`` from the rollups says how many exist, and the page says when
it shows fewer). The outline is :func:`inspect_app.domain.hull.outline` of the district's
market centres: no boundary data is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from inspect_app.domain.hull import outline
from inspect_app.extensions import db
from inspect_app.models import (
    Finding,
    Inspection,
    InspectionRollup,
    InspectionRollupByMarket,
    Market,
    Merchant,
    Region,
)
from inspect_app.services import dashboard
from inspect_app.services.dashboard import Filter, Period, figures
from inspect_app.services.exports import utc_bounds
from inspect_app.services.rollup_check import current_clause
from inspect_app.services.rollups import COUNTS
from inspect_app.services.scoping import region_clause

#: Finding points sent at most (the newest of the period).
MAX_POINTS = 3000


def _market_counts(flt: Filter, period: Period) -> dict[int, list[int]]:
    model: Any = InspectionRollup if flt.form_key is not None else InspectionRollupByMarket
    query = (
        select(model.market_key, *[func.sum(getattr(model, name)) for name in COUNTS])
        .where(
            region_clause(flt.user, model.region_id),
            model.day >= period.start,
            model.day <= period.end,
        )
        .group_by(model.market_key)
    )
    if flt.region_id is not None:
        query = query.where(model.region_id == flt.region_id)
    if flt.form_key is not None:
        query = query.where(model.form_key == flt.form_key)
    return {row[0]: [int(v or 0) for v in row[1:]] for row in db.session.execute(query)}


def markets(flt: Filter, period: Period) -> list[dict[str, Any]]:
    """Every market of the districts (inspected or not), with the period's figures."""
    counts = _market_counts(flt, period)
    query = select(Market).where(region_clause(flt.user, Market.region_id)).order_by(Market.code)
    if flt.region_id is not None:
        query = query.where(Market.region_id == flt.region_id)
    out = []
    for market in db.session.scalars(query):
        row = counts.get(market.id, [0] * len(COUNTS))
        out.append(
            {
                "id": market.id,
                "region_id": market.region_id,
                "code": market.code,
                "name_zh": market.name_zh,
                "name_en": market.name_en,
                "lat": market.lat,
                "lon": market.lon,
                "radius_m": market.geofence_radius_m,
                **figures(row),
                "by_severity": {f"S{n}": row[2 + n] for n in range(5)},
            }
        )
    return out


def points(flt: Filter, period: Period, limit: int = MAX_POINTS) -> list[dict[str, Any]]:
    """Findings of the period's current inspections that have a geotag, newest first."""
    first, after = utc_bounds(period)
    query = (
        select(
            Inspection.uuid,
            Inspection.lat,
            Inspection.lon,
            Finding.code,
            Finding.severity,
            Merchant.market_id,
        )
        .select_from(Finding)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(
            region_clause(flt.user, Merchant.region_id),
            Inspection.captured_at >= first,
            Inspection.captured_at < after,
            Inspection.lat.is_not(None),
            current_clause(),
        )
        .order_by(Inspection.captured_at.desc(), Inspection.id.desc(), Finding.id.desc())
        .limit(limit)
    )
    if flt.region_id is not None:
        query = query.where(Merchant.region_id == flt.region_id)
    if flt.form_key is not None:
        query = query.where(Inspection.form_key == flt.form_key)
    return [
        {
            "inspection": row.uuid,
            "lat": row.lat,
            "lon": row.lon,
            "code": row.code,
            "severity": f"S{row.severity}",
            "market_id": row.market_id,
        }
        for row in db.session.execute(query)
    ]


def outlines(regions: list[Region], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One outline per district around its markets (see the module docstring)."""
    out = []
    for region in regions:
        centres = [(m["lat"], m["lon"]) for m in shown if m["region_id"] == region.id]
        kind, corners = outline(centres)
        if kind == "none":
            continue
        out.append(
            {
                "region_id": region.id,
                "name_zh": region.name_zh,
                "name_en": region.name_en,
                "kind": kind,
                "ring": [[round(lat, 6), round(lon, 6)] for lat, lon in corners],
            }
        )
    return out


def map_data(flt: Filter, period: Period) -> dict[str, Any]:
    """The map's JSON: markets, finding points (capped), outlines and the period's totals."""
    shown = markets(flt, period)
    found = points(flt, period)
    located = dashboard.totals(flt, period)[7]
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "markets": shown,
        "points": found,
        "located_findings": located,
        "truncated": located > len(found),
        "outlines": outlines(dashboard.regions(flt), shown),
    }
