"""What would raise a merchant's grade, found by running the rule again, never hard-coded.

From a merchant's history and its :class:`~inspect_app.domain.credit.Credit` on ``as_of``:

* ``more_inspections`` — a provisional grade (P): the number of inspections still missing in
  the window, and the grade the merchant would get if they all came today without a finding;
* ``cap_lifts`` — for each kind of cap holding the grade now, the day it lifts (the finding
  named is the most recent holding it) and the grade on that day if nothing else happens
  (no new finding, no new inspection: the rule rerun on that day, weights aged);
* ``clean_inspection`` — the score and grade an inspection today without any finding would
  give (it is the most recent, so it weighs the most), when that is better than now;
* ``keep`` — nothing would raise it (grade A at full marks, or nothing changes the grade).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from inspect_app.domain.credit import CapFact, Credit, CreditRules, InspectionFacts, merchant_credit


@dataclass(frozen=True)
class Advice:
    kind: str
    #: The grade and score the merchant would have.
    grade: str
    score: Decimal | None
    #: ``cap_lifts``: the day the cap lifts.
    on: date | None = None
    #: ``cap_lifts``: the finding holding the cap.
    cap: CapFact | None = None
    #: ``more_inspections``: how many inspections are still missing.
    count: int = 0


def _rank(rules: CreditRules, grade: str) -> int:
    """Best first; the provisional grade after every other."""
    order = rules.grades()
    return order.index(grade) if grade in order else len(order)


def _better(rules: CreditRules, new: Credit, old: Credit) -> bool:
    if _rank(rules, new.grade) != _rank(rules, old.grade):
        return _rank(rules, new.grade) < _rank(rules, old.grade)
    return new.score is not None and (old.score is None or new.score > old.score)


def advice(
    rules: CreditRules, history: Sequence[InspectionFacts], credit: Credit
) -> tuple[Advice, ...]:
    """What would raise ``credit`` (computed on ``credit.as_of`` from ``history``)."""
    as_of = credit.as_of
    out: list[Advice] = []
    if credit.grade == rules.provisional_grade:
        missing = max(1, rules.min_inspections - credit.in_window)
        clean = tuple(InspectionFacts(as_of, ()) for _ in range(missing))
        then = merchant_credit(rules, (*history, *clean), as_of)
        out.append(Advice("more_inspections", then.grade, then.score, count=missing))
    seen: set[str] = set()
    for cap in credit.caps:  # most recent finding first: the first of a kind lifts last
        if not cap.applied or cap.cap in seen:
            continue
        seen.add(cap.cap)
        then = merchant_credit(rules, history, cap.lifts_on)
        if then.grade != credit.grade:
            out.append(Advice("cap_lifts", then.grade, then.score, on=cap.lifts_on, cap=cap))
    if credit.grade != rules.provisional_grade:
        then = merchant_credit(rules, (*history, InspectionFacts(as_of, ())), as_of)
        if _better(rules, then, credit):
            out.append(Advice("clean_inspection", then.grade, then.score))
    if not out:
        out.append(Advice("keep", credit.grade, credit.score))
    return tuple(out)
