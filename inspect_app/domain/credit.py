"""Honesty credit (诚信计量): a merchant's public score and grade from its inspection history.

Pure: ``merchant_credit(rules, history, as_of)`` takes the rule (``load_rules()``, data in
``credit_rules/<version>.toml``), every inspection of the merchant (only approved findings; the
caller filters) and the computation date, and returns a :class:`Credit` with its breakdown.
Complaints are never an input. The rule in plain words with a worked example: docs/credit.md.

1. Inspection score ``I = max(0, 100 − Σ base(severity) × extent × repeat × correction)``.
   Extent factor ``1 + 0.25·(L − 1)``. Repeat: same-code findings in inspections dated strictly
   before this one and at most 24 months before it, over the whole history passed in (also
   beyond 36 months); every such finding counts (two in one earlier inspection make two);
   exactly one → ×1.5, two or more → ×2. Correction ×0.5 for S1/S2 corrected on time with no
   such earlier finding (so repeat and correction never combine). Same-code findings of one
   inspection do not count each other (not "earlier").
2. Window: inspections with ``0 ≤ age ≤ 36`` months on ``as_of``; inspections dated after
   ``as_of`` are ignored for everything (score, repeats, caps). Age in months is
   ``days / 30.4375``; "≤ N months" is inclusive and is compared exactly as
   ``days ≤ N × 30.4375`` (36 months: up to 1095 days; 24: 730; 12: 365; 6: 182).
3. The 4 most recent in the window count; at a shared date at the 4th place the lower ``I``
   are taken first. Weight ``w = 0.5^(age / 12)``; score ``Σ w·I / Σ w`` computed with 40
   significant digits, first rounded to 10 decimals (so that a mean that is exactly x.x5, as
   with equal weights, is not pushed below by the arithmetic) and then rounded half-up to one
   decimal. No inspection in the window: score ``None``.
4. Grade from the rounded score (what is published is what is graded): A ≥ 90, B ≥ 75,
   C ≥ 60, else D. Then, in order:

   a. a forced cap (S4 with age ≤ 12 months, over the whole history) → D whatever else,
      also with fewer than 2 inspections and also with no score;
   b. otherwise fewer than 2 inspections in the window → ``P`` (score shown when there is one;
      the other caps are not applied and ``capped_by`` is ``None``: P is not a cap);
   c. otherwise S4 with age ≤ 36 months → at most C; S3 with age ≤ 6 months → at most B.

``capped_by`` is set when a forced cap applies (even when the score's band is already D:
"or forced D"), or when a cap made the grade worse than the score's band; among the caps that
do, the binding one is the worst grade, and ``capped_by`` names the most recent finding holding
it (ties: alphabetically first code). A cap whose grade is not worse than the band sets
nothing. ``reasons``: ``provisional`` for P; else one code per cap kind that holds the grade
(forced, or worse than the band), in the rule file's order, naming that kind's most recent
finding; uncapped grades carry none. Format: :mod:`inspect_app.domain.credit_reasons`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from inspect_app.domain.credit_reasons import PROVISIONAL, cap_reason, describe_reason
from inspect_app.domain.credit_rules import (
    Cap,
    CreditRules,
    CreditRulesError,
    check_rules,
    load_rules,
    load_rules_from,
)

__all__ = [
    "CapFact",
    "CountedInspection",
    "Credit",
    "CreditRules",
    "CreditRulesError",
    "Deduction",
    "FindingFacts",
    "InspectionFacts",
    "check_rules",
    "describe_reason",
    "inspection_score",
    "load_rules",
    "load_rules_from",
    "merchant_credit",
]

_CTX = Context(prec=40, rounding=ROUND_HALF_EVEN)
_NOISE = Decimal("1e-10")
_HALF = Decimal("0.5")


@dataclass(frozen=True)
class FindingFacts:
    """One approved finding: catalogue code, severity 0–4 (S0–S4), extent 1–5."""

    code: str
    severity: int
    extent: int = 1
    #: The finding's order was corrected by its deadline.
    corrected_on_time: bool = False


@dataclass(frozen=True)
class InspectionFacts:
    inspected_on: date
    findings: tuple[FindingFacts, ...]


@dataclass(frozen=True)
class Deduction:
    """How one finding of a counted inspection became points: ``points`` is the product."""

    code: str
    severity: int
    extent: int
    base: Decimal
    extent_factor: Decimal
    #: Same-code findings in earlier inspections within the repeat window.
    earlier_same_code: int
    repeat_factor: Decimal
    correction_factor: Decimal
    points: Decimal


@dataclass(frozen=True)
class CountedInspection:
    """One of the (at most 4) inspections the score is built from, most recent first."""

    inspected_on: date
    #: The inspection score I (exact, before any rounding).
    score: Decimal
    weight: Decimal
    age_months: Decimal
    deductions: tuple[Deduction, ...]


@dataclass(frozen=True)
class CapFact:
    """A finding that holds a cap on ``as_of``: until ``lifts_on`` the grade is ≤ ``grade``."""

    cap: str
    code: str
    severity: int
    found_on: date
    grade: str
    lifts_on: date
    forced: bool
    #: This cap holds the grade now (forced, or worse than the score's band and not P).
    applied: bool


@dataclass(frozen=True)
class Credit:
    score: Decimal | None
    grade: str
    capped_by: str | None
    reasons: tuple[str, ...]
    rule_version: str
    as_of: date
    #: The grade of the rounded score by the bands alone (``None`` without a score).
    band: str | None
    #: Inspections in the window (can exceed the counted ones; below the minimum → P).
    in_window: int
    counted: tuple[CountedInspection, ...]
    #: Every cap held by a finding on ``as_of``, most recent finding first.
    caps: tuple[CapFact, ...]


def inspection_score(
    rules: CreditRules, inspection: InspectionFacts, history: Sequence[InspectionFacts]
) -> tuple[Decimal, tuple[Deduction, ...]]:
    """``I`` of ``inspection`` and its deductions; repeats are looked up in ``history``."""
    day = inspection.inspected_on
    earlier: Counter[str] = Counter()
    for other in history:
        if other.inspected_on < day and rules.within(
            other.inspected_on, day, rules.repeat_window_months
        ):
            earlier.update(f.code for f in other.findings)
    deductions = []
    for f in inspection.findings:
        if not 0 <= f.severity < len(rules.base_deduction) or not 1 <= f.extent <= rules.extent_max:
            raise ValueError(f"finding {f.code}: severity or extent outside the rule {f}")
        count = earlier[f.code]
        repeat = (Decimal(1), rules.repeat_once, rules.repeat_twice_or_more)[min(count, 2)]
        corrected = count == 0 and f.corrected_on_time and f.severity in rules.correction_severities
        correction = rules.correction_factor if corrected else Decimal(1)
        base = rules.base_deduction[f.severity]
        extent = _plain(1 + rules.extent_step * (f.extent - 1))
        points = _plain(base * extent * repeat * correction)
        deductions.append(
            Deduction(f.code, f.severity, f.extent, base, extent, count, repeat, correction, points)
        )
    total = sum((d.points for d in deductions), Decimal(0))
    return _plain(max(Decimal(0), rules.full_score - total)), tuple(deductions)


def _plain(number: Decimal) -> Decimal:
    """``number`` without trailing zeros and without an exponent (``88.00`` → ``88``)."""
    reduced = number.normalize()
    return reduced.quantize(Decimal(1)) if reduced == reduced.to_integral_value() else reduced


def merchant_credit(rules: CreditRules, history: Sequence[InspectionFacts], as_of: date) -> Credit:
    """The merchant's credit on ``as_of`` from its whole ``history`` (see the module docstring)."""
    past = [i for i in history if i.inspected_on <= as_of]
    window = [i for i in past if rules.within(i.inspected_on, as_of, rules.window_months)]
    scored = sorted(
        ((i, *inspection_score(rules, i, past)) for i in window),
        key=lambda t: (-t[0].inspected_on.toordinal(), t[1]),
    )[: rules.max_inspections]
    counted = tuple(_counted(rules, i, score, ded, as_of) for i, score, ded in scored)
    score = _mean(rules, counted)
    band = None if score is None else rules.band_of(score)
    facts = _cap_facts(rules, past, as_of)
    forced = [c for c in facts if c.forced]
    provisional = not forced and len(window) < rules.min_inspections
    holding = forced or ([] if provisional else _worse_than(rules, band, facts))
    kinds = [c.id for c in rules.caps if any(h.cap == c.id for h in holding)]
    facts = tuple(replace(c, applied=c.cap in kinds) for c in facts)
    grade, capped_by, reasons = band or rules.floor_grade, None, tuple[str, ...]()
    if provisional:
        grade, reasons = rules.provisional_grade, (PROVISIONAL,)
    elif holding:
        order = rules.grades()
        worst = max(order.index(c.grade) for c in holding)
        grade = order[worst if band is None else max(worst, order.index(band))]
        capped_by = min((c for c in holding if c.grade == order[worst]), key=_recent_first).code
        reasons = tuple(
            cap_reason(first.cap, first.code, first.found_on, first.lifts_on)
            for first in (min((c for c in holding if c.cap == k), key=_recent_first) for k in kinds)
        )
    return Credit(
        score, grade, capped_by, reasons, rules.version, as_of, band, len(window), counted, facts
    )


