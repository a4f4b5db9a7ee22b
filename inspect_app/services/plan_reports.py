"""Read models of inspection plans: the supervisors' list and detail, the targeting report,
and the public listing of published plans (subjects and results, no personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import selectinload

from inspect_app.domain import targeting
from inspect_app.extensions import db
from inspect_app.models import Inspection, Market, Merchant, Plan, PlanItem, Region, User
from inspect_app.models.credit import Selection
from inspect_app.models.inspection import Verdict
from inspect_app.services.scoping import plans_clause

#: Plans on one page of the list, newest date first.
LIST_LIMIT = 100
#: Published plans on the public page, newest date first.
PUBLIC_LIMIT = 50


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    region: Region
    visits: int
    done: int


@dataclass(frozen=True)
class ItemRow:
    item: PlanItem
    merchant: Merchant
    market: Market | None
    #: The inspector's display name: for the district's staff only, never a public page.
    inspector_name: str
    #: The current record of the linked inspection (a correction replaces its original).
    inspection: Inspection | None


def plan_list(user: User) -> list[PlanSummary]:
    counts = (
        select(
            PlanItem.plan_id,
            func.count(PlanItem.id).label("visits"),
            func.count(PlanItem.done_at).label("done"),
        )
        .group_by(PlanItem.plan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Plan, Region, counts.c.visits, counts.c.done)
        .join(Region, Plan.region_id == Region.id)
        .join(counts, counts.c.plan_id == Plan.id)
        .where(plans_clause(user))
        .order_by(Plan.plan_date.desc(), Plan.id.desc())
        .limit(LIST_LIMIT)
    )
    return [PlanSummary(p, r, visits, done) for p, r, visits, done in rows]


def current_records(ids: Iterable[int]) -> dict[int, Inspection]:
    """Each inspection id → its current record: the last correction in its chain, or itself."""
    wanted = set(ids)
    current = {
        i.id: i for i in db.session.scalars(select(Inspection).where(Inspection.id.in_(wanted)))
    }
    result = dict(current)
    frontier = {record.id: original for original, record in result.items()}
    while frontier:
        newer = list(
            db.session.scalars(
                select(Inspection).where(Inspection.supersedes_id.in_(list(frontier)))
            )
        )
        next_frontier = {}
        for record in newer:
            original = frontier[record.supersedes_id]  # type: ignore[index]
            result[original] = record
            next_frontier[record.id] = original
        frontier = next_frontier
    return result


def _rows(items: list[PlanItem], with_names: bool) -> list[ItemRow]:
    """Rows for ``items`` (of one plan or many) in a fixed number of queries."""
    merchant_ids = [i.merchant_id for i in items]
    merchants = {
        m.id: m
        for m in db.session.scalars(
            select(Merchant)
            .where(Merchant.id.in_(merchant_ids))
            .options(selectinload(Merchant.market))
        )
    }
    names: dict[int, str] = {}
    if with_names:
        names = dict(
            db.session.execute(
                select(User.id, User.display_name).where(
                    User.id.in_([i.inspector_id for i in items])
                )
            ).all()
        )
    records = current_records(i.inspection_id for i in items if i.inspection_id is not None)
    return [
        ItemRow(
            item=i,
            merchant=merchants[i.merchant_id],
            market=merchants[i.merchant_id].market,
            inspector_name=names.get(i.inspector_id, ""),
            inspection=records.get(i.inspection_id) if i.inspection_id is not None else None,
        )
        for i in items
    ]


def plan_rows(plan: Plan) -> list[ItemRow]:
    """The plan's visits for the district's staff (inspector names included)."""
    return _rows(list(plan.items), with_names=True)


def targeting_report(region_id: int | None, start: date, end: date) -> targeting.Comparison:
    """Failure rates of visits made for plans dated ``start``..``end`` (inclusive), risk picks
    against random picks, in ``region_id`` (None: every district). A visit counts once its item
    is linked to an inspection; the verdict is that of the current record."""
    scope: ColumnElement[bool] = true() if region_id is None else Plan.region_id == region_id
    rows = db.session.execute(
        select(PlanItem.selection, PlanItem.inspection_id)
        .join(Plan, PlanItem.plan_id == Plan.id)
        .where(scope, Plan.plan_date >= start, Plan.plan_date <= end)
        .where(PlanItem.inspection_id.is_not(None))
    )
    linked = [(selection, inspection_id) for selection, inspection_id in rows]
    records = current_records(i for _, i in linked if i is not None)
    counts = {Selection.RISK: [0, 0], Selection.RANDOM: [0, 0]}
    for selection, inspection_id in linked:
        record = records.get(inspection_id) if inspection_id is not None else None
        if record is None:
            continue
        counts[selection][0] += 1
        counts[selection][1] += record.verdict == Verdict.FAIL
    (risk_n, risk_f), (random_n, random_f) = counts[Selection.RISK], counts[Selection.RANDOM]
    return targeting.compare(risk_f, risk_n, random_f, random_n)


@dataclass(frozen=True)
class PublicPlan:
    plan: Plan
    region: Region
    rows: list[ItemRow]


def _public_order(row: ItemRow) -> tuple[str, str, str, int]:
    market = row.market.code if row.market else ""
    return (market, row.merchant.stall_no or "", row.merchant.name, row.merchant.id)


def published_plans(limit: int = PUBLIC_LIMIT) -> list[PublicPlan]:
    """The newest published plans with their visits, for the public page. The rows carry no
    inspector name (``inspector_name`` is empty): the template shows merchants and results."""
    plans = list(
        db.session.scalars(
            select(Plan)
            .where(Plan.published_at.is_not(None))
            .order_by(Plan.plan_date.desc(), Plan.id.desc())
            .limit(limit)
            .options(selectinload(Plan.items))
        )
    )
    regions = {
        r.id: r
        for r in db.session.scalars(
            select(Region).where(Region.id.in_({p.region_id for p in plans}))
        )
    }
    rows = _rows([item for p in plans for item in p.items], with_names=False)
    by_plan: dict[int, list[ItemRow]] = {p.id: [] for p in plans}
    # Not in rank order: the rank would tell which visits were chosen by (internal) priority.
    for row in sorted(rows, key=_public_order):
        by_plan[row.item.plan_id].append(row)
    return [PublicPlan(p, regions[p.region_id], by_plan[p.id]) for p in plans]
