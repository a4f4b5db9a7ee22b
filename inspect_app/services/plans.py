"""Risk-based inspection plans (双随机一公开): draw, reproduce, tick off, publish, cancel.

docs/plans.md explains the rule and the draw. In short: a supervisor draws a plan for a date
and district; every merchant's priority is computed (:mod:`inspect_app.domain.risk`) and the
draw (:mod:`inspect_app.domain.plan_draw`) picks a random share from all active merchants, the
rest by priority, and assigns the district's inspectors at random. The plan row keeps the seed
and every input, so :func:`redraw` gives the same list to anyone. Inspections of a planned
merchant captured on or after the plan date tick its item off (:func:`tick_off`, called by the
ingest hook). A finished plan may be published (subjects and results, no personal data).

Services flush, never commit; the caller checks scope (``scoping.may_plan_in`` /
``scoping.plan_or_404``) and passes ``now``.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.domain import plan_draw, risk, risk_rules
from inspect_app.domain.plan_draw import Candidate, PlannedVisit
from inspect_app.domain.traffic_light import LOCAL_ZONE, local_today
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Inspection, Plan, PlanItem, Region, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.credit import Selection
from inspect_app.models.user import Role
from inspect_app.services import audit, plan_facts, plan_reports
from inspect_app.services.reference import log_change

#: The change-log entity of plan items (tablets pull their own; services/plan_pull.py).
ENTITY = "plan_item"
#: Random shares are stored with two decimals (``inspection_plan.random_share``).
SHARE_STEP = Decimal("0.01")
#: Failure rates of risk against random picks; it lives with the read models (plan_reports.py).
targeting_report = plan_reports.targeting_report


def district_inspectors(region_id: int) -> list[int]:
    """Ids of the district's active inspectors, ascending."""
    return list(
        db.session.scalars(
            select(User.id)
            .where(User.region_id == region_id, User.role == Role.INSPECTOR, User.is_active)
            .order_by(User.id)
        )
    )


def _problems(
    region_id: int, plan_date: date, size: int, share: Decimal, active: int, today: date
) -> dict[str, list[str]]:
    """Message keys by field (schemas/plans.py words them); empty when the draw may go on."""
    errors: dict[str, list[str]] = {}
    if plan_date < today:
        errors["plan_date"] = ["date_in_past"]
    elif db.session.scalar(
        select(Plan.id).where(Plan.region_id == region_id, Plan.plan_date == plan_date)
    ):
        errors["plan_date"] = ["date_taken"]
    if not Decimal(0) <= share <= Decimal(1):
        errors["random_share"] = ["share_range"]
    elif share != share.quantize(SHARE_STEP):
        errors["random_share"] = ["share_precision"]
    if size < 1 or size > active:
        errors["size"] = [f"size_range:{active}"]
    return errors


def draw_plan(
    actor: User,
    region_id: int,
    plan_date: date,
    size: int,
    random_share: Decimal,
    now: datetime,
    seed: str | None = None,
) -> Plan:
    """Draw and store a plan. ``VALIDATION_FAILED`` (422) names each bad field: ``plan_date``
    (before today in Asia/Shanghai, or the district has a plan that day), ``random_share``
    (outside 0–1, or finer than 1 %), ``size`` (below 1 or above the active merchants),
    ``inspectors`` (the district has no active inspector)."""
    if db.session.get(Region, region_id) is None:
        raise AppError("NOT_FOUND")
    merchants = plan_facts.district_merchants(region_id)
    active = sum(1 for m in merchants if m.is_active)
    errors = _problems(region_id, plan_date, size, random_share, active, local_today(now))
    inspectors = district_inspectors(region_id)
    if not inspectors:
        errors["inspectors"] = ["no_inspectors"]
    if errors:
        raise AppError("VALIDATION_FAILED", errors)
    rules = risk_rules.load_rules()
    facts = plan_facts.district_facts(
        region_id, merchants, plan_date, rules.complaint_window_days, now
    )
    candidates = []
    for merchant in merchants:
        assessed = risk.assess(rules, facts[merchant.id], plan_date)
        candidates.append(
            Candidate(merchant.id, assessed.priority, assessed.reasons, merchant.is_active)
        )
    seed = seed or secrets.token_hex(16)
    visits = plan_draw.draw(candidates, inspectors, size, random_share, seed)
    plan = Plan(
        region_id=region_id,
        plan_date=plan_date,
        size=size,
        random_share=random_share,
        seed=seed,
        rule_version=rules.version,
        inputs=_inputs(rules.version, plan_date, size, random_share, inspectors, candidates),
        created_by_id=actor.id,
        created_at=now,
    )
    plan.items = [_item(v) for v in visits]
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError as exc:
        # Another supervisor's draw for the same district and day committed first.
        raise AppError("VALIDATION_FAILED", {"plan_date": ["date_taken"]}) from exc
    for item in plan.items:
        log_change(ENTITY, item.id, region_id, ChangeOp.UPSERT)
    detail = {"seed": seed, "plan_date": plan_date.isoformat(), "size": size}
    audit.record(actor, "plan.draw", "plan", plan.id, detail | {"visits": _listing(visits)})
    return plan


def _inputs(
    version: str,
    plan_date: date,
    size: int,
    share: Decimal,
    inspectors: list[int],
    candidates: list[Candidate],
) -> dict[str, Any]:
    return {
        "draw_version": plan_draw.DRAW_VERSION,
        "rule_version": version,
        "as_of": plan_date.isoformat(),
        "size": size,
        "random_share": format(share, "f"),
        "inspectors": inspectors,
        "candidates": [
            {
                "merchant_id": c.merchant_id,
                "priority": format(c.priority, "f"),
                "reasons": list(c.reasons),
                "active": c.active,
            }
            for c in candidates
        ],
    }


