"""Form definitions and answer validation, tested without the app (pure domain)."""

from __future__ import annotations

import ast
import copy
import math
import re
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_app.domain.forms import (
    FIELD_TYPES,
    MAX_ISSUES,
    MESSAGES,
    AnswerIssue,
    FlaggedViolation,
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    content_sha256,
    flagged_violations,
    instrument_refs,
    parse_definition,
    parse_violations,
    photo_refs,
    to_decimal,
    validate_answers,
)

SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4


def L(text: str) -> dict[str, str]:  # noqa: N802 - reads like the TOML it stands for
    return {"zh": f"{text}（中）", "en": text}


MERCHANT = {"key": "merchant", "type": "merchant", "label": L("Merchant"), "required": True}


def form_data(*fields: dict[str, object]) -> dict[str, object]:
    return {
        "title": L("Demo"),
        "inspection_type": "scale",
        "fields": [copy.deepcopy(MERCHANT), *copy.deepcopy(list(fields))],
    }


def parse(data: Mapping[str, object], version: int = 1) -> FormDefinition:
    return parse_definition(data, key="demo", version=version)


# A definition with every field type, used by the answer tests.
EVERY_TYPE = form_data(
    {"key": "name", "type": "text", "label": L("Name"), "max_length": 20},
    {"key": "notes", "type": "text", "label": L("Notes")},
    {"key": "weight", "type": "number", "label": L("Weight"), "unit": "g", "min": 0, "max": 1000},
    {"key": "count", "type": "number", "label": L("Count"), "integer": True},
    {
        "key": "colour",
        "type": "select",
        "label": L("Colour"),
        "choices": [
            {"value": "red", "label": L("Red"), "violation": "RED_FOUND"},
            {"value": "blue", "label": L("Blue")},
        ],
    },
    {
        "key": "flags",
        "type": "multi_select",
        "label": L("Flags"),
        "choices": [
            {"value": "a", "label": L("A")},
            {"value": "b", "label": L("B"), "violation": "B_FLAGGED"},
        ],
    },
    {
        "key": "ok",
        "type": "boolean",
        "label": L("OK"),
        "required": True,
        "violations": [{"code": "NOT_OK", "when": False}],
    },
    {
        "key": "why",
        "type": "text",
        "label": L("Why"),
        "required": True,
        "relevant": {"field": "ok", "equals": False},
    },
    {"key": "day", "type": "date", "label": L("Day")},
    {"key": "pic", "type": "photo", "label": L("Picture")},
    {"key": "where", "type": "geotag", "label": L("Where")},
    {"key": "instrument", "type": "instrument", "label": L("Instrument")},
    {"key": "intro", "type": "note", "label": L("Read this")},
    {
        "key": "table",
        "type": "repeat",
        "label": L("Table"),
        "required": True,
        "max_items": 50,
        "fields": [
            {"key": "load", "type": "number", "label": L("Load"), "unit": "g", "required": True},
            {"key": "shot", "type": "photo", "label": L("Shot")},
            {
                "key": "inner",
                "type": "repeat",
                "label": L("Inner"),
                "fields": [{"key": "value", "type": "number", "label": L("Value")}],
            },
        ],
    },
)
DEF = parse(EVERY_TYPE)


def field_named(data: dict[str, object], key: str) -> dict[str, object]:
    fields = data["fields"]
    assert isinstance(fields, list)
    found = next(f for f in fields if f["key"] == key)
    assert isinstance(found, dict)
    return found


VALID: dict[str, object] = {"merchant": 7, "ok": True, "table": [{"load": "1000.5"}]}


def issues(answers: object, definition: FormDefinition = DEF) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in validate_answers(definition, answers)]


def with_(**changes: object) -> dict[str, object]:
    return {**VALID, **changes}


# ── the registry ───────────────────────────────────────────────────────────────────────


def test_field_types_are_the_registry_of_the_design() -> None:
    assert set(FIELD_TYPES) == {
        "text",
        "number",
        "select",
        "multi_select",
        "boolean",
        "date",
        "photo",
        "geotag",
        "instrument",
        "merchant",
        "repeat",
        "note",
    }


def test_forms_package_imports_only_the_standard_library() -> None:
    package = Path(__file__).resolve().parents[2] / "inspect_app" / "domain" / "forms"
    offenders = []
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] not in sys.stdlib_module_names and n != "__future__"
            ]
    assert offenders == []


# ── parse errors: each names the form, version and field path ──────────────────────────

