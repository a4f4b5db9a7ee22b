"""What would raise a grade: the rule rerun, never a fixed sentence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from inspect_app.domain.credit import FindingFacts, InspectionFacts, load_rules, merchant_credit
from inspect_app.domain.credit_advice import advice

RULES = load_rules()
AS_OF = date(2026, 11, 30)


def visit(days_ago: int, *findings: tuple[str, int]) -> InspectionFacts:
    return InspectionFacts(
        AS_OF - timedelta(days=days_ago), tuple(FindingFacts(c, s) for c, s in findings)
    )


def test_a_provisional_merchant_is_told_how_many_inspections_are_missing() -> None:
    history = [visit(20, ("SCALE_NON_LEGAL_UNIT", 2))]
    [only] = advice(RULES, history, merchant_credit(RULES, history, AS_OF))
    assert (only.kind, only.count, only.grade) == ("more_inspections", 1, "A")
    [none] = advice(RULES, [], merchant_credit(RULES, [], AS_OF))
    assert (none.kind, none.count, none.grade, none.score) == (
        "more_inspections",
        2,
        "A",
        Decimal("100.0"),
    )


def test_each_cap_holding_the_grade_says_when_it_lifts_and_what_follows() -> None:
    history = [visit(500), visit(200), visit(30, ("SCALE_CHEATING_DEVICE", 4))]
    credit = merchant_credit(RULES, history, AS_OF)
    assert credit.grade == "D"
    lifts = [a for a in advice(RULES, history, credit) if a.kind == "cap_lifts"]
    # Only the forced cap holds now; when it lifts, the 36-month cap still keeps it at C.
    assert [(a.on, a.grade, a.cap.code if a.cap else None) for a in lifts] == [
        (AS_OF - timedelta(days=30) + timedelta(days=366), "C", "SCALE_CHEATING_DEVICE")
    ]


def test_a_passing_inspection_is_suggested_only_when_it_would_help() -> None:
    history = [visit(300), visit(100, ("SCALE_NON_LEGAL_UNIT", 2))]
    credit = merchant_credit(RULES, history, AS_OF)
    [clean] = [a for a in advice(RULES, history, credit) if a.kind == "clean_inspection"]
    assert clean.score is not None and credit.score is not None and clean.score > credit.score
    perfect = [visit(300), visit(100)]
    assert [a.kind for a in advice(RULES, perfect, merchant_credit(RULES, perfect, AS_OF))] == [
        "keep"
    ]
