"""Properties of the honesty-credit rule that must hold for any history (hypothesis).

Grades compare D < C < B < A. ``P`` depends only on how many inspections are in the window, which
removing a finding cannot change; a forced D (an S4 within 12 months) comes before P, so removing
that S4 from a merchant with fewer than 2 inspections turns D into P. The checks below say
exactly that.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_app.domain import credit
from inspect_app.domain.credit import Credit, FindingFacts, InspectionFacts, merchant_credit

RULES = credit.load_rules()
AS_OF = date(2026, 6, 1)
ORDER = {"D": 0, "C": 1, "B": 2, "A": 3}

findings = st.builds(
    FindingFacts,
    code=st.sampled_from(["A_CODE", "B_CODE", "C_CODE", "D_CODE"]),
    severity=st.integers(0, 4),
    extent=st.integers(1, 5),
    corrected_on_time=st.booleans(),
)
inspections = st.builds(
    InspectionFacts,
    # five years back to a month after AS_OF (those are ignored)
    inspected_on=st.integers(-30, 5 * 365).map(lambda d: AS_OF - timedelta(days=d)),
    findings=st.lists(findings, max_size=4).map(tuple),
)
histories = st.lists(inspections, max_size=7)


def _without(history: list[InspectionFacts], index: int, which: int) -> list[InspectionFacts]:
    target = history[index]
    kept = target.findings[:which] + target.findings[which + 1 :]
    return [*history[:index], InspectionFacts(target.inspected_on, kept), *history[index + 1 :]]


def _removal(data: st.DataObject, history: list[InspectionFacts]) -> list[InspectionFacts] | None:
    places = [(i, j) for i, insp in enumerate(history) for j in range(len(insp.findings))]
    if not places:
        return None
    index, which = data.draw(st.sampled_from(places))
    return _without(history, index, which)


def _no_worse(before: Credit, after: Credit) -> bool:
    if before.grade == "P":
        return after.grade == "P"
    if after.grade == "P":  # only a forced D of a merchant with fewer than 2 inspections
        return before.grade == "D" and before.in_window < RULES.min_inspections
    return ORDER[after.grade] >= ORDER[before.grade]


@settings(max_examples=300, deadline=None)
@given(histories, st.data())
def test_removing_a_finding_never_lowers_the_grade(
    history: list[InspectionFacts], data: st.DataObject
) -> None:
    lighter = _removal(data, history)
    if lighter is None:
        return
    before, after = merchant_credit(RULES, history, AS_OF), merchant_credit(RULES, lighter, AS_OF)
    assert _no_worse(before, after), (before, after)


@settings(max_examples=300, deadline=None)
@given(histories, st.data())
def test_removing_a_finding_never_lowers_the_score(
    history: list[InspectionFacts], data: st.DataObject
) -> None:
    lighter = _removal(data, history)
    if lighter is None:
        return
    before, after = merchant_credit(RULES, history, AS_OF), merchant_credit(RULES, lighter, AS_OF)
    assert (before.score is None) == (after.score is None)
    if before.score is not None and after.score is not None:
        assert after.score >= before.score


@settings(max_examples=300, deadline=None)
@given(histories)
def test_the_score_is_between_0_and_100_and_older_weighs_less(
    history: list[InspectionFacts],
) -> None:
    result = merchant_credit(RULES, history, AS_OF)
    if result.score is not None:
        assert 0 <= result.score <= 100
        assert result.score == result.score.quantize(Decimal("0.1"))
    counted = result.counted
    assert len(counted) <= RULES.max_inspections
    for newer, older in zip(counted, counted[1:], strict=False):
        assert newer.inspected_on >= older.inspected_on
        if newer.inspected_on > older.inspected_on:
            assert newer.weight > older.weight
        else:
            assert newer.weight == older.weight


@settings(max_examples=200, deadline=None)
@given(
    st.lists(findings, min_size=1, max_size=3).map(tuple),
    st.integers(0, 1000),
    st.integers(1, 90),
)
def test_a_bad_inspection_counts_less_the_older_it_is(
    bad: tuple[FindingFacts, ...], age: int, further: int
) -> None:
    """A clean inspection today and the same bad one at two ages: older, higher score."""
    renamed = tuple(FindingFacts(f"X{n}", f.severity, f.extent) for n, f in enumerate(bad))
    today = InspectionFacts(AS_OF, ())

    def score(days: int) -> Decimal | None:
        bad_one = InspectionFacts(AS_OF - timedelta(days=days), renamed)
        return merchant_credit(RULES, [today, bad_one], AS_OF).score

    younger, older = score(age), score(age + further)
    assert younger is not None and older is not None
    assert older >= younger
