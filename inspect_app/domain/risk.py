"""Inspection priority (internal, never published): ``priority = impact × likelihood``.

Pure: :func:`assess` takes the rule (:mod:`inspect_app.domain.risk_rules`), one merchant's
:class:`MerchantRiskFacts` and the date the facts are measured on, and returns a
:class:`RiskAssessment` whose reason codes say what raised the priority. docs/plans.md states
the rule in plain words; every number is in ``risk_rules/<version>.toml``.

* **Impact** (what is at stake): each instrument weighs ``kind × accuracy-class factor ×
  capacity factor`` (a class II balance in a gold shop, a 500 kg grain platform scale); the
  merchant's impact is the larger of its trade's floor and its heaviest instrument, raised a
  little for each further instrument in use.
* **Likelihood** (how likely a problem is): ``base`` plus contributions from a low public
  score, months since the last inspection, instruments past their verification, open and
  overdue orders, and consumer complaints of the last 90 days. Each moves one way only: more
  of it never lowers the priority.

Reason codes (stored on plan items, shown to inspectors and supervisors; :func:`describe_reason`
gives the zh/en sentence): ``impact_trade:<merchant kind>``, ``impact_precision:<class>``,
``impact_capacity:<kg>``, ``impact_instrument:<instrument kind>``, ``credit_low:<score>``,
``credit_unknown``, ``inspected_months_ago:<n>``, ``never_inspected``,
``verification_overdue:<n>``, ``orders_open:<n>``, ``orders_overdue:<n>``,
``complaints:<n>:<days>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from inspect_app.domain.risk_reasons import describe_reason
from inspect_app.domain.risk_rules import RiskRules

__all__ = [
    "InstrumentFacts",
    "MerchantRiskFacts",
    "RiskAssessment",
    "assess",
    "describe_reason",
]

#: Priorities are stored with four decimals (``inspection_plan_item.priority``).
PLACES = Decimal("0.0001")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class InstrumentFacts:
    """One instrument in use (retired and seized ones are left out by the caller)."""

    kind: str
    accuracy_class: str | None = None
    #: Scales: grams. Optical instruments: not a mass (capacity bands apply to scales only).
    max_capacity: Decimal | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class MerchantRiskFacts:
    """What the rule reads about one merchant."""

    merchant_id: int
    merchant_kind: str
    instruments: tuple[InstrumentFacts, ...] = ()
    #: The latest public honesty score (0–100), None when the merchant has none yet.
    public_score: Decimal | None = None
    last_inspected_on: date | None = None
    #: Orders open or with evidence awaiting a decision; overdue ones separately.
    open_orders: int = 0
    overdue_orders: int = 0
    #: Consumer reports (not dismissed) in the rule's complaint window before the date.
    complaints: int = 0


@dataclass(frozen=True)
class RiskAssessment:
    priority: Decimal
    #: Reason codes, what weighs most first (the impact's, then likelihood's by contribution).
    reasons: tuple[str, ...]
    impact: Decimal = Decimal(0)
    likelihood: Decimal = Decimal(0)


def _capacity_factor(rules: RiskRules, instrument: InstrumentFacts) -> Decimal:
    if instrument.kind not in rules.capacity_kinds or instrument.max_capacity is None:
        return Decimal(1)
    factor = Decimal(1)
    for band in rules.capacity_bands:
        if instrument.max_capacity >= band.min_grams:
            factor = band.factor
    return factor


def _instrument_impact(rules: RiskRules, instrument: InstrumentFacts) -> tuple[Decimal, str]:
    """The instrument's impact and the reason that names what drives it."""
    cls = instrument.accuracy_class if instrument.accuracy_class in rules.accuracy_class else None
    class_factor = rules.accuracy_class[cls or "none"]
    capacity_factor = _capacity_factor(rules, instrument)
    impact = rules.instrument_kind[instrument.kind] * class_factor * capacity_factor
    if class_factor > 1:
        reason = f"impact_precision:{cls}"
    elif capacity_factor > 1 and instrument.max_capacity is not None:
        kg = (instrument.max_capacity / 1000).to_integral_value(ROUND_FLOOR)
        reason = f"impact_capacity:{kg}"
    else:
        reason = f"impact_instrument:{instrument.kind}"
    return impact, reason


