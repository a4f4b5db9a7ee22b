"""The double-random draw of an inspection plan (双随机: random subjects, random inspectors).

Pure and reproducible: the same candidates, inspectors, size, random share and seed give the
same plan, whoever runs it and in whatever order the lists are given. docs/plans.md states it
for people; in order, with one ``random.Random(seed)`` (CPython's Mersenne Twister seeded from
the seed string, which does not depend on ``PYTHONHASHSEED``):

1. ``k = round(N × r)``, rounding half up (N = 5, r = 0.5 → 3).
2. **Random share**: ``rng.sample`` of ``k`` merchants from *all* active candidates, sorted by
   merchant id, whatever their priority.
3. **By priority**: the remaining ``N − k`` from the active candidates not drawn in step 2,
   highest priority first, ties by merchant id (smaller first).
4. **Inspectors** (balanced): the inspector ids, sorted, are shuffled with ``rng.shuffle``;
   the visits (risk picks by rank, then random picks in the order drawn) are shuffled too;
   then the j-th visit of that shuffled order gets inspector ``j mod m``. So every inspector
   gets ⌊N / m⌋ or ⌈N / m⌉ visits and none can predict which.

The plan lists the priority picks first (rank 1 = highest priority), then the random picks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Recorded with each plan: a change to the steps above is a new version, so an old plan can
#: still be redrawn the way it was drawn.
DRAW_VERSION = "v1"
RISK = "risk"
RANDOM = "random"


class PlanDrawError(ValueError):
    """Inputs the draw cannot use; ``field`` names the input (size, random_share, inspectors)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Candidate:
    merchant_id: int
    priority: Decimal
    reasons: tuple[str, ...] = ()
    #: Trading; only active merchants are drawn (either way).
    active: bool = True


@dataclass(frozen=True)
class PlannedVisit:
    rank: int
    merchant_id: int
    inspector_id: int
    #: ``risk`` or ``random``.
    selection: str
    priority: Decimal
    #: The risk reasons for a priority pick; empty for a random one.
    reasons: tuple[str, ...]


def random_count(size: int, random_share: Decimal) -> int:
    """``round(size × random_share)``, half up."""
    return int((Decimal(size) * random_share).to_integral_value(rounding=ROUND_HALF_UP))


def check(
    candidates: Sequence[Candidate], inspectors: Sequence[int], size: int, random_share: Decimal
) -> None:
    """:class:`PlanDrawError` for inputs that cannot make a plan."""
    if not Decimal(0) <= random_share <= Decimal(1):
        raise PlanDrawError("random_share", "must be between 0 and 1")
    active = sum(1 for c in candidates if c.active)
    if size < 1 or size > active:
        raise PlanDrawError("size", f"must be between 1 and {active} (the active merchants)")
    if len({c.merchant_id for c in candidates}) != len(candidates):
        raise PlanDrawError("candidates", "a merchant is listed twice")
    if not inspectors or len(set(inspectors)) != len(inspectors):
        raise PlanDrawError("inspectors", "needs at least one inspector, each once")


def draw(
    candidates: Sequence[Candidate],
    inspectors: Sequence[int],
    size: int,
    random_share: Decimal,
    seed: str,
) -> tuple[PlannedVisit, ...]:
    """The plan: ``size`` visits, ``round(size × random_share)`` of them drawn at random."""
    check(candidates, inspectors, size, random_share)
    rng = random.Random(seed)
    active = sorted((c for c in candidates if c.active), key=lambda c: c.merchant_id)
    k = random_count(size, random_share)
    drawn = rng.sample(active, k)
    taken = {c.merchant_id for c in drawn}
    by_priority = sorted(
        (c for c in active if c.merchant_id not in taken),
        key=lambda c: (-c.priority, c.merchant_id),
    )[: size - k]
    picks = [(c, RISK) for c in by_priority] + [(c, RANDOM) for c in drawn]
    people = sorted(inspectors)
    rng.shuffle(people)
    order = list(range(len(picks)))
    rng.shuffle(order)
    assigned = {visit: people[j % len(people)] for j, visit in enumerate(order)}
    return tuple(
        PlannedVisit(
            rank=n + 1,
            merchant_id=c.merchant_id,
            inspector_id=assigned[n],
            selection=selection,
            priority=c.priority,
            reasons=c.reasons if selection == RISK else (),
        )
        for n, (c, selection) in enumerate(picks)
    )