def _item(visit: PlannedVisit) -> PlanItem:
    return PlanItem(
        rank=visit.rank,
        merchant_id=visit.merchant_id,
        inspector_id=visit.inspector_id,
        selection=Selection(visit.selection),
        priority=visit.priority,
        reasons=list(visit.reasons),
    )


def _listing(visits: Sequence[PlannedVisit]) -> list[list[Any]]:
    return [[v.rank, v.merchant_id, v.inspector_id, v.selection] for v in visits]


def redraw(plan: Plan) -> tuple[PlannedVisit, ...]:
    """The draw again, from the inputs and seed stored on the plan (nothing else is read)."""
    inputs = plan.inputs
    candidates = [
        Candidate(
            int(c["merchant_id"]),
            Decimal(str(c["priority"])),
            tuple(str(r) for r in c["reasons"]),
            bool(c["active"]),
        )
        for c in inputs["candidates"]
    ]
    inspectors = [int(i) for i in inputs["inspectors"]]
    share = Decimal(str(inputs["random_share"]))
    return plan_draw.draw(candidates, inspectors, int(inputs["size"]), share, plan.seed)


def verify(plan: Plan) -> bool:
    """Whether redrawing from the stored inputs gives exactly the stored visits."""
    stored = [[i.rank, i.merchant_id, i.inspector_id, i.selection.value] for i in plan.items]
    return _listing(redraw(plan)) == stored


def _local_day(inspection: Inspection) -> date:
    return inspection.captured_at.astimezone(LOCAL_ZONE).date()


def tick_off(created: Sequence[Inspection], now: datetime) -> list[PlanItem]:
    """Link new inspections to the open plan items of their merchants; returns the items changed.

    An item is done by the first (earliest captured) of ``created`` for its merchant captured
    on or after the plan date (local calendar), whoever inspected, until the plan is published
    (what was published stays as it was). A correction takes over the link of the record it
    corrects (same merchant), so results follow the current record.
    Called by the ingest hook after the batch's inserts, with the inspections flushed.
    """
    changed: dict[int, PlanItem] = {}
    corrections = {i.supersedes_id: i for i in created if i.supersedes_id is not None}
    if corrections:
        for item in db.session.scalars(
            select(PlanItem).where(PlanItem.inspection_id.in_(list(corrections)))
        ):
            new = corrections[item.inspection_id]  # type: ignore[index]
            if new.merchant_id == item.merchant_id:
                item.inspection_id = new.id
            else:
                item.inspection_id, item.done_at = None, None
            changed[item.id] = item
    by_merchant: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in sorted(created, key=lambda i: (i.captured_at, i.id)):
        by_merchant[inspection.merchant_id].append(inspection)
    if by_merchant:
        rows = db.session.execute(
            select(PlanItem, Plan.plan_date)
            .join(Plan, PlanItem.plan_id == Plan.id)
            .where(PlanItem.merchant_id.in_(list(by_merchant)), PlanItem.inspection_id.is_(None))
            .where(Plan.published_at.is_(None))
        )
        for item, plan_date in rows:
            found = next(
                (i for i in by_merchant[item.merchant_id] if _local_day(i) >= plan_date), None
            )
            if found is not None:
                item.inspection_id, item.done_at = found.id, now
                changed[item.id] = item
    for item in changed.values():
        log_change(ENTITY, item.id, item.plan.region_id, ChangeOp.UPSERT)
    return list(changed.values())


def publishable(plan: Plan, today: date) -> bool:
    """Once every visit is done, or the plan date has passed (visits never made then show as
    "not inspected"): never before the inspections, which would warn the subjects."""
    return plan.plan_date < today or all(item.done_at is not None for item in plan.items)


def publish(plan: Plan, now: datetime, actor: User | None = None) -> Plan:
    """Publish the plan's subjects and results (双随机一公开). Publishing twice changes nothing.

    :raises AppError: ``PLAN_NOT_FINISHED`` (409) before :func:`publishable`.
    """
    if plan.published_at is not None:
        return plan
    if not publishable(plan, local_today(now)):
        raise AppError("PLAN_NOT_FINISHED")
    plan.published_at = now
    db.session.flush()
    audit.record(actor, "plan.publish", "plan", plan.id)
    return plan


def cancellable(plan: Plan, today: date) -> bool:
    """Before or on its date, unpublished, and with no visit done yet."""
    return (
        plan.published_at is None
        and plan.plan_date >= today
        and all(item.done_at is None for item in plan.items)
    )


def cancel(actor: User, plan: Plan, now: datetime) -> None:
    """Delete a plan drawn by mistake; tablets get tombstones for its items.

    The draw is kept in the audit ledger (seed, date, size and every visit were recorded when
    it was drawn, and the cancellation is recorded too), so redrawing until a list suits is
    visible to anyone who reads the ledger.

    :raises AppError: ``PLAN_LOCKED`` (409) unless :func:`cancellable`.
    """
    if not cancellable(plan, local_today(now)):
        raise AppError("PLAN_LOCKED")
    for item in plan.items:
        log_change(ENTITY, item.id, plan.region_id, ChangeOp.DELETE)
    audit.record(actor, "plan.cancel", "plan", plan.id, {"seed": plan.seed})
    db.session.delete(plan)
    db.session.flush()