def _impact(rules: RiskRules, facts: MerchantRiskFacts) -> tuple[Decimal, str]:
    best, reason = rules.trade[facts.merchant_kind], f"impact_trade:{facts.merchant_kind}"
    # Highest first; ties keep the first in a fixed order (kind, class, capacity), so the
    # reason never depends on the order the caller listed the instruments in.
    ordered = sorted(
        facts.instruments,
        key=lambda i: (i.kind, i.accuracy_class or "", i.max_capacity or Decimal(0)),
    )
    for instrument in ordered:
        impact, why = _instrument_impact(rules, instrument)
        if impact > best:
            best, reason = impact, why
    extra = min(max(len(facts.instruments) - 1, 0), rules.extra_instrument_max)
    return best * (1 + rules.extra_instrument_step * extra), reason


def _months(rules: RiskRules, earlier: date, later: date) -> Decimal:
    return Decimal(max((later - earlier).days, 0)) / rules.days_per_month


def _likelihood(
    rules: RiskRules, facts: MerchantRiskFacts, as_of: date
) -> tuple[Decimal, list[tuple[Decimal, str]]]:
    """``base`` + contributions; each contribution with the reason that names it (or "")."""
    parts: list[tuple[Decimal, str]] = []
    score = facts.public_score
    known = rules.unknown_score if score is None else min(max(score, Decimal(0)), _HUNDRED)
    credit = rules.credit_weight * (_HUNDRED - known) / _HUNDRED
    if score is None:
        parts.append((credit, "credit_unknown"))
    else:
        low = score < rules.credit_reason_below
        parts.append((credit, f"credit_low:{score.normalize():f}" if low else ""))
    if facts.last_inspected_on is None:
        months = rules.max_months
        parts.append((rules.per_month * months, "never_inspected"))
    else:
        months = min(_months(rules, facts.last_inspected_on, as_of), rules.max_months)
        whole = _months(rules, facts.last_inspected_on, as_of).to_integral_value(ROUND_FLOOR)
        named = months >= rules.reason_months
        parts.append((rules.per_month * months, f"inspected_months_ago:{whole}" if named else ""))
    overdue = sum(
        1 for i in facts.instruments if i.valid_until is not None and i.valid_until < as_of
    )
    counted = (
        (
            overdue,
            rules.max_overdue_verifications,
            rules.per_overdue_verification,
            "verification_overdue",
        ),
        (facts.open_orders, rules.max_orders, rules.per_open_order, "orders_open"),
        (facts.overdue_orders, rules.max_orders, rules.per_overdue_order, "orders_overdue"),
    )
    for count, cap, weight, code in counted:
        if count > 0:
            parts.append((weight * min(count, cap), f"{code}:{count}"))
    if facts.complaints > 0:
        window = rules.complaint_window_days
        contribution = rules.per_complaint * min(facts.complaints, rules.max_complaints)
        parts.append((contribution, f"complaints:{facts.complaints}:{window}"))
    return rules.base + sum((c for c, _ in parts), Decimal(0)), parts


def assess(rules: RiskRules, facts: MerchantRiskFacts, as_of: date) -> RiskAssessment:
    """The merchant's priority on ``as_of`` and why.

    :raises KeyError: a merchant or instrument kind the rule does not price (the rule file is
        validated against every kind the application knows, so only a caller's typo gets here).
    """
    impact, impact_reason = _impact(rules, facts)
    likelihood, parts = _likelihood(rules, facts, as_of)
    priority = (impact * likelihood).quantize(PLACES, rounding=ROUND_HALF_UP)
    named = sorted(
        ((c, r) for c, r in parts if r and (c > 0 or r in ("credit_unknown", "never_inspected"))),
        key=lambda p: (-p[0], p[1]),
    )
    reasons = [impact_reason] if impact >= rules.impact_reason_min else []
    reasons += [r for _, r in named]
    return RiskAssessment(priority, tuple(reasons), impact, likelihood)