BAD_DEFINITIONS: list[tuple[str, Callable[[], dict[str, object]], str]] = [
    (
        "unknown type",
        lambda: form_data({"key": "weight", "type": "numbr", "label": L("W")}),
        "form demo v1: field weight: unknown type 'numbr'",
    ),
    (
        "unknown nested type",
        lambda: form_data(
            {
                "key": "table",
                "type": "repeat",
                "label": L("T"),
                "fields": [{"key": "cell", "type": "colour", "label": L("C")}],
            }
        ),
        "field table.cell: unknown type 'colour'",
    ),
    (
        "missing type",
        lambda: form_data({"key": "weight", "label": L("W")}),
        "field weight: unknown type None",
    ),
    (
        "duplicate key",
        lambda: form_data(
            {"key": "a", "type": "text", "label": L("A")},
            {"key": "a", "type": "boolean", "label": L("A")},
        ),
        "field a: duplicate key",
    ),
    (
        "duplicate nested key",
        lambda: form_data(
            {
                "key": "t",
                "type": "repeat",
                "label": L("T"),
                "fields": [
                    {"key": "load", "type": "number", "label": L("L")},
                    {"key": "load", "type": "number", "label": L("L")},
                ],
            }
        ),
        "field t.load: duplicate key",
    ),
    ("missing label", lambda: form_data({"key": "a", "type": "text"}), "field a: missing label"),
    (
        "label without en",
        lambda: form_data({"key": "a", "type": "text", "label": {"zh": "甲"}}),
        "field a: label is missing 'en'",
    ),
    (
        "label without zh",
        lambda: form_data({"key": "a", "type": "text", "label": {"en": "A"}}),
        "field a: label is missing 'zh'",
    ),
    (
        "blank label",
        lambda: form_data({"key": "a", "type": "text", "label": {"zh": " ", "en": "A"}}),
        "field a: label is missing 'zh'",
    ),
    (
        "label not a table",
        lambda: form_data({"key": "a", "type": "text", "label": "A"}),
        "field a: label must be a table",
    ),
    (
        "nested label without en",
        lambda: form_data(
            {
                "key": "t",
                "type": "repeat",
                "label": L("T"),
                "fields": [{"key": "x", "type": "text", "label": {"zh": "乙"}}],
            }
        ),
        "field t.x: label is missing 'en'",
    ),
    (
        "hint without en",
        lambda: form_data({"key": "a", "type": "text", "label": L("A"), "hint": {"zh": "提示"}}),
        "field a: hint is missing 'en'",
    ),
    (
        "choice label without en",
        lambda: form_data(
            {
                "key": "s",
                "type": "select",
                "label": L("S"),
                "choices": [{"value": "x", "label": {"zh": "叉"}}],
            }
        ),
        "field s: choice 0: label is missing 'en'",
    ),
    (
        "select without choices",
        lambda: form_data({"key": "s", "type": "select", "label": L("S")}),
        "field s: choices missing",
    ),
    (
        "multi-select with empty choices",
        lambda: form_data({"key": "m", "type": "multi_select", "label": L("M"), "choices": []}),
        "field m: choices missing",
    ),
    (
        "choice without label",
        lambda: form_data(
            {"key": "s", "type": "select", "label": L("S"), "choices": [{"value": "x"}]}
        ),
        "field s: choice 0: missing label",
    ),
    (
        "duplicate choice",
        lambda: form_data(
            {
                "key": "s",
                "type": "select",
                "label": L("S"),
                "choices": [{"value": "x", "label": L("X")}, {"value": "x", "label": L("X")}],
            }
        ),
        "field s: choice 1: duplicate choice value 'x'",
    ),
    (
        "repeat without fields",
        lambda: form_data({"key": "t", "type": "repeat", "label": L("T")}),
        "field t: repeat without fields",
    ),
    (
        "repeat with empty fields",
        lambda: form_data({"key": "t", "type": "repeat", "label": L("T"), "fields": []}),
        "field t: fields must be a non-empty list",
    ),
    (
        "repeat nested four deep",
        lambda: form_data(
            {
                "key": "a",
                "type": "repeat",
                "label": L("A"),
                "fields": [
                    {
                        "key": "b",
                        "type": "repeat",
                        "label": L("B"),
                        "fields": [
                            {
                                "key": "c",
                                "type": "repeat",
                                "label": L("C"),
                                "fields": [
                                    {
                                        "key": "d",
                                        "type": "repeat",
                                        "label": L("D"),
                                        "fields": [{"key": "e", "type": "text", "label": L("E")}],
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
        ),
        "field a.b.c.d: repeat groups nest at most 3 deep",
    ),
    (
        "no merchant",
        lambda: {
            "title": L("T"),
            "inspection_type": "scale",
            "fields": [{"key": "a", "type": "text", "label": L("A")}],
        },
        "form demo v1: missing required field 'merchant'",
    ),
    (
        "optional merchant",
        lambda: {
            "title": L("T"),
            "inspection_type": "scale",
            "fields": [{**MERCHANT, "required": False}],
        },
        "missing required field 'merchant'",
    ),
    (
        "merchant of the wrong type",
        lambda: {
            "title": L("T"),
            "inspection_type": "scale",
            "fields": [{**MERCHANT, "type": "text"}],
        },
        "missing required field 'merchant'",
    ),
    (
        "merchant type elsewhere",
        lambda: form_data({"key": "shop", "type": "merchant", "label": L("S")}),
        "field shop: the merchant type is only allowed as the top-level field 'merchant'",
    ),
    (
        "typo in an attribute",
        lambda: form_data({"key": "a", "type": "text", "label": L("A"), "requird": True}),
        "field a: unknown attribute(s) ['requird'] for type text",
    ),
    (
        "attribute of another type",
        lambda: form_data({"key": "a", "type": "text", "label": L("A"), "unit": "g"}),
        "field a: unknown attribute(s) ['unit'] for type text",
    ),
    (
        "min above max",
        lambda: form_data({"key": "n", "type": "number", "label": L("N"), "min": 5, "max": 1}),
        "field n: min is greater than max",
    ),
    (
        "boolean limit",
        lambda: form_data({"key": "n", "type": "number", "label": L("N"), "min": True}),
        "field n: min must be a finite number",
    ),
    (
        "infinite limit",
        lambda: form_data({"key": "n", "type": "number", "label": L("N"), "max": math.inf}),
        "field n: max must be a finite number",
    ),
    (
        "text longer than the abuse limit",
        lambda: form_data({"key": "a", "type": "text", "label": L("A"), "max_length": 5000}),
        "field a: max_length must be a whole number from 1 to 2000",
    ),
    (
        "repeat above the item limit",
        lambda: form_data(
            {
                "key": "t",
                "type": "repeat",
                "label": L("T"),
                "max_items": 501,
                "fields": [{"key": "x", "type": "text", "label": L("X")}],
            }
        ),
        "field t: max_items must be a whole number from 1 to 500",
    ),
    (
        "required note",
        lambda: form_data({"key": "n", "type": "note", "label": L("N"), "required": True}),
        "field n: a note takes no answer and cannot be required",
    ),
    (
        "required as a string",
        lambda: form_data({"key": "a", "type": "text", "label": L("A"), "required": "yes"}),
        "field a: required must be true or false",
    ),
    (
        "relevant on a later field",
        lambda: form_data(
            {
                "key": "a",
                "type": "text",
                "label": L("A"),
                "relevant": {"field": "b", "equals": True},
            },
            {"key": "b", "type": "boolean", "label": L("B")},
        ),
        "field a: relevant.field 'b' is not an earlier field of the same group",
    ),
    (
        "relevant on a text field",
        lambda: form_data(
            {"key": "b", "type": "text", "label": L("B")},
            {
                "key": "a",
                "type": "text",
                "label": L("A"),
                "relevant": {"field": "b", "equals": "x"},
            },
        ),
        "field a: relevant.equals must be a value of boolean/select field 'b'",
    ),
    (
        "relevant on a missing choice",
        lambda: form_data(
            {
                "key": "b",
                "type": "select",
                "label": L("B"),
                "choices": [{"value": "x", "label": L("X")}],
            },
            {
                "key": "a",
                "type": "text",
                "label": L("A"),
                "relevant": {"field": "b", "equals": "y"},
            },
        ),
        "field a: relevant.equals must be a value of boolean/select field 'b'",
    ),
    (
        "violation when on a number",
        lambda: form_data(
            {
                "key": "n",
                "type": "number",
                "label": L("N"),
                "violations": [{"code": "TOO_HEAVY", "when": True}],
            }
        ),
        "field n: violation TOO_HEAVY: 'when' is only allowed on boolean fields",
    ),
    (
        "boolean violation without when",
        lambda: form_data(
            {
                "key": "b",
                "type": "boolean",
                "label": L("B"),
                "violations": [{"code": "SEAL_BROKEN"}],
            }
        ),
        "field b: violation SEAL_BROKEN on a boolean needs when = true|false",
    ),
    (
        "lowercase violation code",
        lambda: form_data(
            {
                "key": "b",
                "type": "boolean",
                "label": L("B"),
                "violations": [{"code": "seal_broken", "when": False}],
            }
        ),
        "field b: violation code must be UPPER_SNAKE",
    ),
    (
        "violation on a note",
        lambda: form_data(
            {"key": "n", "type": "note", "label": L("N"), "violations": [{"code": "X_Y"}]}
        ),
        "field n: a note takes no answer and cannot raise violations",
    ),
    (
        "key with capitals",
        lambda: form_data({"key": "Load", "type": "number", "label": L("L")}),
        "field [1]: key must match",
    ),
    (
        "fields not a list",
        lambda: {"title": L("T"), "inspection_type": "scale", "fields": {"merchant": MERCHANT}},
        "field (top level): fields must be a non-empty list",
    ),
    (
        "unknown top-level attribute",
        lambda: {**form_data(), "status": "open"},
        "form demo v1: unknown top-level attribute(s) ['status']",
    ),
    (
        "title without zh",
        lambda: {**form_data(), "title": {"en": "T"}},
        "form demo v1: title is missing 'zh'",
    ),
    (
        "bad inspection type",
        lambda: {**form_data(), "inspection_type": "Scale Check"},
        "form demo v1: inspection_type must be a snake_case name",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [(m, msg) for _, m, msg in BAD_DEFINITIONS],
    ids=[name for name, _, _ in BAD_DEFINITIONS],
)
def test_a_bad_definition_is_refused_with_a_message_naming_the_field(
    make: Callable[[], dict[str, object]], message: str
) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse(make())
    assert message in str(caught.value)


@pytest.mark.parametrize("version", [0, -1, True])
def test_versions_start_at_one(version: int) -> None:
    with pytest.raises(FormDefinitionError, match="version must be a whole number"):
        parse(form_data(), version=version)


def test_a_minimal_definition_parses() -> None:
    definition = parse(form_data())
    assert (definition.key, definition.version, definition.status) == ("demo", 1, FormStatus.OPEN)
    assert [f.key for f in definition.fields] == ["merchant"]


# ── the JSON shape and the content hash ────────────────────────────────────────────────


def test_to_json_has_exactly_the_shape_clients_rely_on() -> None:
    out: Any = DEF.to_json()
    assert list(out) == ["key", "version", "title", "inspection_type", "status", "fields"]
    assert out["title"] == {"zh": "Demo（中）", "en": "Demo"}
    fields = {f["key"]: f for f in out["fields"]}
    assert fields["merchant"] == {
        "key": "merchant",
        "type": "merchant",
        "label": L("Merchant"),
        "required": True,
    }
    assert fields["weight"]["unit"] == "g" and fields["weight"]["min"] == 0
    assert fields["colour"]["choices"][0] == {
        "value": "red",
        "label": L("Red"),
        "violation": "RED_FOUND",
    }
    table = fields["table"]
    assert [f["key"] for f in table["fields"]] == ["load", "shot", "inner"]
    # Optional keys are omitted, not null.
    assert "unit" not in fields["name"] and "choices" not in fields["name"]
    assert "fields" not in fields["weight"]


def test_a_served_definition_parses_back_to_itself() -> None:
    served = DEF.to_json()
    for name in ("key", "version", "status"):
        del served[name]
    assert parse(served) == DEF


def test_the_content_hash_ignores_status_and_number_spelling_but_not_content() -> None:
    closed = parse_definition(EVERY_TYPE, key="demo", version=1, status=FormStatus.CLOSED)
    assert content_sha256(closed) == content_sha256(DEF)
    respelled = copy.deepcopy(EVERY_TYPE)
    field_named(respelled, "weight")["max"] = 1000.0
    assert content_sha256(parse(respelled)) == content_sha256(DEF)
    relabelled = copy.deepcopy(EVERY_TYPE)
    field_named(relabelled, "name")["label"] = L("Full name")
    assert content_sha256(parse(relabelled)) != content_sha256(DEF)
    assert content_sha256(parse(EVERY_TYPE, version=2)) != content_sha256(DEF)


# ── the violation catalogue ────────────────────────────────────────────────────────────

GOOD_VIOLATION = {
    "code": "SCALE_CHEATING_DEVICE",
    "domain": "INSTR",
    "severity": "S4",
    "title": L("Cheating device"),
    "legal_basis": L("unverified"),
    "basis_status": "unverified",
    "triggers": ["condemnation", "alert"],
    "deadline_days": 30,
}


def test_violations_parse() -> None:
    catalogue = parse_violations({"violations": [GOOD_VIOLATION]})
    violation = catalogue["SCALE_CHEATING_DEVICE"]
    assert violation.severity_rank == 4 and violation.triggers == ("condemnation", "alert")
    assert violation.deadline_days == 30 and violation.to_json()["deadline_days"] == 30
    assert violation.to_json()["title"] == L("Cheating device")


def test_a_violation_without_an_order_has_no_deadline() -> None:
    alert_only = {**GOOD_VIOLATION, "triggers": ["alert"]}
    del alert_only["deadline_days"]
    parsed = parse_violations({"violations": [alert_only]})
    assert parsed["SCALE_CHEATING_DEVICE"].deadline_days is None
    with pytest.raises(FormDefinitionError, match="unknown \\['deadline_days'\\]"):
        parse_violations({"violations": [{**alert_only, "deadline_days": 7}]})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"triggers": ["condemnation"]}, "an S4 violation must trigger 'alert'"),
        ({"domain": "FOOD"}, "domain must be one of INSTR, TRANS, MGMT"),
        ({"severity": "S5"}, "severity must be one of S0"),
        ({"triggers": ["jail"]}, "triggers must be distinct values"),
        ({"triggers": ["alert", "alert"]}, "triggers must be distinct values"),
        ({"basis_status": "probably"}, "basis_status must be one of"),
        ({"legal_basis": {"zh": "未核实"}}, "legal_basis is missing 'en'"),
        ({"code": "cheating"}, "code must be UPPER_SNAKE"),
        ({"penalty": 1400}, "unknown ['penalty']"),
        ({"deadline_days": 0}, "deadline_days must be a whole number 1–366"),
        ({"deadline_days": 7.5}, "deadline_days must be a whole number 1–366"),
        ({"deadline_days": True}, "deadline_days must be a whole number 1–366"),
    ],
)
def test_a_bad_violation_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse_violations({"violations": [{**GOOD_VIOLATION, **change}]})
    assert message in str(caught.value)


def test_duplicate_violation_codes_are_refused() -> None:
    with pytest.raises(FormDefinitionError, match="SCALE_CHEATING_DEVICE: duplicate code"):
        parse_violations({"violations": [GOOD_VIOLATION, GOOD_VIOLATION]})


# ── answers: the happy path ────────────────────────────────────────────────────────────


def test_complete_answers_of_every_type_are_accepted() -> None:
    answers = {
        "merchant": 7,
        "name": "Zhang",
        "notes": "多行\n备注",
        "weight": 999.5,
        "count": "3",
        "colour": "red",
        "flags": ["a", "b"],
        "ok": False,
        "why": "见照片",
        "day": "2024-02-29",
        "pic": SHA_A,
        "where": {"lat": 39.9, "lon": "116.4", "accuracy": 8, "altitude": None},
        "instrument": "NM-0150-000123",
        "intro": None,
        "table": [
            {"load": 1000, "shot": SHA_B, "inner": [{"value": -1.25}]},
            {"load": "0.000000000000001"},
        ],
    }
    assert issues(answers) == []


def test_blank_optional_answers_count_as_unanswered() -> None:
    assert (
        issues(with_(name="", notes="   ", flags=[], day=None, table=[{"load": 1, "inner": []}]))
        == []
    )


# ── answers: each type refuses what it must ────────────────────────────────────────────

TYPE_CASES: list[tuple[str, dict[str, object], list[tuple[str, str]]]] = [
    ("text not a string", {"name": 12}, [("name", "NOT_A_STRING")]),
    ("text over the field limit", {"name": "x" * 21}, [("name", "TOO_LONG")]),
    ("text over the global limit", {"notes": "长" * 2001}, [("notes", "TOO_LONG")]),
    ("text with NUL", {"notes": "a\x00b"}, [("notes", "BAD_TEXT")]),
    ("text with a lone surrogate", {"notes": "a\ud800"}, [("notes", "BAD_TEXT")]),
    ("number as bool", {"weight": True}, [("weight", "NOT_A_NUMBER")]),
    ("number NaN", {"weight": math.nan}, [("weight", "NOT_A_NUMBER")]),
    ("number infinity", {"weight": math.inf}, [("weight", "NOT_A_NUMBER")]),
    ("number string NaN", {"weight": "NaN"}, [("weight", "NOT_A_NUMBER")]),
    ("number string Infinity", {"weight": "-Infinity"}, [("weight", "NOT_A_NUMBER")]),
    ("number with exponent", {"weight": "1e2"}, [("weight", "NOT_A_NUMBER")]),
    ("number with spaces", {"weight": " 12"}, [("weight", "NOT_A_NUMBER")]),
    ("number with comma", {"weight": "1,5"}, [("weight", "NOT_A_NUMBER")]),
    ("number as object", {"weight": {"value": 1}}, [("weight", "NOT_A_NUMBER")]),
    ("number as list", {"weight": [1]}, [("weight", "NOT_A_NUMBER")]),
    ("number below min", {"weight": -0.001}, [("weight", "OUT_OF_RANGE")]),
    ("number above max", {"weight": "1000.01"}, [("weight", "OUT_OF_RANGE")]),
    ("huge int", {"count": 10**400}, [("count", "NOT_A_NUMBER")]),
    ("magnitude 1e15", {"count": 10**15}, [("count", "NOT_A_NUMBER")]),
    ("float noise", {"weight": 0.1 + 0.2}, [("weight", "NOT_A_NUMBER")]),
    ("integer with a fraction", {"count": 3.5}, [("count", "NOT_AN_INTEGER")]),
    ("integer string with a fraction", {"count": "2.50"}, [("count", "NOT_AN_INTEGER")]),
    ("boolean as string", {"ok": "true"}, [("ok", "NOT_A_BOOLEAN")]),
    ("boolean as 1", {"ok": 1}, [("ok", "NOT_A_BOOLEAN")]),
    ("select not a choice", {"colour": "green"}, [("colour", "NOT_A_CHOICE")]),
    ("select by label", {"colour": "Red"}, [("colour", "NOT_A_CHOICE")]),
    ("select as list", {"colour": ["red"]}, [("colour", "NOT_A_CHOICE")]),
    ("multi-select not a list", {"flags": "a"}, [("flags", "NOT_A_LIST")]),
    ("multi-select duplicate", {"flags": ["a", "a"]}, [("flags.1", "DUPLICATE_CHOICE")]),
    ("multi-select unknown", {"flags": ["b", "z"]}, [("flags.1", "NOT_A_CHOICE")]),
    ("multi-select too long", {"flags": ["a"] * 100_000}, [("flags", "TOO_MANY_ITEMS")]),
    ("date impossible", {"day": "2023-02-29"}, [("day", "BAD_DATE")]),
    ("date compact", {"day": "20240101"}, [("day", "BAD_DATE")]),
    ("date with time", {"day": "2024-01-01T10:00:00"}, [("day", "BAD_DATE")]),
    ("date unpadded", {"day": "2024-1-1"}, [("day", "BAD_DATE")]),
    ("date year 1", {"day": "0001-01-01"}, [("day", "BAD_DATE")]),
    ("date as number", {"day": 20240101}, [("day", "BAD_DATE")]),
    ("photo upper-case", {"pic": "A" * 64}, [("pic", "BAD_PHOTO_REF")]),
    ("photo short", {"pic": "a" * 63}, [("pic", "BAD_PHOTO_REF")]),
    ("photo file name", {"pic": "IMG_0001.jpg"}, [("pic", "BAD_PHOTO_REF")]),
    ("geotag as string", {"where": "39.9 116.4 0 8"}, [("where", "BAD_GEOTAG")]),
    ("geotag without accuracy", {"where": {"lat": 1, "lon": 2}}, [("where", "BAD_GEOTAG")]),
    (
        "geotag extra key",
        {"where": {"lat": 1, "lon": 2, "accuracy": 3, "x": 0}},
        [("where", "BAD_GEOTAG")],
    ),
    (
        "geotag latitude 91",
        {"where": {"lat": 91, "lon": 2, "accuracy": 3}},
        [("where.lat", "BAD_GEOTAG")],
    ),
    (
        "geotag negative accuracy",
        {"where": {"lat": 1, "lon": 2, "accuracy": -1}},
        [("where.accuracy", "BAD_GEOTAG")],
    ),
    (
        "geotag bool longitude",
        {"where": {"lat": 1, "lon": True, "accuracy": 3}},
        [("where.lon", "BAD_GEOTAG")],
    ),
    (
        "instrument URL",
        {"instrument": "https://x.cn/q/abcdefghijklmnopqrstuv"},
        [("instrument", "BAD_INSTRUMENT_REF")],
    ),
    ("instrument number", {"instrument": 123}, [("instrument", "BAD_INSTRUMENT_REF")]),
    ("merchant bool", {"merchant": True}, [("merchant", "BAD_MERCHANT_REF")]),
    ("merchant string", {"merchant": "7"}, [("merchant", "BAD_MERCHANT_REF")]),
    ("merchant zero", {"merchant": 0}, [("merchant", "BAD_MERCHANT_REF")]),
    ("merchant huge", {"merchant": 2**80}, [("merchant", "BAD_MERCHANT_REF")]),
    ("note answered", {"intro": "read"}, [("intro", "NOT_ANSWERABLE")]),
    ("repeat not a list", {"table": {"load": 1}}, [("table", "NOT_A_LIST")]),
    ("repeat item not an object", {"table": [{"load": 1}, 5]}, [("table.1", "NOT_AN_OBJECT")]),
    (
        "repeat item bad number",
        {"table": [{"load": 1}, {"load": 2}, {"load": "x"}]},
        [("table.2.load", "NOT_A_NUMBER")],
    ),
    ("repeat item missing required", {"table": [{"shot": SHA_A}]}, [("table.0.load", "REQUIRED")]),
    (
        "nested repeat path",
        {"table": [{"load": 1, "inner": [{"value": 1}, {"value": "?"}]}]},
        [("table.0.inner.1.value", "NOT_A_NUMBER")],
    ),
    ("repeat over its limit", {"table": [{"load": 1}] * 51}, [("table", "TOO_MANY_ITEMS")]),
    (
        "unknown nested field",
        {"table": [{"load": 1, "bogus": 2}]},
        [("table.0.bogus", "UNKNOWN_FIELD")],
    ),
    ("unknown top-level field", {"colour_2": "red"}, [("colour_2", "UNKNOWN_FIELD")]),
    ("required field missing", {"ok": None}, [("ok", "REQUIRED")]),
    ("relevant field missing", {"ok": False}, [("why", "REQUIRED")]),
    ("irrelevant field answered", {"why": "because"}, [("why", "NOT_RELEVANT")]),
    ("required repeat empty", {"table": []}, [("table", "REQUIRED")]),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [(c, e) for _, c, e in TYPE_CASES],
    ids=[name for name, _, _ in TYPE_CASES],
)
def test_each_type_refuses_bad_answers(
    changes: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert issues(with_(**changes)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, Decimal("0.1")),
        ("-12.50", Decimal("-12.50")),
        (3, Decimal(3)),
        (True, None),
        ("", None),
        (None, None),
        (math.nan, None),
        ("1e3", None),
        (1e-16, None),
        (999_999_999_999_999, Decimal(999_999_999_999_999)),
    ],
)
def test_to_decimal_is_exact_and_refuses_non_numbers(
    value: object, expected: Decimal | None
) -> None:
    assert to_decimal(value) == expected


def test_number_limits_are_inclusive() -> None:
    assert issues(with_(weight=0)) == [] and issues(with_(weight="1000.000")) == []


@pytest.mark.parametrize("answers", [None, [], "merchant=7", 7, [{"merchant": 7}]])
def test_answers_that_are_not_an_object_are_one_issue(answers: object) -> None:
    assert issues(answers) == [("", "NOT_AN_OBJECT")]


def test_min_items_applies_to_a_started_table() -> None:
    definition = parse(
        form_data(
            {
                "key": "rep",
                "type": "repeat",
                "label": L("R"),
                "min_items": 2,
                "fields": [{"key": "x", "type": "number", "label": L("X")}],
            }
        )
    )
    assert issues({"merchant": 1, "rep": [{"x": 1}]}, definition) == [("rep", "TOO_FEW_ITEMS")]
    assert issues({"merchant": 1, "rep": [{"x": 1}, {"x": 2}]}, definition) == []
    assert issues({"merchant": 1}, definition) == []


def test_relevance_follows_a_select_answer() -> None:
    definition = parse(
        form_data(
            {
                "key": "seal",
                "type": "select",
                "label": L("Seal"),
                "choices": [
                    {"value": "ok", "label": L("OK")},
                    {"value": "broken", "label": L("Broken")},
                ],
            },
            {
                "key": "seal_photo",
                "type": "photo",
                "label": L("Photo"),
                "required": True,
                "relevant": {"field": "seal", "equals": "broken"},
            },
        )
    )
    assert issues({"merchant": 1, "seal": "ok"}, definition) == []
    assert issues({"merchant": 1, "seal": "broken"}, definition) == [("seal_photo", "REQUIRED")]
    assert issues({"merchant": 1, "seal": "ok", "seal_photo": SHA_A}, definition) == [
        ("seal_photo", "NOT_RELEVANT")
    ]


# ── answers: garbage never raises ──────────────────────────────────────────────────────


def _deep(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = {"table": [value]}
    return value


def test_deep_nesting_is_an_issue_not_a_crash() -> None:
    deep = _deep(50_000)
    # Recursion follows the definition, never the submitted value.
    assert issues(with_(name=deep, table=[deep])) == [
        ("name", "NOT_A_STRING"),
        ("table.0.load", "REQUIRED"),
        ("table.0.table", "UNKNOWN_FIELD"),
    ]
    assert issues(with_(table=[{"load": 1, "inner": [{"value": deep}]}])) == [
        ("table.0.inner.0.value", "NOT_A_NUMBER")
    ]


def test_a_huge_string_is_refused_by_length() -> None:
    assert issues(with_(notes="x" * 10_000_000)) == [("notes", "TOO_LONG")]


def test_a_huge_payload_is_summarised_after_the_issue_limit() -> None:
    found = validate_answers(
        DEF,
        with_(table=[{"load": "x", "junk": 1}] * 50, **{f"extra{i}": i for i in range(100_000)}),
    )
    assert len(found) == MAX_ISSUES + 1
    assert found[-1].code == "TOO_MANY_ISSUES"


def test_non_string_and_huge_keys_are_unknown_fields() -> None:
    payload: dict[object, object] = {3: "x", ("a",): 1, "k" * 10_000: 1}
    payload.update(VALID)
    found = issues(payload)
    assert found == [
        ("<int>", "UNKNOWN_FIELD"),
        ("<tuple>", "UNKNOWN_FIELD"),
        ("k" * 64, "UNKNOWN_FIELD"),
    ]


PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_issue_has_a_message_in_both_languages() -> None:
    for _, changes, _ in TYPE_CASES:
        for issue in validate_answers(DEF, with_(**changes)):
            assert isinstance(issue, AnswerIssue)
            assert issue.message_zh and issue.message_en
            assert not PLACEHOLDER.search(issue.message_zh + issue.message_en)
            assert issue.to_json()["code"] in MESSAGES


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["load", "value", "lat", "x", "table", "inner", ""])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)
KEYS = [str(f["key"]) for f in cast(list[dict[str, object]], EVERY_TYPE["fields"])]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), JSON, max_size=12))
def test_validation_never_raises_on_arbitrary_json(answers: dict[str, object]) -> None:
    for issue in validate_answers(DEF, answers):
        assert issue.code in MESSAGES
    photo_refs(DEF, answers)
    instrument_refs(DEF, answers)
    flagged_violations(DEF, answers)


# ── references and direct findings ─────────────────────────────────────────────────────


def test_photo_refs_lists_each_referenced_attachment_once_in_form_order() -> None:
    answers = with_(
        pic=SHA_B,
        table=[
            {"load": 1, "shot": SHA_A},
            {"load": 2, "shot": SHA_B},
            {"load": 3, "shot": "not-a-hash"},
        ],
    )
    assert photo_refs(DEF, answers) == [SHA_B, SHA_A]
    assert photo_refs(DEF, "garbage") == []


def test_instrument_refs_carry_their_path() -> None:
    assert instrument_refs(DEF, with_(instrument="-xY_0123456789abcdefghij")) == [
        ("instrument", "-xY_0123456789abcdefghij")
    ]


def test_flagged_violations_come_from_booleans_and_choices() -> None:
    answers = with_(ok=False, why="x", colour="red", flags=["a", "b"])
    assert flagged_violations(DEF, answers) == [
        FlaggedViolation("colour", "RED_FOUND"),
        FlaggedViolation("flags", "B_FLAGGED"),
        FlaggedViolation("ok", "NOT_OK"),
    ]
    assert flagged_violations(DEF, with_(ok=True, colour="blue")) == []
