"""Inspection priority (inspect_app/domain/risk.py): each factor moves the priority the right
way, the reasons say why, and a bad rule file is refused naming the file and the key."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from inspect_app.domain import risk_rules
from inspect_app.domain.risk import InstrumentFacts, MerchantRiskFacts, assess, describe_reason
from inspect_app.domain.risk_rules import RULES_DIR, RiskRulesError, load_rules, load_rules_from
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind

RULES = load_rules()
AS_OF = date(2026, 6, 1)

VEG_SCALE = InstrumentFacts("price_computing_scale", "III", Decimal("15000"), date(2027, 1, 1))
GOLD_BALANCE = InstrumentFacts("price_computing_scale", "II", Decimal("3000"), date(2027, 1, 1))
GRAIN_SCALE = InstrumentFacts("platform_scale", "III", Decimal("500000"), date(2027, 1, 1))
#: A vegetable stall, well kept: score 95, inspected two months ago, nothing open.
BASE = MerchantRiskFacts(1, "stall", (VEG_SCALE,), Decimal("95"), date(2026, 4, 1), 0, 0, 0)


def priority(facts: MerchantRiskFacts) -> Decimal:
    return assess(RULES, facts, AS_OF).priority


def test_the_default_rule_is_v1_and_prices_every_kind_the_application_knows() -> None:
    assert RULES.version == "v1"
    assert set(risk_rules.INSTRUMENT_KINDS) == {k.value for k in InstrumentKind}
    assert set(risk_rules.MERCHANT_KINDS) == {k.value for k in MerchantKind}
    assert risk_rules.check_rules() == RULES


def test_a_gold_shop_balance_and_a_grain_platform_scale_weigh_more_than_a_vegetable_stall() -> None:
    vegetables = assess(RULES, BASE, AS_OF)
    gold = assess(RULES, replace(BASE, instruments=(GOLD_BALANCE,)), AS_OF)
    grain = assess(RULES, replace(BASE, instruments=(GRAIN_SCALE,)), AS_OF)
    assert vegetables.impact < gold.impact and vegetables.impact < grain.impact
    assert vegetables.priority < gold.priority and vegetables.priority < grain.priority
    assert gold.reasons[0] == "impact_precision:II"
    assert grain.reasons[0] == "impact_capacity:500"
    assert vegetables.reasons == ()  # nothing worth naming


def test_impact_is_the_heaviest_instrument_or_the_trade_floor_whichever_is_higher() -> None:
    both = replace(BASE, instruments=(VEG_SCALE, GOLD_BALANCE))
    only_gold = replace(BASE, instruments=(GOLD_BALANCE,))
    # the heaviest instrument sets it; a second instrument adds the extra-instrument step
    assert assess(RULES, both, AS_OF).impact == assess(RULES, only_gold, AS_OF).impact * Decimal(
        "1.1"
    )
    packer = assess(RULES, replace(BASE, merchant_kind="packer", instruments=()), AS_OF)
    assert packer.impact == RULES.trade["packer"]
    assert packer.reasons[0] == "impact_trade:packer"
    listed_the_other_way = replace(BASE, instruments=(GOLD_BALANCE, VEG_SCALE))
    assert assess(RULES, listed_the_other_way, AS_OF) == assess(RULES, both, AS_OF)


def test_capacity_bands_apply_to_scales_only() -> None:
    big_lens = InstrumentFacts("focimeter", None, Decimal("999999"))
    optical = replace(BASE, merchant_kind="optical_shop", instruments=(big_lens,))
    assert assess(RULES, optical, AS_OF).impact == RULES.instrument_kind["focimeter"]


@pytest.mark.parametrize(
    ("worse", "reason"),
    [
        (replace(BASE, public_score=Decimal("60")), "credit_low:60"),
        (replace(BASE, public_score=None), "credit_unknown"),
        (replace(BASE, last_inspected_on=date(2025, 1, 1)), "inspected_months_ago:16"),
        (replace(BASE, last_inspected_on=None), "never_inspected"),
        (
            replace(BASE, instruments=(replace(VEG_SCALE, valid_until=date(2026, 5, 31)),)),
            "verification_overdue:1",
        ),
        (replace(BASE, open_orders=1), "orders_open:1"),
        (replace(BASE, overdue_orders=1), "orders_overdue:1"),
        (replace(BASE, complaints=2), "complaints:2:90"),
    ],
)
def test_each_likelihood_factor_raises_the_priority_and_is_named(
    worse: MerchantRiskFacts, reason: str
) -> None:
    assessed = assess(RULES, worse, AS_OF)
    assert assessed.priority > priority(BASE)
    assert reason in assessed.reasons


def test_more_of_a_factor_never_lowers_the_priority() -> None:
    scores = [priority(replace(BASE, public_score=Decimal(s))) for s in (100, 90, 75, 50, 0)]
    assert scores == sorted(scores)
    months = [priority(replace(BASE, last_inspected_on=date(2026, 6 - m, 1))) for m in range(6)]
    assert months == sorted(months)
    for field in ("open_orders", "overdue_orders", "complaints"):
        series = [priority(replace(BASE, **{field: n})) for n in range(8)]
        assert series == sorted(series), field
    # an overdue order weighs more than an open one
    assert priority(replace(BASE, overdue_orders=1)) > priority(replace(BASE, open_orders=1))


def test_factors_are_capped() -> None:
    assert priority(replace(BASE, complaints=50)) == priority(
        replace(BASE, complaints=RULES.max_complaints)
    )
    assert priority(replace(BASE, last_inspected_on=date(2010, 1, 1))) == priority(
        replace(BASE, last_inspected_on=None)
    )


def test_verification_expiring_on_the_day_is_not_overdue_yet() -> None:
    due_today = replace(BASE, instruments=(replace(VEG_SCALE, valid_until=AS_OF),))
    assert priority(due_today) == priority(BASE)


def test_reasons_come_heaviest_first_and_read_in_both_languages() -> None:
    facts = replace(BASE, instruments=(GRAIN_SCALE,), complaints=3, open_orders=1)
    reasons = assess(RULES, facts, AS_OF).reasons
    assert reasons == ("impact_capacity:500", "complaints:3:90", "orders_open:1")
    assert describe_reason("complaints:3:90", "en") == "3 consumer complaint(s) in 90 days"
    assert describe_reason("complaints:3:90", "zh") == "近 90 天有 3 件消费者投诉"
    assert "500 kg" in describe_reason("impact_capacity:500", "zh")
    assert describe_reason("impact_trade:packer", "en").endswith("(packer of prepackaged goods)")
    assert describe_reason("something_new:1", "en") == "something_new:1"


def test_the_priority_is_impact_times_likelihood_with_four_decimals() -> None:
    assessed = assess(RULES, BASE, AS_OF)
    assert assessed.priority == (assessed.impact * assessed.likelihood).quantize(Decimal("0.0001"))
    assert assessed.priority.as_tuple().exponent == -4


# ---------------------------------------------------------------- bad rule files


def write_variant(tmp_path: Path, edit: tuple[str, str], name: str = "v1.toml") -> Path:
    text = (RULES_DIR / "v1.toml").read_text(encoding="utf-8")
    old, new = edit
    assert re.search(old, text, flags=re.M), old
    path = tmp_path / name
    path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        ((r"^weight = 3\n", ""), "likelihood.credit.weight", "missing"),
        (
            (r"^per_complaint = 0.5", "per_complaint = -0.5"),
            "likelihood.complaints.per_complaint",
            "≥ 0",
        ),
        ((r"^packer = 3", "packer = -1"), "impact.trade.packer", "≥ 0"),
        ((r"^steelyard = 2.5\n", ""), "impact.instrument_kind.steelyard", "missing"),
        (
            (r"^steelyard = 2.5", "steelyard = 2.5\nbalance = 4"),
            "impact.instrument_kind.balance",
            "unknown key",
        ),
        ((r"^days_per_month = 30.4375", "days_per_month = 0"), "time.days_per_month", "> 0"),
        ((r"\{ min_kg = 500", "{ min_kg = 50"), "impact.capacity.bands[1].min_kg", "ascending"),
        ((r"^max_count = 3", 'max_count = "three"'), "likelihood.verification.max_count", "whole"),
        ((r"^unknown_score = 70", "unknown_score = 170"), "likelihood.credit.unknown_score", "100"),
        ((r'^kinds = \["price', 'kinds = ["scale", "price'), "impact.capacity.kinds", "unknown"),
        (
            (r"^\[likelihood.orders\]", "[likelihood.orders]\nper_visit = 1"),
            "likelihood.orders.per_visit",
            "unknown key",
        ),
    ],
)
def test_a_bad_rule_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, edit: tuple[str, str], key: str, problem: str
) -> None:
    path = write_variant(tmp_path, edit)
    with pytest.raises(RiskRulesError) as refused:
        load_rules_from(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert problem in message


def test_an_unknown_version_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(RiskRulesError, match=r"v9\.toml: version: unknown rule version 'v9'"):
        load_rules("v9")
    renamed = write_variant(tmp_path, (r'^version = "v1"', 'version = "v1"'), name="v2.toml")
    with pytest.raises(RiskRulesError, match=r"v2\.toml: version: 'v1' does not match"):
        load_rules_from(renamed)


def test_a_broken_file_stops_the_start_up_check(tmp_path: Path) -> None:
    write_variant(tmp_path, (r"^base = 1", "base = 0"), name="v1.toml")
    with pytest.raises(RiskRulesError, match=r"likelihood\.base: must be a number > 0"):
        risk_rules.check_rules(tmp_path)
