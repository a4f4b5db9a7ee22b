"""The honesty-credit rule (inspect_app/domain/credit.py), one test per clause of docs/credit.md.

Dates are chosen so that day counts are easy to check: on 2026-06-01, 2025-06-01 is 365 days
back, 2025-12-01 is 182, 2023-06-02 is 1095 (2023-06-01 is 1096: the span holds 2024-02-29).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inspect_app.domain import credit
from inspect_app.domain.credit import FindingFacts, InspectionFacts, merchant_credit

RULES = credit.load_rules()
AS_OF = date(2026, 6, 1)
VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "credit.json"

CHEAT, TAMPER = "SCALE_CHEATING_DEVICE", "SCALE_TAMPERING"  # S4
OUT_OF_TOL = "SCALE_OUT_OF_TOLERANCE"  # S3
EXPIRED, BANNED = "SCALE_VERIFICATION_EXPIRED", "SCALE_BANNED_INSTRUMENT"  # S2
NO_MARK, MARKINGS = "SCALE_NO_VERIFICATION_MARK", "SCALE_MARKINGS_INCOMPLETE"  # S1


def f(code: str, severity: int, extent: int = 1, corrected: bool = False) -> FindingFacts:
    return FindingFacts(code, severity, extent, corrected)


def insp(on: date | int, *findings: FindingFacts) -> InspectionFacts:
    """An inspection on a date, or ``on`` days before AS_OF."""
    day = AS_OF - timedelta(days=on) if isinstance(on, int) else on
    return InspectionFacts(day, findings)


def clean(*days_back: int) -> list[InspectionFacts]:
    return [insp(d) for d in days_back]


def score_of(*findings: FindingFacts, history: tuple[InspectionFacts, ...] = ()) -> Decimal:
    inspection = insp(10, *findings)
    return credit.inspection_score(RULES, inspection, [*history, inspection])[0]


# --- the inspection score ------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "expected"), [(0, 100), (1, 98), (2, 94), (3, 88), (4, 70)])
def test_base_deduction_per_severity(severity: int, expected: int) -> None:
    assert score_of(f("X", severity)) == expected


@pytest.mark.parametrize(("extent", "expected"), [(1, 94), (2, "92.5"), (3, 91), (5, 88)])
def test_extent_adds_a_quarter_of_the_base_per_level(extent: int, expected: object) -> None:
    assert score_of(f(EXPIRED, 2, extent)) == Decimal(str(expected))


def test_the_inspection_score_never_goes_below_zero() -> None:
    assert score_of(*(f(f"S4_{n}", 4, 5) for n in range(4))) == 0


def test_an_extent_outside_the_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="extent"):
        score_of(f(EXPIRED, 2, 6))


# --- repeats --------------------------------------------------------------------------------


def test_one_earlier_same_code_finding_multiplies_by_one_and_a_half() -> None:
    assert score_of(f(EXPIRED, 2), history=(insp(100, f(EXPIRED, 2)),)) == 91  # 6 × 1.5


def test_two_earlier_inspections_with_the_code_double_it() -> None:
    earlier = (insp(100, f(EXPIRED, 2)), insp(400, f(EXPIRED, 2)))
    assert score_of(f(EXPIRED, 2), history=earlier) == 88  # 6 × 2


def test_two_findings_in_one_earlier_inspection_also_double_it() -> None:
    earlier = (insp(100, f(EXPIRED, 2), f(EXPIRED, 2)),)
    assert score_of(f(EXPIRED, 2), history=earlier) == 88


def test_another_code_or_the_same_day_is_not_a_repeat() -> None:
    assert score_of(f(EXPIRED, 2), history=(insp(100, f(BANNED, 2)),)) == 94
    assert score_of(f(EXPIRED, 2), history=(insp(10, f(EXPIRED, 2)),)) == 94


@pytest.mark.parametrize(("gap", "expected"), [(729, 91), (730, 91), (731, 94)])
def test_the_repeat_window_is_24_months_from_the_later_inspection(gap: int, expected: int) -> None:
    # 24 months = 730.5 days: 730 days back counts, 731 does not
    assert score_of(f(EXPIRED, 2), history=(insp(10 + gap, f(EXPIRED, 2)),)) == expected


def test_repeats_look_beyond_the_36_month_window() -> None:
    later, earlier = insp(600, f(EXPIRED, 2)), insp(1200, f(EXPIRED, 2))  # 600 days apart
    result = merchant_credit(RULES, [later, earlier], AS_OF)
    assert result.in_window == 1
    assert result.counted[0].score == 91
    assert result.counted[0].deductions[0].earlier_same_code == 1


# --- corrections ----------------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "expected"), [(1, 99), (2, 97), (3, 88), (4, 70)])
def test_correction_halves_only_first_time_s1_and_s2(severity: int, expected: int) -> None:
    assert score_of(f("X", severity, corrected=True)) == expected


def test_no_correction_credit_with_an_earlier_same_code_finding() -> None:
    assert score_of(f(NO_MARK, 1, corrected=True), history=(insp(300, f(NO_MARK, 1)),)) == 97
    # beyond 24 months it is a first time again
    assert score_of(f(NO_MARK, 1, corrected=True), history=(insp(800, f(NO_MARK, 1)),)) == 99


def test_the_breakdown_shows_each_factor() -> None:
    result = merchant_credit(
        RULES, [insp(10, f(NO_MARK, 1, 3, True), f(EXPIRED, 2)), insp(200, f(EXPIRED, 2))], AS_OF
    )
    latest = result.counted[0]
    by_code = {d.code: d for d in latest.deductions}
    assert by_code[NO_MARK].extent_factor == Decimal("1.5")
    assert by_code[NO_MARK].correction_factor == Decimal("0.5")
    assert by_code[NO_MARK].points == Decimal("1.5")
    assert by_code[EXPIRED].repeat_factor == Decimal("1.5")
    assert by_code[EXPIRED].points == 9
    assert latest.score == Decimal("89.5")


# --- the window and the weighted score ------------------------------------------------------


@pytest.mark.parametrize(("days_back", "inside"), [(1094, True), (1095, True), (1096, False)])
def test_the_window_is_36_months_inclusive(days_back: int, inside: bool) -> None:
    # 36 months = 1095.75 days
    result = merchant_credit(RULES, clean(10, days_back), AS_OF)
    assert result.in_window == (2 if inside else 1)
    assert result.grade == ("A" if inside else "P")


def test_only_the_four_most_recent_count() -> None:
    result = merchant_credit(RULES, [*clean(10, 100, 200, 300), insp(400, f(EXPIRED, 2))], AS_OF)
    assert [c.inspected_on for c in result.counted] == [
        AS_OF - timedelta(d) for d in (10, 100, 200, 300)
    ]
    assert (result.score, result.in_window) == (Decimal("100.0"), 5)


def test_a_tie_at_the_fourth_place_takes_the_lower_scoring_first() -> None:
    history = [*clean(10, 20, 30), insp(40), insp(40, f(BANNED, 2)), insp(40)]
    result = merchant_credit(RULES, history, AS_OF)
    assert [c.score for c in result.counted] == [100, 100, 100, 94]
    assert result.score is not None and result.score < 100


def test_older_inspections_weigh_less_with_a_twelve_month_half_life() -> None:
    result = merchant_credit(RULES, clean(0, 365, 730), AS_OF)
    weights = [float(c.weight) for c in result.counted]
    assert weights[0] == 1
    assert weights[1] == pytest.approx(0.5, abs=0.001)
    assert weights[2] == pytest.approx(0.25, abs=0.001)
    assert float(result.counted[1].age_months) == pytest.approx(11.99, abs=0.01)


def test_the_score_is_the_weighted_mean() -> None:
    result = merchant_credit(RULES, [insp(0), insp(365, f(OUT_OF_TOL, 3))], AS_OF)
    w = 0.5 ** (365 / 365.25)
    assert float(result.score or 0) == pytest.approx((100 + 88 * w) / (1 + w), abs=0.05)


def test_rounding_is_half_up_at_one_decimal() -> None:
    # 6 × 1.25 × 0.5 = 3.75 twice on one day: the mean is exactly 96.25
    history = [insp(200, f(EXPIRED, 2, 2, True)), insp(200, f(BANNED, 2, 2, True))]
    result = merchant_credit(RULES, history, AS_OF)
    assert str(result.score) == "96.3"


def test_the_grade_is_read_from_the_rounded_score() -> None:
    # I = 100 today, I = 70 a year ago: 89.9968… rounds to 90.0, which is an A
    history = [insp(0), insp(365, f(OUT_OF_TOL, 3, 3), f("PREPACK_T2_FOUND", 3))]
    w = 0.5 ** (365 / 365.25)
    assert (100 + 70 * w) / (1 + w) < 90
    result = merchant_credit(RULES, history, AS_OF)
    assert (str(result.score), result.grade, result.band) == ("90.0", "A", "A")


@pytest.mark.parametrize(
    ("score", "grade"),
    [("100", "A"), ("90.0", "A"), ("89.9", "B"), ("75.0", "B"), ("74.9", "C"), ("60.0", "C"),
     ("59.9", "D"), ("0.0", "D")],
)  # fmt: skip
def test_grade_bands(score: str, grade: str) -> None:
    assert RULES.band_of(Decimal(score)) == grade


def test_inspections_after_the_computation_date_are_ignored() -> None:
    future = InspectionFacts(AS_OF + timedelta(days=1), (f(CHEAT, 4),))
    result = merchant_credit(RULES, [*clean(10, 20), future], AS_OF)
    assert (result.grade, result.in_window, result.caps) == ("A", 2, ())
    # nor does a future finding make a repeat of anything
    assert merchant_credit(RULES, [insp(10, f(EXPIRED, 2)), future], AS_OF).counted[0].score == 94


# --- provisional ----------------------------------------------------------------------------


def test_no_inspections_is_provisional_without_a_score() -> None:
    result = merchant_credit(RULES, [], AS_OF)
    assert (result.score, result.grade, result.capped_by) == (None, "P", None)
    assert result.reasons == ("provisional",)
    assert result.rule_version == "v1"


def test_one_inspection_is_provisional_with_its_score() -> None:
    result = merchant_credit(RULES, [insp(10, f(OUT_OF_TOL, 3))], AS_OF)
    # the S3 is 10 days old, but P comes before the six-month cap
    assert (result.score, result.grade, result.capped_by) == (Decimal("88.0"), "P", None)
    assert result.reasons == ("provisional",)
    assert all(not c.applied for c in result.caps)


def test_inspections_outside_the_window_do_not_lift_provisional() -> None:
    assert merchant_credit(RULES, clean(10, 2000, 3000), AS_OF).grade == "P"


# --- caps -----------------------------------------------------------------------------------


def test_an_s4_within_twelve_months_forces_d_even_with_one_inspection() -> None:
    result = merchant_credit(RULES, [insp(365, f(CHEAT, 4))], AS_OF)  # 365 days ≤ 365.25
    assert (result.score, result.grade, result.capped_by) == (Decimal("70.0"), "D", CHEAT)
    assert result.reasons == (f"cap_s4_12m:{CHEAT}:2025-06-01:2026-06-02",)


def test_a_forced_d_sets_capped_by_even_when_the_band_is_already_d() -> None:
    history = [insp(10, f(CHEAT, 4, 5)), insp(10, f(TAMPER, 4, 5))]  # 40 and 40
    result = merchant_credit(RULES, history, AS_OF)
    assert (result.band, result.grade, result.capped_by) == ("D", "D", CHEAT)


def test_an_s4_past_twelve_months_holds_at_most_c() -> None:
    result = merchant_credit(RULES, [insp(10), insp(366, f(CHEAT, 4))], AS_OF)
    assert (result.band, result.grade, result.capped_by) == ("B", "C", CHEAT)
    assert result.reasons == (f"cap_s4_36m:{CHEAT}:2025-05-31:2028-05-31",)


@pytest.mark.parametrize(("days_back", "grade"), [(1095, "C"), (1096, "A")])
def test_the_s4_cap_lasts_36_months_over_the_whole_history(days_back: int, grade: str) -> None:
    # four clean inspections are counted; the S4 is in a fifth, not counted
    history = [*clean(10, 20, 30, 40), insp(days_back, f(CHEAT, 4))]
    result = merchant_credit(RULES, history, AS_OF)
    assert (result.score, result.grade) == (Decimal("100.0"), grade)


@pytest.mark.parametrize(("days_back", "grade"), [(181, "B"), (182, "B"), (183, "A")])
def test_an_s3_holds_at_most_b_for_six_months(days_back: int, grade: str) -> None:
    # 6 months = 182.625 days
    result = merchant_credit(RULES, [insp(days_back, f(OUT_OF_TOL, 3)), insp(days_back)], AS_OF)
    assert (result.score, result.band, result.grade) == (Decimal("94.0"), "A", grade)
    assert result.capped_by == (OUT_OF_TOL if grade == "B" else None)


def test_a_cap_no_worse_than_the_band_sets_nothing() -> None:
    result = merchant_credit(RULES, [insp(700, f(CHEAT, 4)), insp(700, f(TAMPER, 4))], AS_OF)
    assert (result.grade, result.capped_by, result.reasons) == ("C", None, ())
    assert [c.applied for c in result.caps] == [False, False]


def test_the_worst_cap_binds_and_every_holding_cap_is_a_reason() -> None:
    history = [*clean(10, 20), insp(30, f(OUT_OF_TOL, 3)), insp(700, f(CHEAT, 4))]
    result = merchant_credit(RULES, history, AS_OF)
    assert (result.band, result.grade, result.capped_by) == ("A", "C", CHEAT)
    assert [r.split(":")[0] for r in result.reasons] == ["cap_s4_36m", "cap_s3_6m"]


def test_capped_by_names_the_most_recent_finding_then_the_first_code() -> None:
    recent = merchant_credit(
        RULES, [*clean(10, 20), insp(500, f(TAMPER, 4)), insp(800, f(CHEAT, 4))], AS_OF
    )
    assert recent.capped_by == TAMPER
    same_day = merchant_credit(RULES, [*clean(10, 20), insp(500, f(TAMPER, 4), f(CHEAT, 4))], AS_OF)
    assert same_day.capped_by == CHEAT


def test_cap_facts_say_when_each_cap_lifts() -> None:
    result = merchant_credit(RULES, [insp(10), insp(100, f(CHEAT, 4))], AS_OF)
    found = AS_OF - timedelta(days=100)
    facts = {(c.cap, c.grade, c.lifts_on, c.applied) for c in result.caps}
    assert facts == {
        ("cap_s4_12m", "D", found + timedelta(days=366), True),
        ("cap_s4_36m", "C", found + timedelta(days=1096), False),
    }


# --- reasons in words -----------------------------------------------------------------------


def test_reasons_read_in_english_and_chinese() -> None:
    reason = "cap_s3_6m:SCALE_OUT_OF_TOLERANCE:2026-01-15:2026-07-17"
    titles = {"SCALE_OUT_OF_TOLERANCE": "Short weight"}
    assert credit.describe_reason(reason, "en", titles) == (
        "Short weight, found 2026-01-15; the cap lifts on 2026-07-17."
    )
    assert credit.describe_reason(reason, "zh", {"SCALE_OUT_OF_TOLERANCE": "短秤"}) == (
        "短秤（2026-01-15 发现）；该限制于 2026-07-17 解除。"
    )
    assert "SCALE_OUT_OF_TOLERANCE, found" in credit.describe_reason(reason, "en_GB")
    assert credit.describe_reason("provisional", "en") == "Not enough inspections yet for a grade."
    assert credit.describe_reason("provisional", "zh_CN") == "检查次数尚不足以评定等级。"
    assert credit.describe_reason("something else", "en") == "something else"


# --- the rule file --------------------------------------------------------------------------


def test_the_shipped_rules_load_once_and_pass_the_start_up_check() -> None:
    assert credit.load_rules() is credit.load_rules("v1") is credit.check_rules()
    assert RULES.window_months == 36 and RULES.base_deduction[4] == 30


def _bad_rules(tmp_path: Path, old: str, new: str) -> Path:
    text = (Path(credit.__file__).parent / "credit_rules" / "v1.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "v1.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("S3 = 12\n", "", "inspection.base_deduction.S3: missing"),
        ("half_life_months = 12", "", "score.half_life_months: missing"),
        ("once = 1.5", "once = -1.5", "repeat.once: must be a finite number ≥ 0"),
        ("days_per_month = 30.4375", "days_per_month = 0", "time.days_per_month"),
        ('{ grade = "B", min = 75 }', '{ grade = "B", min = 95 }', "grades.bands[1].min"),
        ('{ grade = "C", min = 60 }', '{ grade = "C", min = 75 }', "grades.bands[2].min"),
        ('grade = "C"\nforced', 'grade = "E"\nforced', "caps[1].grade"),
        ("places = 1", "places = 1\nspare = 2", "score.spare: unknown key"),
        ('version = "v1"', 'version = "v2"', "version"),
    ],
)
def test_a_bad_rule_file_is_refused_naming_the_file_and_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    directory = _bad_rules(tmp_path, old, new)
    with pytest.raises(credit.CreditRulesError) as raised:
        credit.load_rules_from(directory / "v1.toml")
    assert str(directory / "v1.toml") in str(raised.value)
    assert f": {key}" in str(raised.value)
    with pytest.raises(credit.CreditRulesError):
        credit.check_rules(directory)


def test_an_unknown_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(credit.CreditRulesError, match=r"v9\.toml: version: unknown rule version"):
        credit.load_rules("v9")
    with pytest.raises(credit.CreditRulesError, match="version"):
        credit.load_rules("../v1")


# --- shared vectors (tests/vectors/credit.json) ---------------------------------------------


def _vector_cases() -> list[Any]:
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    return [pytest.param(data["rule_version"], c, id=c["name"]) for c in data["cases"]]


def test_there_are_enough_vectors_and_most_are_worked_by_hand() -> None:
    cases = [p.values[1] for p in _vector_cases()]
    assert len(cases) >= 25 and sum(c["hand_worked"] for c in cases) >= 10
    assert all(c["why"] for c in cases)


@pytest.mark.parametrize(("version", "case"), _vector_cases())
def test_vector(version: str, case: dict[str, Any]) -> None:
    history = [
        InspectionFacts(
            date.fromisoformat(i["inspected_on"]), tuple(FindingFacts(**f) for f in i["findings"])
        )
        for i in case["history"]
    ]
    result = merchant_credit(credit.load_rules(version), history, date.fromisoformat(case["as_of"]))
    assert {
        "score": None if result.score is None else str(result.score),
        "grade": result.grade,
        "capped_by": result.capped_by,
        "reasons": list(result.reasons),
    } == case["expected"]
