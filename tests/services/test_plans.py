"""Inspection plans (services/plans.py, plan_facts.py, plan_reports.py): the draw stores what
reproduces it, bad requests name their field, visits tick off, publication waits for the
inspections, and the targeting report counts right."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    AuditEntry,
    ChangeLogEntry,
    CreditSnapshot,
    Finding,
    Inspection,
    Instrument,
    Merchant,
    MerchantGrade,
    Order,
    Plan,
    PlanItem,
    Region,
    Report,
    User,
)
from inspect_app.models.change import ChangeOp
from inspect_app.models.credit import Selection
from inspect_app.models.enforcement import OrderKind, OrderStatus
from inspect_app.models.inspection import FindingDomain
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.report import ReportCategory, ReportStatus
from inspect_app.models.user import Role
from inspect_app.services import plan_facts, plan_reports, plans
from tests.plan_helpers import add_inspection, at

PLAN_DAY = date(2026, 3, 10)
NOW = at(PLAN_DAY - timedelta(days=1), 9)  # the day before, 09:00 in Shanghai


@pytest.fixture
def team(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "supervisor": make_user(Role.SUPERVISOR),
        "a": make_user(Role.INSPECTOR, display_name="李检查"),
        "b": make_user(Role.INSPECTOR, display_name="王检查"),
    }


@pytest.fixture
def stalls(make_merchant: Callable[..., Merchant]) -> list[Merchant]:
    return [make_merchant() for _ in range(10)]


def draw(supervisor: User, region: Region, **overrides: object) -> Plan:
    args: dict[str, object] = {
        "region_id": region.id,
        "plan_date": PLAN_DAY,
        "size": 5,
        "random_share": Decimal("0.40"),
        "now": NOW,
    } | overrides
    plan = plans.draw_plan(supervisor, **args)  # type: ignore[arg-type]
    db.session.commit()
    return plan


def test_a_draw_stores_its_seed_and_every_input_and_redraws_the_same(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    plan = draw(team["supervisor"], region)
    assert len(plan.seed) == 32 and plan.rule_version == "v1"
    assert [i.rank for i in plan.items] == [1, 2, 3, 4, 5]
    assert sum(i.selection == Selection.RANDOM for i in plan.items) == 2  # round(5 × 0.4)
    assert {i.inspector_id for i in plan.items} == {team["a"].id, team["b"].id}
    inputs = plan.inputs
    assert inputs["inspectors"] == sorted([team["a"].id, team["b"].id])
    assert inputs["rule_version"] == "v1" and inputs["size"] == 5
    assert {c["merchant_id"] for c in inputs["candidates"]} == {m.id for m in stalls}
    assert all(Decimal(c["priority"]) > 0 and "reasons" in c for c in inputs["candidates"])
    assert plans.verify(plan)
    redrawn = plans.redraw(plan)
    assert [(v.merchant_id, v.inspector_id, v.selection) for v in redrawn] == [
        (i.merchant_id, i.inspector_id, i.selection.value) for i in plan.items
    ]
    # tablets learn of each item, and the ledger holds the draw
    logged = db.session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.entity == "plan_item"))
    assert {e.entity_id for e in logged} == {i.id for i in plan.items}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.draw")).one()
    assert entry.detail["seed"] == plan.seed and len(entry.detail["visits"]) == 5


def test_a_given_seed_gives_the_same_plan_on_another_day_too(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    first = draw(team["supervisor"], region, seed="fixed")
    second = draw(team["supervisor"], region, seed="fixed", plan_date=PLAN_DAY + timedelta(days=1))
    assert [(i.merchant_id, i.inspector_id) for i in first.items] == [
        (i.merchant_id, i.inspector_id) for i in second.items
    ]


def test_a_stored_item_changed_afterwards_fails_verification(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    plan = draw(team["supervisor"], region)
    item = plan.items[0]
    item.inspector_id = team["b"].id if item.inspector_id == team["a"].id else team["a"].id
    db.session.commit()
    assert not plans.verify(plan)


def test_closed_businesses_are_never_drawn(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    for merchant in stalls[:6]:
        merchant.is_active = False
    db.session.commit()
    plan = draw(team["supervisor"], region, size=4, random_share=Decimal("0.5"))
    assert {i.merchant_id for i in plan.items} == {m.id for m in stalls[6:]}


def test_the_riskiest_merchant_comes_first_with_its_reasons(
    region: Region,
    team: dict[str, User],
    stalls: list[Merchant],
    make_instrument: Callable[..., Instrument],
) -> None:
    risky = stalls[3]
    scale = make_instrument(
        risky, verified_at=date(2025, 3, 1), valid_until=PLAN_DAY - timedelta(days=1)
    )
    for _ in range(3):
        db.session.add(_report(risky, scale, created_at=at(PLAN_DAY - timedelta(days=10))))
    for other in stalls:
        if other is not risky:  # everyone else inspected recently, nothing open
            add_inspection(other, team["a"], at(PLAN_DAY - timedelta(days=20)))
    db.session.commit()
    plan = draw(team["supervisor"], region, random_share=Decimal(0))
    first = plan.items[0]
    assert first.merchant_id == risky.id and first.selection == Selection.RISK
    assert "complaints:3:90" in first.reasons
    assert "verification_overdue:1" in first.reasons
    assert "never_inspected" in first.reasons


def _report(merchant: Merchant, instrument: Instrument, **fields: object) -> Report:
    return Report(
        instrument_id=instrument.id,
        merchant_id=merchant.id,
        region_id=merchant.region_id,
        category=ReportCategory.SHORT_WEIGHT,
        description="",
        **fields,
    )


def test_facts_read_every_source_once_and_leave_out_what_does_not_count(
    region: Region,
    team: dict[str, User],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> None:
    merchant = make_merchant()
    scale = make_instrument(
        merchant, accuracy_class="II", verified_at=date(2025, 3, 1), valid_until=PLAN_DAY
    )
    make_instrument(merchant, status=InstrumentStatus.RETIRED)
    old = add_inspection(merchant, team["a"], at(date(2025, 12, 1)), failed=True)
    add_inspection(merchant, team["a"], at(date(2026, 1, 5)))
    finding = Finding(
        inspection_id=old.id,
        merchant_id=merchant.id,
        code="SCALE_OUT_OF_TOLERANCE",
        domain=FindingDomain.INSTR,
        severity=3,
        evidence={},
    )
    db.session.add(finding)
    db.session.flush()
    for kind, status in (
        (OrderKind.REPAIR, OrderStatus.OVERDUE),
        (OrderKind.REVERIFY, OrderStatus.OPEN),
    ):
        db.session.add(
            Order(
                kind=kind,
                status=status,
                region_id=region.id,
                merchant_id=merchant.id,
                inspection_id=old.id,
                finding_id=finding.id,
                finding_code=finding.code,
                due_date=date(2026, 1, 1),
            )
        )
    db.session.add(_report(merchant, scale, created_at=at(PLAN_DAY - timedelta(days=89))))
    db.session.add(_report(merchant, scale, created_at=at(PLAN_DAY - timedelta(days=91))))
    dismissed = _report(
        merchant,
        scale,
        status=ReportStatus.DISMISSED,
        outcome_reason="复秤无误",
        closed_at=NOW,
        created_at=at(PLAN_DAY - timedelta(days=5)),
    )
    db.session.add(dismissed)
    snapshot = CreditSnapshot(
        merchant_id=merchant.id,
        as_of=date(2026, 3, 1),
        rule_version="v1",
        score=Decimal("71.5"),
        grade="C",
        reasons=[],
        inputs={},
        trigger="test",
    )
    db.session.add(snapshot)
    db.session.flush()
    db.session.add(
        MerchantGrade(
            merchant_id=merchant.id,
            snapshot_id=snapshot.id,
            region_id=region.id,
            grade="C",
            score=Decimal("71.5"),
            computed_at=NOW,
        )
    )
    db.session.commit()
    facts = plan_facts.district_facts(region.id, [merchant], PLAN_DAY, 90, NOW)[merchant.id]
    assert [i.accuracy_class for i in facts.instruments] == ["II"]  # the retired one is out
    assert facts.public_score == Decimal("71.5")
    assert facts.last_inspected_on == date(2026, 1, 5)
    assert (facts.open_orders, facts.overdue_orders) == (1, 1)
    assert facts.complaints == 1  # the 91-day-old and the dismissed report do not count


# ---------------------------------------------------------------- bad requests


def _refusal(supervisor: User, region: Region, **overrides: object) -> dict[str, list[str]]:
    with pytest.raises(AppError) as refused:
        draw(supervisor, region, **overrides)
    db.session.rollback()
    assert refused.value.problem.code == "VALIDATION_FAILED"
    assert refused.value.problem.status == 422
    return dict(refused.value.errors or {})


def test_each_bad_request_names_its_field(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    boss = team["supervisor"]
    assert _refusal(boss, region, size=11) == {"size": ["size_range:10"]}
    assert _refusal(boss, region, size=0) == {"size": ["size_range:10"]}
    assert _refusal(boss, region, random_share=Decimal("1.5")) == {"random_share": ["share_range"]}
    assert _refusal(boss, region, random_share=Decimal("-0.1")) == {"random_share": ["share_range"]}
    assert _refusal(boss, region, random_share=Decimal("0.125")) == {
        "random_share": ["share_precision"]
    }
    assert _refusal(boss, region, plan_date=date(2026, 3, 8)) == {"plan_date": ["date_in_past"]}
    draw(boss, region)
    assert _refusal(boss, region) == {"plan_date": ["date_taken"]}
    assert db.session.scalar(select(Plan.id).where(Plan.plan_date == date(2026, 3, 8))) is None


def test_the_past_is_judged_on_the_district_clock(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    """At 17:00 UTC on 9 March it is already 10 March in Shanghai: 9 March is past."""
    late = at(date(2026, 3, 10), 1)
    assert late.date() == date(2026, 3, 9)
    errors = _refusal(team["supervisor"], region, plan_date=date(2026, 3, 9), now=late)
    assert errors == {"plan_date": ["date_in_past"]}
    assert draw(team["supervisor"], region, plan_date=date(2026, 3, 10), now=late).id


def test_a_district_without_inspectors_cannot_plan(
    region: Region, make_user: Callable[..., User], stalls: list[Merchant]
) -> None:
    boss = make_user(Role.SUPERVISOR)
    make_user(Role.INSPECTOR, is_active=False)
    assert _refusal(boss, region) == {"inspectors": ["no_inspectors"]}


def test_several_problems_are_named_together(
    region: Region, make_user: Callable[..., User], stalls: list[Merchant]
) -> None:
    errors = _refusal(
        make_user(Role.SUPERVISOR),
        region,
        size=99,
        random_share=Decimal(2),
        plan_date=date(2020, 1, 1),
    )
    assert set(errors) == {"size", "random_share", "plan_date", "inspectors"}


# ---------------------------------------------------------------- tick-off, publish, cancel


def test_an_inspection_on_or_after_the_plan_date_ticks_the_visit_off(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    plan = draw(team["supervisor"], region)
    item = plan.items[0]
    merchant = db.session.get(Merchant, item.merchant_id)
    assert merchant is not None
    before = add_inspection(merchant, team["a"], at(PLAN_DAY - timedelta(days=1), 23))
    assert plans.tick_off([before], NOW) == []
    someone_else = team["b"] if item.inspector_id == team["a"].id else team["a"]
    on_the_day = add_inspection(merchant, someone_else, at(PLAN_DAY, 0), failed=True)
    done_at = at(PLAN_DAY, 11)
    assert plans.tick_off([on_the_day], done_at) == [item]
    assert (item.inspection_id, item.done_at) == (on_the_day.id, done_at)
    later = add_inspection(merchant, team["a"], at(PLAN_DAY + timedelta(days=1)))
    assert plans.tick_off([later], done_at) == []  # already done: the first one counts
    correction = add_inspection(merchant, someone_else, at(PLAN_DAY, 1), supersedes=on_the_day)
    assert plans.tick_off([correction], done_at) == [item]
    assert item.inspection_id == correction.id
    db.session.commit()
    upserts = db.session.scalars(
        select(ChangeLogEntry).where(
            ChangeLogEntry.entity == "plan_item", ChangeLogEntry.entity_id == item.id
        )
    ).all()
    assert len(upserts) == 3  # drawn, ticked, moved to the correction


def test_publication_waits_until_every_visit_is_done_or_the_date_has_passed(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    plan = draw(team["supervisor"], region, size=2)
    with pytest.raises(AppError) as refused:
        plans.publish(plan, at(PLAN_DAY, 18))
    assert (refused.value.problem.code, refused.value.problem.status) == ("PLAN_NOT_FINISHED", 409)
    for item in plan.items:
        merchant = db.session.get(Merchant, item.merchant_id)
        assert merchant is not None
        plans.tick_off([add_inspection(merchant, team["a"], at(PLAN_DAY))], at(PLAN_DAY, 12))
    assert plans.publish(plan, at(PLAN_DAY, 18), team["supervisor"]).published_at == at(
        PLAN_DAY, 18
    )
    assert plans.publish(plan, at(PLAN_DAY, 19)).published_at == at(PLAN_DAY, 18)  # once
    unfinished = draw(team["supervisor"], region, plan_date=PLAN_DAY + timedelta(days=1))
    next_morning = at(PLAN_DAY + timedelta(days=2), 8)
    assert plans.publish(unfinished, next_morning).published_at == next_morning
    # what was published stays: a later inspection does not tick a published plan's visit
    merchant = db.session.get(Merchant, unfinished.items[0].merchant_id)
    assert merchant is not None
    late = add_inspection(merchant, team["a"], next_morning)
    assert plans.tick_off([late], next_morning) == []


def test_a_plan_can_be_cancelled_only_before_its_visits_start(
    region: Region, team: dict[str, User], stalls: list[Merchant]
) -> None:
    plan = draw(team["supervisor"], region)
    ids = [i.id for i in plan.items]
    plans.cancel(team["supervisor"], plan, NOW)
    db.session.commit()
    assert db.session.get(Plan, plan.id) is None
    tombstones = db.session.scalars(
        select(ChangeLogEntry.entity_id).where(
            ChangeLogEntry.entity == "plan_item", ChangeLogEntry.op == ChangeOp.DELETE
        )
    ).all()
    assert sorted(tombstones) == sorted(ids)
    cancelled = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.cancel"))
    assert cancelled.one().detail["seed"] == plan.seed
    started = draw(team["supervisor"], region)  # the date is free again
    merchant = db.session.get(Merchant, started.items[0].merchant_id)
    assert merchant is not None
    plans.tick_off([add_inspection(merchant, team["a"], at(PLAN_DAY))], at(PLAN_DAY, 11))
    with pytest.raises(AppError) as refused:
        plans.cancel(team["supervisor"], started, at(PLAN_DAY, 12))
    assert refused.value.problem.code == "PLAN_LOCKED"


# ---------------------------------------------------------------- targeting report


def _history(
    region: Region,
    supervisor: User,
    inspector: User,
    make_merchant: Callable[..., Merchant],
    plan_date: date,
    outcomes: dict[Selection, list[bool | None]],
) -> Plan:
    """A plan dated ``plan_date`` with visits of each selection: True failed, False passed,
    None not inspected."""
    plan = Plan(
        region_id=region.id,
        plan_date=plan_date,
        size=sum(len(v) for v in outcomes.values()),
        random_share=Decimal("0.2"),
        seed=uuid.uuid4().hex,
        rule_version="v1",
        inputs={},
        created_by_id=supervisor.id,
    )
    rank = 0
    for selection, results in outcomes.items():
        for failed in results:
            rank += 1
            merchant = make_merchant(region_id=region.id, market_id=None)
            item = PlanItem(
                rank=rank,
                merchant_id=merchant.id,
                inspector_id=inspector.id,
                selection=selection,
                priority=Decimal(1),
                reasons=[],
            )
            if failed is not None:
                inspection = add_inspection(
                    merchant, inspector, at(plan_date), failed=failed, commit=False
                )
                item.inspection_id, item.done_at = inspection.id, at(plan_date, 12)
            plan.items.append(item)
    db.session.add(plan)
    db.session.commit()
    return plan


def test_the_targeting_report_counts_failures_by_selection(
    region: Region,
    make_region: Callable[..., Region],
    team: dict[str, User],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
) -> None:
    boss, inspector = team["supervisor"], team["a"]
    T, F = True, False
    day = date(2026, 2, 2)
    _history(
        region,
        boss,
        inspector,
        make_merchant,
        day,
        {Selection.RISK: [T, T, T, F, None], Selection.RANDOM: [F, F, T]},
    )
    second = _history(
        region,
        boss,
        inspector,
        make_merchant,
        day + timedelta(days=7),
        {Selection.RISK: [T, F, F], Selection.RANDOM: [F, F]},
    )
    # outside the period, and another district: not counted
    _history(
        region,
        boss,
        inspector,
        make_merchant,
        day - timedelta(days=40),
        {Selection.RISK: [F], Selection.RANDOM: [T]},
    )
    far = make_region()
    far_inspector = make_user(Role.INSPECTOR, region_id=far.id)
    _history(
        far,
        make_user(Role.SUPERVISOR, region_id=far.id),
        far_inspector,
        make_merchant,
        day,
        {Selection.RISK: [F], Selection.RANDOM: [T]},
    )
    # a corrected inspection counts with its correction's verdict
    passed_item = next(
        i for i in second.items if i.selection == Selection.RISK and i.inspection_id and i.rank == 2
    )
    original = passed_item.inspection_id
    merchant = db.session.get(Merchant, passed_item.merchant_id)
    assert merchant is not None and original is not None
    add_inspection(
        merchant,
        inspector,
        at(day + timedelta(days=7), 11),
        failed=True,
        supersedes=db.session.get(Inspection, original),
    )
    report = plan_reports.targeting_report(
        region.id, day - timedelta(days=1), day + timedelta(days=8)
    )
    assert (report.risk.visits, report.risk.failures) == (7, 5)
    assert (report.random.visits, report.random.failures) == (5, 1)
    assert report.difference == pytest.approx(5 / 7 - 1 / 5)
    assert report.low is not None and report.high is not None
    assert report.low < report.difference < report.high
    everywhere = plan_reports.targeting_report(
        None, day - timedelta(days=1), day + timedelta(days=8)
    )
    assert (everywhere.risk.visits, everywhere.random.visits) == (8, 6)
    empty = plan_reports.targeting_report(region.id, date(2020, 1, 1), date(2020, 2, 1))
    assert empty.verdict == "no_data"