def _worse_than(rules: CreditRules, band: str | None, facts: Sequence[CapFact]) -> list[CapFact]:
    """The caps whose grade is worse than ``band`` (every cap when there is no score)."""
    order = rules.grades()
    limit = -1 if band is None else order.index(band)
    return [c for c in facts if order.index(c.grade) > limit]


def _recent_first(fact: CapFact) -> tuple[int, str]:
    return (-fact.found_on.toordinal(), fact.code)


def _counted(
    rules: CreditRules,
    inspection: InspectionFacts,
    score: Decimal,
    deductions: tuple[Deduction, ...],
    as_of: date,
) -> CountedInspection:
    days = (as_of - inspection.inspected_on).days
    age, weight = _age_and_weight(days, rules.days_per_month, rules.half_life_months)
    return CountedInspection(inspection.inspected_on, score, weight, age, deductions)


@lru_cache(maxsize=4096)  # whole days within the window: about 1100 values per rule version
def _age_and_weight(days: int, per_month: Decimal, half_life: Decimal) -> tuple[Decimal, Decimal]:
    age = _CTX.divide(Decimal(days), per_month)
    return age, _CTX.power(_HALF, _CTX.divide(age, half_life))


def _mean(rules: CreditRules, counted: Sequence[CountedInspection]) -> Decimal | None:
    if not counted:
        return None
    total = _CTX.divide(
        sum((_CTX.multiply(c.weight, c.score) for c in counted), Decimal(0)),
        sum((c.weight for c in counted), Decimal(0)),
    )
    return total.quantize(_NOISE, ROUND_HALF_EVEN, _CTX).quantize(
        Decimal(1).scaleb(-rules.places), ROUND_HALF_UP, _CTX
    )


def _cap_facts(
    rules: CreditRules, past: Sequence[InspectionFacts], as_of: date
) -> tuple[CapFact, ...]:
    facts = {
        (cap.id, f.code, i.inspected_on): _fact(rules, cap, f, i.inspected_on)
        for cap in rules.caps
        for i in past
        if rules.within(i.inspected_on, as_of, cap.months)
        for f in i.findings
        if f.severity == cap.severity
    }
    rank = {c.id: n for n, c in enumerate(rules.caps)}
    return tuple(sorted(facts.values(), key=lambda c: (*_recent_first(c), rank[c.cap])))


def _fact(rules: CreditRules, cap: Cap, finding: FindingFacts, found_on: date) -> CapFact:
    lifts_on = rules.lifts_on(found_on, cap.months)
    return CapFact(
        cap.id, finding.code, finding.severity, found_on, cap.grade, lifts_on, cap.forced, False
    )
