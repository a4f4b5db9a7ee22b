"""Each merchant's inspection history as the credit rule reads it, built in a few queries.

What goes in (``domain/credit.py`` takes it as it comes; docs/credit.md):

* the current inspections: those no other inspection supersedes (a correction replaces the
  record it corrects; until the correction is approved, neither counts);
* of those, the approved ones only (``review_state = approved``): a finding still awaiting
  review, or returned, does not count, and neither does the inspection itself (a clean
  visit awaiting review adds no weight yet);
* each inspection's day is ``captured_at``'s date on the district's calendar, Asia/Shanghai
  (:data:`~inspect_app.domain.traffic_light.LOCAL_ZONE`: regions carry no time zone of their
  own, and every date on the pages and labels is judged on that calendar);
* each finding's catalogue code, severity and extent, and ``corrected_on_time``: the finding
  has an order that was not withdrawn, and every such order was closed on or before its due
  date (:attr:`Order.corrected_on_time`). An order carried to a correction may still name the
  superseded record's finding; it is matched to the correction's finding of the same code.

:func:`histories` does this for any number of merchants with three statements (inspections,
findings, orders), whatever the number of merchants: no query per merchant.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased

from inspect_app.domain.credit import FindingFacts, InspectionFacts
from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Merchant, Order
from inspect_app.models.enforcement import OrderStatus
from inspect_app.models.inspection import ReviewState


@dataclass(frozen=True)
class Counted:
    """One inspection the rule is given, with the record it came from."""

    inspection_id: int
    facts: InspectionFacts


History = tuple[Counted, ...]


def _scope(
    merchant_ids: Sequence[int] | None,
    region_id: int | None,
    column: Any = Inspection.merchant_id,
    id_range: tuple[int, int] | None = None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if merchant_ids is not None:
        where.append(column.in_(merchant_ids))
    if id_range is not None:
        where.append(column.between(*id_range))
    if region_id is not None:
        where.append(column.in_(select(Merchant.id).where(Merchant.region_id == region_id)))
    return where


def counted_inspections(
    merchant_ids: Sequence[int] | None = None,
    region_id: int | None = None,
    id_range: tuple[int, int] | None = None,
) -> Any:
    """The select of the inspections that count (ids and merchants), for reuse as a subquery."""
    superseding = aliased(Inspection)
    return select(Inspection.id, Inspection.merchant_id, Inspection.captured_at).where(
        Inspection.review_state == ReviewState.APPROVED,
        ~exists().where(superseding.supersedes_id == Inspection.id),
        *_scope(merchant_ids, region_id, id_range=id_range),
    )


def histories(
    merchant_ids: Sequence[int] | None = None,
    region_id: int | None = None,
    id_range: tuple[int, int] | None = None,
) -> dict[int, History]:
    """``{merchant id: history, oldest first}`` of the given merchants, or of the region's
    (those with an id in ``id_range``, inclusive: a few bound values where a long list of
    ids would be thousands, which PostgreSQL's driver parses slowly).

    Merchants without a counted inspection are absent (their history is empty).
    """
    day: dict[int, date] = {}
    by_merchant: dict[int, list[int]] = defaultdict(list)
    for inspection_id, merchant_id, captured_at in db.session.execute(
        counted_inspections(merchant_ids, region_id, id_range)
    ):
        day[inspection_id] = captured_at.astimezone(LOCAL_ZONE).date()
        by_merchant[merchant_id].append(inspection_id)
    # By the finding's own (denormalised) merchant, then kept if its inspection counts: on
    # SQLite about twice as fast as joining the inspections' statement again.
    scope = _scope(merchant_ids, region_id, Finding.merchant_id, id_range)
    finding_rows = [
        row
        for row in db.session.execute(
            select(
                Finding.id, Finding.inspection_id, Finding.code, Finding.severity, Finding.extent
            )
            .where(*scope)
            .order_by(Finding.id)
        )
        if row[1] in day
    ]
    on_time = _corrected_on_time(
        finding_rows, _scope(merchant_ids, region_id, Order.merchant_id, id_range)
    )
    findings: dict[int, list[FindingFacts]] = defaultdict(list)
    for finding_id, inspection_id, code, severity, extent in finding_rows:
        corrected = on_time.get(finding_id, False)
        findings[inspection_id].append(FindingFacts(code, severity, extent, corrected))
    out: dict[int, History] = {}
    for merchant_id, ids in by_merchant.items():
        ids.sort(key=lambda i: (day[i], i))
        out[merchant_id] = tuple(
            Counted(i, InspectionFacts(day[i], tuple(findings.get(i, ())))) for i in ids
        )
    return out


def _corrected_on_time(
    finding_rows: Sequence[Any], scope: list[ColumnElement[bool]]
) -> dict[int, bool]:
    """``{finding id: corrected on time}`` for the findings that have orders."""
    known = {f[0] for f in finding_rows}
    by_code = {(f[1], f[2]): f[0] for f in finding_rows}
    orders = db.session.execute(
        select(
            Order.finding_id,
            Order.inspection_id,
            Order.finding_code,
            Order.status,
            Order.closed_at,
            Order.due_date,
        ).where(Order.status != OrderStatus.WITHDRAWN, *scope)
    ).all()
    verdicts: dict[int, list[bool]] = defaultdict(list)
    for order in orders:
        finding = order.finding_id
        if finding not in known:  # carried to a correction: its finding of the same code
            finding = by_code.get((order.inspection_id, order.finding_code))
        if finding is not None:
            verdicts[finding].append(bool(Order.corrected_on_time.fget(order)))  # type: ignore[attr-defined]
    return {finding: all(seen) for finding, seen in verdicts.items()}


# ---------------------------------------------------------------- the history as stored JSON


def to_json(history: Iterable[Counted]) -> list[dict[str, Any]]:
    """The history as a snapshot stores it (``inputs.history``): every fact the rule read."""
    return [
        {
            "inspection_id": item.inspection_id,
            "inspected_on": item.facts.inspected_on.isoformat(),
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "extent": f.extent,
                    "corrected_on_time": f.corrected_on_time,
                }
                for f in item.facts.findings
            ],
        }
        for item in history
    ]


def from_json(data: Sequence[dict[str, Any]]) -> History:
    """The inverse of :func:`to_json`."""
    return tuple(
        Counted(
            int(item["inspection_id"]),
            InspectionFacts(
                date.fromisoformat(item["inspected_on"]),
                tuple(
                    FindingFacts(
                        str(f["code"]),
                        int(f["severity"]),
                        int(f["extent"]),
                        bool(f["corrected_on_time"]),
                    )
                    for f in item["findings"]
                ),
            ),
        )
        for item in data
    )


def digest(history_json: list[dict[str, Any]]) -> str:
    """SHA-256 of the canonical JSON of a stored history: equal inputs, equal digest."""
    canonical = json.dumps(history_json, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def facts(history: History) -> tuple[InspectionFacts, ...]:
    return tuple(item.facts for item in history)
