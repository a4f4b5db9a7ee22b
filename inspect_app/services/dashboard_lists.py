"""The rows behind the dashboard: a period's inspections and findings, filtered and paged.

The same records the rollups count (:mod:`inspect_app.services.rollups`): current
inspections (none supersedes them) captured on the period's calendar days in the district's
time zone, of merchants in the user's districts (``scoping.region_clause``), under the
merchant's market as the registry holds it. So a tile's figure and the length of the list it
opens are the same number (:func:`inspection_count` and :func:`finding_count` read it from the
rollups when the filter allows).

Pages are keyset-paginated (:mod:`.keyset`) on ``captured_at`` then id, an order the index
``ix_inspection_captured_at_id`` serves: the first and the hundredth page cost the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select

from inspect_app.extensions import db
from inspect_app.models import (
    Finding,
    FindingRollup,
    Inspection,
    Instrument,
    Market,
    Merchant,
    MerchantGrade,
    User,
)
from inspect_app.models.inspection import Verdict
from inspect_app.services import dashboard, keyset
from inspect_app.services.dashboard import Filter, Period
from inspect_app.services.exports import utc_bounds
from inspect_app.services.keyset import Page, SortKey
from inspect_app.services.rollup_check import current_clause
from inspect_app.services.scoping import region_clause

#: Rows per page.
PAGE_SIZE = 50

INSPECTION_SORTS = {
    "date": SortKey((Inspection.captured_at, Inspection.id), ("datetime", "id")),
}
FINDING_SORTS = {
    "date": SortKey((Inspection.captured_at, Inspection.id, Finding.id), ("datetime", "id", "id")),
}


@dataclass(frozen=True)
class RecordFilter:
    """What the inspections and findings lists show: a period and optional narrowing.

    ``severity`` and ``code``: inspections with such a finding, or findings that are such.
    ``grade``: of the merchant's current grade (``merchant_grade``).
    """

    user: User
    period: Period
    region_id: int | None = None
    market_id: int | None = None
    form_key: str | None = None
    verdict: Verdict | None = None
    severity: int | None = None
    code: str | None = None
    grade: str | None = None

    def rollup_filter(self) -> Filter:
        return Filter(self.user, self.region_id, self.market_id, self.form_key)


def _record_where(flt: RecordFilter) -> list[ColumnElement[bool]]:
    first, after = utc_bounds(flt.period)
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
    if flt.verdict is not None:
        clauses.append(Inspection.verdict == flt.verdict)
    if flt.grade is not None:
        clauses.append(
            exists().where(
                MerchantGrade.merchant_id == Merchant.id, MerchantGrade.grade == flt.grade
            )
        )
    return clauses


def _finding_match(flt: RecordFilter, finding: Any) -> list[ColumnElement[bool]]:
    clauses = []
    if flt.severity is not None:
        clauses.append(finding.severity == flt.severity)
    if flt.code is not None:
        clauses.append(finding.code == flt.code)
    return clauses


def _places(query: Any) -> Any:
    return query.join(Merchant, Merchant.id == Inspection.merchant_id).outerjoin(
        Market, Market.id == Merchant.market_id
    )


_PLACE_COLUMNS = (
    Merchant.id.label("merchant_id"),
    Merchant.name.label("merchant_name"),
    Merchant.stall_no,
    Market.id.label("market_id"),
    Market.code.label("market_code"),
    Market.name_zh.label("market_zh"),
    Market.name_en.label("market_en"),
)


def inspections_page(
    flt: RecordFilter,
    sort: str = "date",
    descending: bool = True,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Current inspections of the period, newest first by default."""
    query = _places(
        select(
            Inspection.id,
            Inspection.uuid,
            Inspection.captured_at,
            Inspection.form_key,
            Inspection.form_version,
            Inspection.verdict,
            Inspection.review_state,
            Inspection.geotag_status,
            *_PLACE_COLUMNS,
        ).select_from(Inspection)
    ).where(*_record_where(flt))
    match = _finding_match(flt, Finding)
    if match:
        query = query.where(exists().where(Finding.inspection_id == Inspection.id, *match))
    return keyset.page(
        query,
        INSPECTION_SORTS[sort],
        descending,
        after,
        limit,
        lambda row: (row.captured_at, row.id),
    )


def findings_of(inspection_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """(code, severity) of each inspection's findings, most severe first (one query)."""
    wanted = sorted(set(inspection_ids))
    out: dict[int, list[tuple[str, int]]] = {i: [] for i in wanted}
    if not wanted:
        return out
    rows = db.session.execute(
        select(Finding.inspection_id, Finding.code, Finding.severity)
        .where(Finding.inspection_id.in_(wanted))
        .order_by(Finding.inspection_id, Finding.severity.desc(), Finding.id)
    )
    for row in rows:
        out[row.inspection_id].append((row.code, row.severity))
    return out


def findings_page(
    flt: RecordFilter,
    sort: str = "date",
    descending: bool = True,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Findings of the period's current inspections, newest inspection first by default."""
    query = (
        _places(
            select(
                Finding.id,
                Finding.code,
                Finding.severity,
                Finding.extent,
                Finding.domain,
                Inspection.id.label("inspection_id"),
                Inspection.uuid,
                Inspection.captured_at,
                Inspection.form_key,
                Inspection.form_version,
                Inspection.verdict,
                Instrument.code.label("instrument_code"),
                *_PLACE_COLUMNS,
            )
            .select_from(Finding)
            .join(Inspection, Inspection.id == Finding.inspection_id)
        )
        .outerjoin(Instrument, Instrument.id == Finding.instrument_id)
        .where(*_record_where(flt), *_finding_match(flt, Finding))
    )
    return keyset.page(
        query,
        FINDING_SORTS[sort],
        descending,
        after,
        limit,
        lambda row: (row.captured_at, row.inspection_id, row.id),
    )


# ---------------------------------------------------------------- counts from the rollups


def inspection_count(flt: RecordFilter) -> int | None:
    """How many rows the inspections list holds, from the rollups; None when they cannot say
    (a finding or grade filter: the rollups have no such dimension)."""
    if flt.severity is not None or flt.code is not None or flt.grade is not None:
        return None
    inspections, failed = dashboard.totals(flt.rollup_filter(), flt.period)[:2]
    if flt.verdict == Verdict.FAIL:
        return failed
    if flt.verdict == Verdict.PASS:
        return inspections - failed
    return inspections


def finding_count(flt: RecordFilter) -> int | None:
    """How many rows the findings list holds, from the rollups (None when they cannot say)."""
    if flt.verdict is not None or flt.grade is not None:
        return None
    if flt.code is None:
        counts = dashboard.totals(flt.rollup_filter(), flt.period)
        if flt.severity is not None:
            return counts[2 + flt.severity]
        return sum(counts[2:7])
    if flt.market_id is not None or flt.form_key is not None:
        return None  # the findings rollup has neither dimension
    query = select(func.coalesce(func.sum(FindingRollup.findings), 0)).where(
        region_clause(flt.user, FindingRollup.region_id),
        FindingRollup.day >= flt.period.start,
        FindingRollup.day <= flt.period.end,
        FindingRollup.code == flt.code,
    )
    if flt.region_id is not None:
        query = query.where(FindingRollup.region_id == flt.region_id)
    if flt.severity is not None:
        query = query.where(FindingRollup.severity == flt.severity)
    return int(db.session.scalar(query) or 0)
