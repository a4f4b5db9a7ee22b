"""Rules a registry row must satisfy, shared by the web forms and the CSV/XLSX importer.

Pure: plain values in, a list of :class:`RuleIssue` out (empty when the row is clean). Parsing
text into numbers and dates is the caller's job (the form schema, the importer); what is
checked here is what only makes sense once the values are typed, or across fields:

* :func:`check_code` — a market or instrument code: 1–32 characters of ``A–Z``, ``0–9`` and
  single inner hyphens (``NM-0102-000123``, ``XC-HLE``). Call :func:`normalize_code` first:
  codes are compared and stored upper-case.
* :func:`check_instrument` — kind known; a scale has an accuracy class the rule pack covers
  (:func:`scale_classes`), Max and e; other kinds have no accuracy class; Max, e, d > 0 and
  Min ≥ 0; e and Min not above Max, d not above e (OIML R 76-1 §3.4: e = d, or d < e with an
  auxiliary indicating device); at most 4 decimals and under 10¹⁰ (the columns are
  ``NUMERIC(14, 4)``); ``valid_until`` not before ``verified_at``.
* :func:`check_uscc` — a 统一社会信用代码: 18 characters of the GB 32100-2015 alphabet
  (digits and capitals except I, O, S, V, Z) whose last one is the check character.

``RuleIssue.field`` names the attribute of :class:`InstrumentFields` (the ``Instrument`` model's
column names); the importer maps it to its column (``max_capacity`` → ``max``, and so on).
Codes are stable; messages come in English and Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from inspect_app.domain.rulepacks.model import RulePack

#: ``Instrument.kind`` values (``models.instrument.InstrumentKind``; a test keeps them equal).
INSTRUMENT_KINDS = frozenset(
    {
        "price_computing_scale",
        "platform_scale",
        "dial_scale",
        "steelyard",
        "focimeter",
        "refractometer",
        "trial_lens_set",
    }
)
#: The kinds that are non-automatic weighing instruments (``models.instrument.SCALE_KINDS``).
SCALE_KINDS = frozenset({"price_computing_scale", "platform_scale", "dial_scale", "steelyard"})
#: ``Merchant.kind`` values (``models.place.MerchantKind``).
MERCHANT_KINDS = frozenset({"stall", "optical_shop", "grocery", "packer"})

CODE_MAX_LENGTH = 32
_CODE_RE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
#: ``NUMERIC(14, 4)``: ten digits before the point, four after.
_NUMBER_LIMIT = Decimal(10) ** 10
_NUMBER_PLACES = 4

#: GB 32100-2015 §4: the 31 characters a USCC uses, and the weights of its first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class RuleIssue:
    """One thing wrong with one field: ``code`` is stable, ``en``/``zh`` are for people."""

    field: str
    code: str
    en: str
    zh: str

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``en``; anything else is Chinese)."""
        return self.en if lang == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class InstrumentFields:
    """The typed values of one instrument row that :func:`check_instrument` judges.

    Masses in grams (optical instruments: dioptres, where meaningful); ``None`` = left empty.
    """

    code: str
    kind: str
    accuracy_class: str | None = None
    max_capacity: Decimal | None = None
    min_capacity: Decimal | None = None
    e_value: Decimal | None = None
    d_value: Decimal | None = None
    verified_at: date | None = None
    valid_until: date | None = None


def normalize_code(text: str) -> str:
    """A code as stored: surrounding spaces removed, letters upper-case."""
    return text.strip().upper()


def check_code(value: str, field: str = "code") -> list[RuleIssue]:
    """``CODE_REQUIRED`` when empty, ``CODE_FORMAT`` unless 1–32 of A–Z, 0–9, inner hyphens."""
    if not value:
        return [RuleIssue(field, "CODE_REQUIRED", "A code is required.", "编码为必填项。")]
    if len(value) > CODE_MAX_LENGTH or not _CODE_RE.fullmatch(value):
        return [
            RuleIssue(
                field,
                "CODE_FORMAT",
                f"Use 1–{CODE_MAX_LENGTH} capital letters, digits and single hyphens "
                "between them (e.g. NM-0102-000123).",
                f"编码由 1–{CODE_MAX_LENGTH} 位大写字母、数字及其间的单个连字符组成"
                "（例如 NM-0102-000123）。",
            )
        ]
    return []


def scale_classes(pack: RulePack) -> frozenset[str]:
    """The accuracy classes ``pack`` has error tables for (cn: III and IIII)."""
    return frozenset(pack.scales.mpe) if pack.scales is not None else frozenset()


def _number_issues(field: str, label: str, value: Decimal, floor: str) -> list[RuleIssue]:
    if not value.is_finite():
        return [
            RuleIssue(field, "NOT_A_NUMBER", f"{label} is not a number.", f"{label} 不是数值。")
        ]
    if floor == "positive" and value <= 0:
        return [
            RuleIssue(field, "NOT_POSITIVE", f"{label} must be above 0.", f"{label} 必须大于 0。")
        ]
    if floor == "non_negative" and value < 0:
        return [
            RuleIssue(field, "NEGATIVE", f"{label} must not be negative.", f"{label} 不能为负。")
        ]
    if abs(value) >= _NUMBER_LIMIT:
        return [
            RuleIssue(
                field,
                "TOO_LARGE",
                f"{label} is too large (under 10¹⁰).",
                f"{label} 过大（须小于 10¹⁰）。",
            )
        ]
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_NUMBER_PLACES:
        return [
            RuleIssue(
                field,
                "TOO_PRECISE",
                f"{label}: at most {_NUMBER_PLACES} decimals.",
                f"{label} 最多 {_NUMBER_PLACES} 位小数。",
            )
        ]
    return []


