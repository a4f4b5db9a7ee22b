"""Row rules shared by the registry forms and the importer (domain/registry_rules.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.domain import registry_rules as rules
from inspect_app.domain import rulepacks
from inspect_app.domain.registry_rules import InstrumentFields, check_instrument
from inspect_app.models.instrument import SCALE_KINDS, InstrumentKind
from inspect_app.models.place import MerchantKind

CN = rules.scale_classes(rulepacks.load("cn"))
SCALE = InstrumentFields(
    code="NM-0102-000001",
    kind="price_computing_scale",
    accuracy_class="III",
    max_capacity=Decimal("15000"),
    min_capacity=Decimal("40"),
    e_value=Decimal("5"),
    d_value=Decimal("5"),
    verified_at=date(2025, 3, 1),
    valid_until=date(2026, 2, 28),
)


def issues(**changes: object) -> list[tuple[str, str]]:
    fields = InstrumentFields(**(SCALE.__dict__ | changes))  # type: ignore[arg-type]
    return [(i.field, i.code) for i in check_instrument(fields, CN)]


def test_the_kind_sets_match_the_models() -> None:
    assert {k.value for k in InstrumentKind} == rules.INSTRUMENT_KINDS
    assert {k.value for k in SCALE_KINDS} == rules.SCALE_KINDS
    assert {k.value for k in MerchantKind} == rules.MERCHANT_KINDS


def test_rule_pack_classes() -> None:
    assert {"III", "IIII"} == CN
    assert rules.scale_classes(rulepacks.load("oiml")) == {"I", "II", "III", "IIII"}


def test_a_clean_scale_and_a_clean_focimeter() -> None:
    assert issues() == []
    optical = InstrumentFields(code="NM-0102-000002", kind="focimeter")
    assert check_instrument(optical, CN) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"e_value": Decimal("20000")}, [("e_value", "E_ABOVE_MAX")]),
        ({"min_capacity": Decimal("15000")}, [("min_capacity", "MIN_ABOVE_MAX")]),
        ({"min_capacity": Decimal("20000")}, [("min_capacity", "MIN_ABOVE_MAX")]),
        ({"d_value": Decimal("10")}, [("d_value", "D_ABOVE_E")]),
        ({"accuracy_class": "II"}, [("accuracy_class", "CLASS_NOT_IN_PACK")]),
        ({"accuracy_class": None}, [("accuracy_class", "REQUIRED_FOR_SCALE")]),
        (
            {"max_capacity": None, "e_value": None},
            [("max_capacity", "REQUIRED_FOR_SCALE"), ("e_value", "REQUIRED_FOR_SCALE")],
        ),
        ({"valid_until": date(2025, 2, 28)}, [("valid_until", "VALID_BEFORE_VERIFIED")]),
        ({"code": "nm-0102-000001"}, [("code", "CODE_FORMAT")]),
        ({"code": "NM--1"}, [("code", "CODE_FORMAT")]),
        ({"code": "=CMD|'/C calc'!A0"}, [("code", "CODE_FORMAT")]),
        ({"code": "A" * 33}, [("code", "CODE_FORMAT")]),
        ({"code": ""}, [("code", "CODE_REQUIRED")]),
        ({"kind": "balance"}, [("kind", "KIND_UNKNOWN")]),
        ({"kind": "focimeter"}, [("accuracy_class", "CLASS_ONLY_FOR_SCALES")]),
        ({"max_capacity": Decimal("0")}, [("max_capacity", "NOT_POSITIVE")]),
        ({"min_capacity": Decimal("-1")}, [("min_capacity", "NEGATIVE")]),
        ({"e_value": Decimal("0.00001"), "d_value": None}, [("e_value", "TOO_PRECISE")]),
        ({"max_capacity": Decimal("1E10")}, [("max_capacity", "TOO_LARGE")]),
        ({"max_capacity": Decimal("NaN")}, [("max_capacity", "NOT_A_NUMBER")]),
    ],
)
def test_each_rule(changes: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert issues(**changes) == expected


def test_a_value_already_refused_is_not_compared_again() -> None:
    # Max is refused for itself; e and Min are not also reported against it.
    assert issues(max_capacity=Decimal("-5")) == [("max_capacity", "NOT_POSITIVE")]


def test_trailing_zeros_are_not_decimals() -> None:
    assert issues(max_capacity=Decimal("15000.00000000")) == []


def test_messages_in_both_languages() -> None:
    fields = InstrumentFields(**(SCALE.__dict__ | {"e_value": Decimal("20000")}))  # type: ignore[arg-type]
    [issue] = check_instrument(fields, CN)
    assert issue.message("en") == "e must not be above Max."
    assert issue.message("zh") == "e 不能大于 Max。"
    assert rules.issues_by_field([issue]) == {
        "e_value": [{"code": "E_ABOVE_MAX", "en": issue.en, "zh": issue.zh}]
    }


def test_codes_are_normalized_before_checking() -> None:
    assert rules.normalize_code("  xc-hle ") == "XC-HLE"
    assert rules.check_code(rules.normalize_code("xc-hle")) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", []),
        ("911101080828461726", []),
        ("91350100M000100Y44", ["USCC_CHECK"]),
        ("91350100M000100Y4", ["USCC_FORMAT"]),
        ("91350100O000100Y43", ["USCC_FORMAT"]),  # O is not in the alphabet
    ],
)
def test_uscc(value: str, expected: list[str]) -> None:
    assert [i.code for i in rules.check_uscc(value)] == expected
