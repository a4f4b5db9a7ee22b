"""The read models equal the raw rows after any history: ingest, corrections, review decisions,
deletes and a stall moving market, on SQLite and (INSPECT_TEST_DATABASE=postgresql) PostgreSQL.

Three independent views must agree after every random history: the rollups as maintained
incrementally, the counting rule restated in Python (``rollup_helpers.expected_fine``) and
``flask rollups verify``'s recomputation in SQL (``rollup_check.verify``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    Finding,
    Inspection,
    InspectionReview,
    InspectionRollup,
    Market,
    Merchant,
    Region,
    User,
)
from inspect_app.models.enforcement import ReviewDecision
from inspect_app.models.inspection import ReviewState
from inspect_app.models.user import Role
from inspect_app.services import review, rollup_check, rollups
from tests.conftest import BACKEND
from tests.services.rollup_helpers import CODES, expected_fine, store, stored_fine


@dataclass
class World:
    merchants: list[Merchant]
    markets: dict[int, list[Market]]
    inspectors: dict[int, User]
    supervisor: User


@pytest.fixture
def world(
    make_region: Callable[..., Region],
    region: Region,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
) -> World:
    far = make_region()
    markets = {
        region.id: [make_market(), make_market()],
        far.id: [make_market(region_id=far.id)],
    }
    merchants = [
        make_merchant(market_id=markets[region.id][0].id),
        make_merchant(market_id=markets[region.id][1].id),
        make_merchant(region_id=region.id, market_id=None, lat=40.85, lon=111.68),
        make_merchant(region_id=far.id, market_id=markets[far.id][0].id),
    ]
    inspectors = {
        region.id: make_user(Role.INSPECTOR),
        far.id: make_user(Role.INSPECTOR, region_id=far.id),
    }
    return World(merchants, markets, inspectors, make_user(Role.SUPERVISOR))


# Capture times crowd around the local midnight of 2026-01-01 (16:00 UTC), where the day a
# record counts on differs between UTC and the district's calendar.
MOMENTS = st.one_of(
    st.datetimes(datetime(2025, 12, 31, 14), datetime(2025, 12, 31, 18), timezones=st.just(UTC)),
    st.datetimes(datetime(2024, 1, 1), datetime(2026, 6, 30), timezones=st.just(UTC)),
)
FINDINGS = st.lists(st.sampled_from(sorted(CODES)), max_size=3)
OPS = st.one_of(
    st.tuples(
        st.just("ingest"),
        st.integers(0, 3),
        MOMENTS,
        st.sampled_from(["bazaar_scale", "prepackaged_goods"]),
        FINDINGS,
        st.booleans(),
    ),
    st.tuples(st.just("correct"), st.integers(0, 99), MOMENTS, FINDINGS, st.booleans()),
    st.tuples(st.just("review"), st.integers(0, 99), st.sampled_from(list(ReviewDecision))),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("move"), st.integers(0, 3), st.integers(0, 2)),
)


def _current() -> list[Inspection]:
    superseded = set(db.session.scalars(select(Inspection.supersedes_id)))
    rows = db.session.scalars(select(Inspection).order_by(Inspection.id))
    return [i for i in rows if i.id not in superseded]


def _apply(w: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    current = _current()
    if kind == "ingest":
        _, m, moment, form, codes, located = op
        merchant = w.merchants[m]
        store(
            w.inspectors[merchant.region_id],
            merchant,
            moment,
            form_key=form,
            codes=codes,
            located=located,
        )
    elif kind == "correct" and current:
        _, n, moment, codes, located = op
        original = current[n % len(current)]
        merchant = db.session.get(Merchant, original.merchant_id)
        assert merchant is not None
        store(
            w.inspectors[merchant.region_id],
            merchant,
            moment,
            form_key=original.form_key,
            codes=codes,
            located=located,
            supersedes=original,
        )
    elif kind == "review" and current:
        _, n, decision = op
        target = current[n % len(current)]
        if target.review_state == ReviewState.RECEIVED:
            review.decide(w.supervisor, target, decision, "wrong stall", datetime.now(UTC))
    elif kind == "delete" and current:
        target = current[op[1] % len(current)]
        rollups.remove([target])
        # Deleted below the ORM: SQLite may hand the id to the next row of this session.
        db.session.expunge(target)
        for model in (Finding, InspectionReview):
            db.session.execute(delete(model).where(model.inspection_id == target.id))
        db.session.execute(delete(Inspection).where(Inspection.id == target.id))
    elif kind == "move":
        _, m, choice = op
        merchant = w.merchants[m]
        options = [None, *(market.id for market in w.markets[merchant.region_id])]
        old = merchant.market_id
        merchant.market_id = options[choice % len(options)]
        db.session.flush()
        if merchant.market_id != old:
            rollups.merchant_moved(merchant.id, old)


@settings(
    max_examples=20 if BACKEND == "postgresql" else 40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=14))
def test_rollups_equal_the_raw_rows_after_any_history(
    world: World, ops: list[tuple[Any, ...]]
) -> None:
    try:
        for op in ops:
            _apply(world, op)
        assert stored_fine() == expected_fine()
        assert [d.describe() for d in rollup_check.verify()] == []
    finally:
        db.session.rollback()


def test_a_correction_moves_the_count_to_its_own_day_and_market(world: World) -> None:
    stall, street_shop = world.merchants[0], world.merchants[2]
    inspector = world.inspectors[stall.region_id]
    before_midnight = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    original = store(inspector, stall, before_midnight, codes=["SCALE_OUT_OF_TOLERANCE"])
    assert stored_fine() == {
        (stall.region_id, before_midnight.date(), stall.market_id, "bazaar_scale"): [
            1,
            1,
            0,
            0,
            0,
            1,
            0,
            1,
        ]
    }
    after_midnight = before_midnight + timedelta(hours=1)
    store(inspector, stall, after_midnight, supersedes=original, located=False)
    assert stored_fine() == {
        (
            stall.region_id,
            after_midnight.date() + timedelta(days=1),
            stall.market_id,
            "bazaar_scale",
        ): [1, 0, 0, 0, 0, 0, 0, 0]
    }
    store(inspector, street_shop, after_midnight, codes=["SCALE_NOT_LEVEL"])
    assert stored_fine()[
        (street_shop.region_id, datetime(2026, 1, 1).date(), 0, "bazaar_scale")
    ] == [1, 0, 1, 0, 0, 0, 0, 1]


def test_a_returned_inspection_still_counts_until_corrected(world: World) -> None:
    stall = world.merchants[0]
    returned = store(world.inspectors[stall.region_id], stall, datetime(2026, 3, 2, 3, tzinfo=UTC))
    before = stored_fine()
    review.decide(
        world.supervisor, returned, ReviewDecision.RETURN, "wrong scale", datetime.now(UTC)
    )
    assert returned.review_state == ReviewState.HAS_ISSUES
    assert stored_fine() == before and rollup_check.verify() == []
    with pytest.raises(AppError):
        review.decide(world.supervisor, returned, ReviewDecision.APPROVE, "", datetime.now(UTC))


def test_deleting_a_correction_brings_its_original_back(world: World) -> None:
    stall = world.merchants[1]
    inspector = world.inspectors[stall.region_id]
    original = store(
        inspector, stall, datetime(2026, 2, 1, 2, tzinfo=UTC), codes=["SCALE_CHEATING_DEVICE"]
    )
    correction = store(inspector, stall, datetime(2026, 2, 3, 2, tzinfo=UTC), supersedes=original)
    rollups.remove([correction])
    db.session.delete(correction)
    db.session.flush()
    assert stored_fine() == expected_fine()
    assert sum(v[6] for v in stored_fine().values()) == 1  # the S4 finding counts again
    assert rollup_check.verify() == []


def test_rebuild_repairs_an_injected_drift(world: World) -> None:
    stall = world.merchants[3]
    store(world.inspectors[stall.region_id], stall, datetime(2026, 5, 5, 5, tzinfo=UTC))
    row = db.session.scalars(select(InspectionRollup)).one()
    row.inspections += 2
    db.session.flush()
    [drift] = [d for d in rollup_check.verify() if d.table == "inspection_rollup"]
    assert drift.stored["inspections"] == 3 and drift.expected["inspections"] == 1
    assert "inspections stored 3 expected 1" in drift.describe()
    assert rollup_check.rebuild() > 0
    assert rollup_check.verify() == []
