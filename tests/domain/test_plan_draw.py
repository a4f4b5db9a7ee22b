"""The double-random draw (inspect_app/domain/plan_draw.py): reproducible from its seed, the
random share of the size drawn from every active merchant, the rest by priority, inspectors
balanced; and the targeting statistics (inspect_app/domain/targeting.py)."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest

from inspect_app.domain.plan_draw import (
    RANDOM,
    RISK,
    Candidate,
    PlanDrawError,
    draw,
    random_count,
)
from inspect_app.domain.targeting import compare, wilson


def district(n: int = 40, inactive: tuple[int, ...] = ()) -> list[Candidate]:
    """Merchants 1..n; merchant i has priority i (so n is the riskiest)."""
    return [
        Candidate(i, Decimal(i), (f"complaints:{i}:90",), i not in inactive)
        for i in range(1, n + 1)
    ]


INSPECTORS = [101, 102, 103]


def test_the_same_inputs_and_seed_draw_the_same_plan_whatever_the_order_given() -> None:
    first = draw(district(), INSPECTORS, 10, Decimal("0.3"), "seed-1")
    shuffled = district()
    random.Random(5).shuffle(shuffled)
    again = draw(shuffled, list(reversed(INSPECTORS)), 10, Decimal("0.3"), "seed-1")
    assert again == first
    other = draw(district(), INSPECTORS, 10, Decimal("0.3"), "seed-2")
    assert other != first


@pytest.mark.parametrize(
    ("size", "share", "k"),
    [(10, "0.2", 2), (10, "0", 0), (10, "1", 10), (5, "0.5", 3), (7, "0.25", 2), (1, "0.2", 0)],
)
def test_k_is_the_rounded_share_of_the_size(size: int, share: str, k: int) -> None:
    assert random_count(size, Decimal(share)) == k
    visits = draw(district(), INSPECTORS, size, Decimal(share), "s")
    assert len(visits) == size
    assert sum(v.selection == RANDOM for v in visits) == k


def test_random_picks_are_active_and_nobody_is_planned_twice() -> None:
    candidates = district(30, inactive=(3, 7, 11, 30))
    for seed in map(str, range(200)):
        visits = draw(candidates, INSPECTORS, 12, Decimal("0.5"), seed)
        ids = [v.merchant_id for v in visits]
        assert len(set(ids)) == len(ids)
        assert not set(ids) & {3, 7, 11, 30}


def test_the_rest_go_to_the_highest_priorities_not_drawn_at_random() -> None:
    visits = draw(district(40), INSPECTORS, 10, Decimal("0.2"), "x")
    risk = [v for v in visits if v.selection == RISK]
    random_ids = {v.merchant_id for v in visits if v.selection == RANDOM}
    expected = [m for m in range(40, 0, -1) if m not in random_ids][:8]
    assert [v.merchant_id for v in risk] == expected
    assert [v.rank for v in visits] == list(range(1, 11))
    assert all(v.reasons for v in risk)  # risk picks carry their reasons, random ones none
    assert all(v.reasons == () for v in visits if v.selection == RANDOM)


def test_ties_in_priority_go_to_the_smaller_merchant_id() -> None:
    tied = [Candidate(i, Decimal(5)) for i in (9, 4, 6)]
    visits = draw(tied, INSPECTORS, 2, Decimal(0), "x")
    assert [v.merchant_id for v in visits] == [4, 6]


def test_the_random_share_is_drawn_uniformly_from_all_active_merchants() -> None:
    """Over many seeds, every active merchant (low priority too) is drawn about equally often."""
    counts: Counter[int] = Counter()
    for seed in range(3000):
        visits = draw(district(20), INSPECTORS, 5, Decimal("0.4"), f"u{seed}")
        counts.update(v.merchant_id for v in visits if v.selection == RANDOM)
    expected = 3000 * 2 / 20  # 2 random picks a plan, 20 merchants
    assert set(counts) == set(range(1, 21))
    assert all(abs(c - expected) < 0.2 * expected for c in counts.values()), counts


def test_inspectors_are_balanced_and_assigned_at_random() -> None:
    for size in (1, 2, 7, 10, 11):
        visits = draw(district(), INSPECTORS, size, Decimal("0.2"), f"b{size}")
        per = Counter(v.inspector_id for v in visits)
        assert max(per.values()) - min(per.values(), default=0) <= 1
        assert sum(per.values()) == size and set(per) <= set(INSPECTORS)
        if size >= len(INSPECTORS):
            assert set(per) == set(INSPECTORS)
    firsts = {
        draw(district(), INSPECTORS, 6, Decimal(0), f"r{s}")[0].inspector_id for s in range(50)
    }
    assert firsts == set(INSPECTORS)  # the riskiest visit does not always go to the same person


@pytest.mark.parametrize(
    ("size", "share", "inspectors", "field"),
    [
        (0, "0.2", INSPECTORS, "size"),
        (41, "0.2", INSPECTORS, "size"),
        (5, "1.01", INSPECTORS, "random_share"),
        (5, "-0.1", INSPECTORS, "random_share"),
        (5, "0.2", [], "inspectors"),
        (5, "0.2", [1, 1], "inspectors"),
    ],
)
def test_inputs_that_cannot_make_a_plan_name_the_field(
    size: int, share: str, inspectors: list[int], field: str
) -> None:
    with pytest.raises(PlanDrawError) as refused:
        draw(district(), inspectors, size, Decimal(share), "x")
    assert refused.value.field == field


def test_the_size_counts_active_merchants_only() -> None:
    with pytest.raises(PlanDrawError, match="size"):
        draw(district(5, inactive=(1, 2)), INSPECTORS, 4, Decimal(0), "x")


# ---------------------------------------------------------------- targeting statistics


def test_wilson_interval_matches_the_published_example() -> None:
    # Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662 (Wilson, no continuity correction)
    rate = wilson(81, 263)
    assert rate.rate == pytest.approx(0.3080, abs=1e-4)
    assert (rate.low, rate.high) == (
        pytest.approx(0.2553, abs=1e-4),
        pytest.approx(0.3662, abs=1e-4),
    )
    assert wilson(0, 10).low == 0.0 and wilson(10, 10).high == 1.0
    assert wilson(0, 0).rate is None


def test_difference_interval_matches_newcombe_method_10() -> None:
    # Newcombe (1998), table II, example (a): 56/70 − 48/80 → 0.0524 to 0.3339
    result = compare(56, 70, 48, 80)
    assert result.difference == pytest.approx(0.2, abs=1e-9)
    assert (result.low, result.high) == (
        pytest.approx(0.0524, abs=1e-4),
        pytest.approx(0.3339, abs=1e-4),
    )
    assert result.verdict == "better"
    assert compare(1, 10, 1, 10).verdict == "unclear"
    assert compare(1, 10, 0, 0).verdict == "no_data"
    assert compare(0, 50, 30, 50).verdict == "worse"