_NUMBERS = (
    ("max_capacity", "Max", "positive"),
    ("min_capacity", "Min", "non_negative"),
    ("e_value", "e", "positive"),
    ("d_value", "d", "positive"),
)


def _scale_issues(fields: InstrumentFields, classes: frozenset[str]) -> list[RuleIssue]:
    issues = []
    if fields.accuracy_class is None:
        issues.append(
            RuleIssue(
                "accuracy_class",
                "REQUIRED_FOR_SCALE",
                "A scale needs its accuracy class.",
                "衡器须填写准确度等级。",
            )
        )
    elif fields.accuracy_class not in classes:
        known = ", ".join(sorted(classes, key=len)) or "—"
        issues.append(
            RuleIssue(
                "accuracy_class",
                "CLASS_NOT_IN_PACK",
                f"Class {fields.accuracy_class} is not covered by the rule pack "
                f"(covered: {known}).",
                f"规则包不涵盖 {fields.accuracy_class} 级（涵盖：{known}）。",
            )
        )
    for name, label in (("max_capacity", "Max"), ("e_value", "e")):
        if getattr(fields, name) is None:
            issues.append(
                RuleIssue(
                    name,
                    "REQUIRED_FOR_SCALE",
                    f"A scale needs its {label}.",
                    f"衡器须填写 {label}。",
                )
            )
    return issues


def _ordering_issues(fields: InstrumentFields, bad: set[str]) -> list[RuleIssue]:
    issues = []
    top, e, low, d = fields.max_capacity, fields.e_value, fields.min_capacity, fields.d_value
    usable = {n for n in ("max_capacity", "e_value", "min_capacity", "d_value") if n not in bad}
    if top is not None and e is not None and {"max_capacity", "e_value"} <= usable and e > top:
        issues.append(
            RuleIssue("e_value", "E_ABOVE_MAX", "e must not be above Max.", "e 不能大于 Max。")
        )
    both = {"max_capacity", "min_capacity"} <= usable
    if top is not None and low is not None and both and low >= top:
        issues.append(
            RuleIssue(
                "min_capacity", "MIN_ABOVE_MAX", "Min must be below Max.", "Min 必须小于 Max。"
            )
        )
    if e is not None and d is not None and {"e_value", "d_value"} <= usable and d > e:
        issues.append(
            RuleIssue(
                "d_value",
                "D_ABOVE_E",
                "d must not be above e (OIML R 76-1 §3.4).",
                "d 不能大于 e（OIML R 76-1 §3.4）。",
            )
        )
    return issues


def check_instrument(fields: InstrumentFields, classes: frozenset[str]) -> list[RuleIssue]:
    """Everything wrong with one instrument row (see the module docstring for the rules).

    :param classes: the accuracy classes the active rule pack covers (:func:`scale_classes`).
    """
    issues = check_code(fields.code)
    if fields.kind not in INSTRUMENT_KINDS:
        issues.append(
            RuleIssue("kind", "KIND_UNKNOWN", "Choose a known kind.", "请选择已知的器具种类。")
        )
    elif fields.kind in SCALE_KINDS:
        issues += _scale_issues(fields, classes)
    elif fields.accuracy_class is not None:
        issues.append(
            RuleIssue(
                "accuracy_class",
                "CLASS_ONLY_FOR_SCALES",
                "Only scales carry an accuracy class here; leave it empty.",
                "此处仅衡器填写准确度等级，请留空。",
            )
        )
    bad: set[str] = set()
    for name, label, floor in _NUMBERS:
        value = getattr(fields, name)
        if value is not None and (found := _number_issues(name, label, value, floor)):
            issues += found
            bad.add(name)
    issues += _ordering_issues(fields, bad)
    if (
        fields.verified_at is not None
        and fields.valid_until is not None
        and fields.valid_until < fields.verified_at
    ):
        issues.append(
            RuleIssue(
                "valid_until",
                "VALID_BEFORE_VERIFIED",
                "Valid until is before the verification date.",
                "有效期至早于检定日期。",
            )
        )
    return issues


def uscc_check_character(first17: str) -> str:
    """The 18th character of a USCC from its first 17 (GB 32100-2015 §5).

    :raises ValueError: a character outside :data:`USCC_ALPHABET`, or not 17 characters.
    """
    if len(first17) != 17:
        raise ValueError("17 characters expected")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: str, field: str = "uscc") -> list[RuleIssue]:
    """``USCC_FORMAT`` unless 18 characters of the GB 32100 alphabet; ``USCC_CHECK`` when the
    check character does not match (a mistyped character). Call with the upper-cased value."""
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return [
            RuleIssue(
                field,
                "USCC_FORMAT",
                "A unified social credit code has 18 digits and capital letters "
                "(no I, O, S, V or Z).",
                "统一社会信用代码为 18 位数字和大写字母（不含 I、O、S、V、Z）。",
            )
        ]
    if uscc_check_character(value[:17]) != value[17]:
        return [
            RuleIssue(
                field,
                "USCC_CHECK",
                "The last character does not match the code (check for a typing error).",
                "校验码不符，请检查是否输错。",
            )
        ]
    return []


def issues_by_field(issues: Iterable[RuleIssue]) -> dict[str, list[dict[str, str]]]:
    """Issues grouped by field as JSON-ready dicts (``{"code", "en", "zh"}``), in order."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for issue in issues:
        grouped.setdefault(issue.field, []).append(issue.as_dict())
    return grouped
