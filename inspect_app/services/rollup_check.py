"""Recomputing the rollups from the raw rows: ``flask rollups verify`` and ``rebuild``.

The recomputation is SQL written independently of the ingest code (:mod:`.rollups`): the
grouping happens in the database, the local day comes from the database's time zone data on
PostgreSQL (``AT TIME ZONE 'Asia/Shanghai'``) and from zoneinfo through a function lent to the
connection on SQLite, and "current" is a ``NOT EXISTS`` on ``supersedes_id``. A bug in the
incremental path therefore shows up as a difference instead of being repeated here.

Work is done one district at a time, so memory holds one district's expected rows at most.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, case, cast, delete, exists, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Merchant, Region
from inspect_app.models.inspection import Verdict
from inspect_app.models.rollup import NO_MARKET
from inspect_app.services.rollups import (
    CODE_KEYS,
    CODE_TABLE,
    COUNTS,
    FINDING_COUNTS,
    LOCAL_TZ,
    TABLES,
    project,
)

_SQLITE_DAY = "inspect_local_day"


def _sqlite_local_day(value: object) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date().isoformat()


def local_day_sql(column: Any) -> ColumnElement[date]:
    """SQL for the district's calendar date of a UTC timestamp column, on either engine."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return cast(func.timezone(str(LOCAL_TZ), column), Date)
    driver = connection.connection.driver_connection
    driver.create_function(_SQLITE_DAY, 1, _sqlite_local_day, deterministic=True)  # type: ignore[union-attr]
    day: ColumnElement[date] = getattr(func, _SQLITE_DAY)(column, type_=Date)
    return day


def current_clause() -> ColumnElement[bool]:
    """The inspection is current: no stored inspection supersedes it."""
    correction = aliased(Inspection)
    return ~exists().where(correction.supersedes_id == Inspection.id)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def expected_fine(region_id: int) -> dict[tuple[Any, ...], list[int]]:
    """The fine rollup of one district, recomputed from inspections and findings."""
    per_inspection = (
        select(
            Finding.inspection_id,
            *[func.sum(case((Finding.severity == n, 1), else_=0)).label(f"s{n}") for n in range(5)],
            func.count().label("n"),
        )
        .group_by(Finding.inspection_id)
        .subquery()
    )
    day = local_day_sql(Inspection.captured_at).label("day")
    market = func.coalesce(Merchant.market_id, NO_MARKET).label("market_key")
    located = case((Inspection.lat.is_not(None), func.coalesce(per_inspection.c.n, 0)), else_=0)
    query = (
        select(
            day,
            market,
            Inspection.form_key,
            func.count(),
            func.sum(case((Inspection.verdict == Verdict.FAIL, 1), else_=0)),
            *[func.sum(func.coalesce(per_inspection.c[f"s{n}"], 0)) for n in range(5)],
            func.sum(located),
        )
        .select_from(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .outerjoin(per_inspection, per_inspection.c.inspection_id == Inspection.id)
        .where(Merchant.region_id == region_id, current_clause())
        .group_by(day, market, Inspection.form_key)
    )
    return {
        (region_id, _as_date(row[0]), int(row[1]), row[2]): [int(v or 0) for v in row[3:]]
        for row in db.session.execute(query)
    }


def expected_codes(region_id: int) -> dict[tuple[Any, ...], list[int]]:
    """The findings rollup of one district, recomputed from findings and their inspections."""
    day = local_day_sql(Inspection.captured_at).label("day")
    query = (
        select(
            day,
            Finding.code,
            Finding.severity,
            func.count(),
            func.sum(case((Inspection.lat.is_not(None), 1), else_=0)),
        )
        .select_from(Finding)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(Merchant.region_id == region_id, current_clause())
        .group_by(day, Finding.code, Finding.severity)
    )
    return {
        (region_id, _as_date(row[0]), row[1], int(row[2])): [int(row[3]), int(row[4] or 0)]
        for row in db.session.execute(query)
    }


def _expected(
    region_id: int,
) -> Iterator[tuple[Any, tuple[str, ...], tuple[str, ...], dict[tuple[Any, ...], list[int]]]]:
    """(table, key columns, count columns, expected rows) for each rollup table."""
    fine = expected_fine(region_id)
    for table, keys, positions in TABLES:
        rows = fine if len(positions) == 4 else project(fine, positions)
        yield table, keys, COUNTS, rows
    yield CODE_TABLE, CODE_KEYS, FINDING_COUNTS, expected_codes(region_id)


def _stored(
    table: Any, keys: tuple[str, ...], counts: tuple[str, ...], region_id: int
) -> dict[tuple[Any, ...], list[int]]:
    query = select(*[table.c[k] for k in keys], *[table.c[c] for c in counts]).where(
        table.c.region_id == region_id
    )
    width = len(keys)
    out = {}
    for row in db.session.execute(query):
        key = tuple(
            _as_date(v) if k == "day" else v for k, v in zip(keys, row[:width], strict=True)
        )
        out[key] = [int(v) for v in row[width:]]
    return out


@dataclass(frozen=True)
class Drift:
    """One rollup row that differs from the raw rows (counts by column name; absent = 0)."""

    table: str
    key: Mapping[str, Any]
    stored: Mapping[str, int]
    expected: Mapping[str, int]

    def describe(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.key.items())
        diffs = ", ".join(
            f"{name} stored {self.stored.get(name, 0)} expected {self.expected.get(name, 0)}"
            for name in dict.fromkeys([*self.stored, *self.expected])
            if self.stored.get(name, 0) != self.expected.get(name, 0)
        )
        return f"{self.table} [{where}]: {diffs}"


def _regions(region_id: int | None) -> list[int]:
    if region_id is not None:
        return [region_id]
    return list(db.session.scalars(select(Region.id).order_by(Region.id)))


def verify(region_id: int | None = None) -> list[Drift]:
    """Every rollup row that differs from a recomputation from the raw rows (all-zero rows
    and missing rows are the same thing)."""
    drifts: list[Drift] = []
    for region in _regions(region_id):
        for table, keys, counts, expected in _expected(region):
            stored = _stored(table, keys, counts, region)
            for key in sorted(expected.keys() | stored.keys(), key=repr):
                want = expected.get(key, [0] * len(counts))
                have = stored.get(key, [0] * len(counts))
                if want != have:
                    drifts.append(
                        Drift(
                            table.name,
                            dict(zip(keys, key, strict=True)),
                            dict(zip(counts, have, strict=True)),
                            dict(zip(counts, want, strict=True)),
                        )
                    )
    return drifts


def rebuild(region_id: int | None = None) -> int:
    """Replace the rollups (of one district, or all) by a recomputation; returns rows written."""
    written = 0
    for region in _regions(region_id):
        for table, keys, counts, expected in _expected(region):
            db.session.execute(delete(table).where(table.c.region_id == region))
            rows = [
                {**dict(zip(keys, key, strict=True)), **dict(zip(counts, values, strict=True))}
                for key, values in sorted(expected.items())
                if any(values)
            ]
            if rows:
                db.session.execute(table.insert(), rows)
            written += len(rows)
    db.session.flush()
    return written
