"""What the exports contain: the rows of current inspections and findings of a period.

The same scope and period rules as the dashboard (:mod:`.dashboard`), but over the raw rows,
since an export is the records themselves: inspections captured between the first moment of
``start`` and the first moment after ``end`` in the district's time zone, current ones only,
of merchants in the caller's districts. Rows are read with a server-side cursor (PostgreSQL)
or SQLite's stepping cursor, ``CHUNK`` at a time, on a connection of their own
(:func:`stream`), so memory holds one chunk however long the period.

Each export is recorded in the audit log when it starts (:func:`record`), with the filter
and the number of rows the read model counts for it at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, select
from sqlalchemy.orm import aliased

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Instrument, Market, Merchant, Region, User
from inspect_app.services import audit, dashboard
from inspect_app.services.dashboard import Filter, Period
from inspect_app.services.rollup_check import current_clause
from inspect_app.services.rollups import LOCAL_TZ
from inspect_app.services.scoping import region_clause

AnySelect = Select[*tuple[Any, ...]]
#: Rows fetched per round trip.
CHUNK = 2000
#: The audit action of every export.
EXPORT = "export"

INSPECTION_HEADER = (
    "uuid",
    "date",
    "captured_at",
    "district_code",
    "district",
    "market_code",
    "market",
    "merchant_id",
    "merchant",
    "stall_no",
    "form",
    "verdict",
    "review_state",
    "lat",
    "lon",
    "geotag_status",
    "findings",
)
FINDING_HEADER = (
    "inspection_uuid",
    "date",
    "captured_at",
    "district_code",
    "district",
    "market_code",
    "market",
    "merchant_id",
    "merchant",
    "form",
    "verdict",
    "code",
    "severity",
    "domain",
    "extent",
    "instrument",
    "lat",
    "lon",
)


def utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """[first moment of ``start``, first moment after ``end``) in the district's zone."""
    first = datetime.combine(period.start, time.min, tzinfo=LOCAL_TZ)
    after = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
    return first, after


def _where(flt: Filter, period: Period) -> list[ColumnElement[bool]]:
    first, after = utc_bounds(period)
    clauses = [
        region_clause(flt.user, Merchant.region_id),
        Inspection.captured_at >= first,
        Inspection.captured_at < after,
        current_clause(),
    ]
    if flt.region_id is not None:
        clauses.append(Merchant.region_id == flt.region_id)
    if flt.market_id is not None:
        clauses.append(Merchant.market_id == flt.market_id)
    if flt.form_key is not None:
        clauses.append(Inspection.form_key == flt.form_key)
    return clauses


def inspections_query(flt: Filter, period: Period) -> AnySelect:
    """One row per current inspection, oldest capture first, with its finding codes."""
    codes = (
        select(func.aggregate_strings(Finding.code, ";"))
        .where(Finding.inspection_id == Inspection.id)
        .scalar_subquery()
    )
    return (
        select(
            Inspection.uuid,
            Inspection.captured_at,
            Region.code,
            Region.name_zh,
            Market.code,
            Market.name_zh,
            Merchant.id,
            Merchant.name,
            Merchant.stall_no,
            Inspection.form_key,
            Inspection.verdict,
            Inspection.review_state,
            Inspection.lat,
            Inspection.lon,
            Inspection.geotag_status,
            codes,
        )
        .select_from(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .join(Region, Region.id == Merchant.region_id)
        .outerjoin(Market, Market.id == Merchant.market_id)
        .where(*_where(flt, period))
        .order_by(Inspection.captured_at, Inspection.id)
    )


def findings_query(flt: Filter, period: Period, located_only: bool = False) -> AnySelect:
    """One row per finding of a current inspection, in the inspections' order."""
    instrument = aliased(Instrument)
    query = (
        select(
            Inspection.uuid,
            Inspection.captured_at,
            Region.code,
            Region.name_zh,
            Market.code,
            Market.name_zh,
            Merchant.id,
            Merchant.name,
            Inspection.form_key,
            Inspection.verdict,
            Finding.code,
            Finding.severity,
            Finding.domain,
            Finding.extent,
            instrument.code,
            Inspection.lat,
            Inspection.lon,
        )
        .select_from(Finding)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .join(Region, Region.id == Merchant.region_id)
        .outerjoin(Market, Market.id == Merchant.market_id)
        .outerjoin(instrument, instrument.id == Finding.instrument_id)
        .where(*_where(flt, period))
        .order_by(Inspection.captured_at, Inspection.id, Finding.id)
    )
    return query.where(Inspection.lat.is_not(None)) if located_only else query


def _local(moment: datetime) -> tuple[str, str]:
    local = moment.astimezone(LOCAL_TZ)
    return local.date().isoformat(), local.isoformat(timespec="seconds")


def inspection_values(row: Sequence[Any]) -> list[Any]:
    """A row of :func:`inspections_query` as the values of :data:`INSPECTION_HEADER`."""
    day, captured = _local(row[1])
    codes = ";".join(sorted(row[15].split(";"))) if row[15] else ""
    return [
        row[0], day, captured, row[2], row[3], row[4], row[5], row[6], row[7], row[8],
        row[9], row[10].value, row[11].value, row[12], row[13], row[14].value, codes,
    ]  # fmt: skip


def finding_values(row: Sequence[Any]) -> list[Any]:
    """A row of :func:`findings_query` as the values of :data:`FINDING_HEADER`."""
    day, captured = _local(row[1])
    return [
        row[0], day, captured, row[2], row[3], row[4], row[5], row[6], row[7], row[8],
        row[9].value, row[10], f"S{row[11]}", row[12].value, row[13], row[14], row[15], row[16],
    ]  # fmt: skip


def stream(engine: Engine, query: AnySelect) -> Iterator[Sequence[Any]]:
    """The rows of ``query``, ``CHUNK`` at a time, on a connection of the export's own.

    Runs outside the request: on SQLite its read transaction is a plain deferred ``BEGIN``
    (a request's would take the write lock for the whole download), on PostgreSQL a named
    (server-side) cursor. Closing the generator (the client went away) closes the cursor.
    """
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK).execute(query)
        for partition in result.partitions():
            yield from partition


@dataclass(frozen=True)
class Export:
    """What was asked for: the audit detail and the expected row count."""

    name: str
    rows: int


def expected_rows(name: str, flt: Filter, period: Period) -> int:
    """How many rows the export holds, by the read model (inspections, findings, located)."""
    counts = dashboard.totals(flt, period)
    if name.startswith("inspections"):
        return counts[0]
    if name.endswith(".geojson"):
        return counts[7]
    return sum(counts[2:7])


def record(user: User, name: str, flt: Filter, period: Period) -> Export:
    """Write the export's audit entry (who, what, period, filter, rows); flushes."""
    rows = expected_rows(name, flt, period)
    audit.record(
        user,
        EXPORT,
        "export",
        name,
        {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "region": flt.region_id,
            "market": flt.market_id,
            "form": flt.form_key,
            "districts": [r.id for r in dashboard.regions(flt)],
            "rows": rows,
        },
    )
    db.session.flush()
    return Export(name, rows)
