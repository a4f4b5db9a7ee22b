"""Exact quantities for the metrology engine: input conversion, formatting, the input error.

Every legally meaningful number is a :class:`decimal.Decimal`. Binary floats are never used
in a decision: a float argument is converted through ``str`` (so ``0.1`` becomes
``Decimal("0.1")``, not ``0.1000000000000000055…``), which is what a person typing the reading
meant. All arithmetic runs in :data:`ENGINE_CONTEXT`, so a caller that changed the thread's
decimal context cannot change a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

# 34 digits (IEEE decimal128) is far beyond any reading, and fixed so the verdict never depends
# on the caller's context. With inputs capped below (30 significant digits at most), the
# engine's own products (band edge × e, Qn × percentage) stay exact.
ENGINE_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)

Number = Decimal | int | str | float

# A reading with more decimals or a larger magnitude than this is a typing error, not a
# measurement; refusing it also keeps the exact integer arithmetic of the lot test small.
MAX_PLACES = 15
MAX_DIGITS = 15  # integer digits: values below 10^15
_MAX_DENOMINATOR = 10**MAX_PLACES


class MeasurementError(ValueError):
    """An input the engine refuses, with a stable ``code`` and a message in both languages.

    ``code`` is an ``UPPER_SNAKE`` string that callers may map to their error catalogue;
    ``en`` and ``zh`` are complete sentences for a person; ``details`` holds the numbers.
    """

    def __init__(
        self, code: str, en: str, zh: str, details: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{en} / {zh}")
        self.code = code
        self.en = en
        self.zh = zh
        self.details: dict[str, str] = dict(details or {})

    def message(self, lang: str = "en") -> str:
        """Return the message in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en


def to_decimal(value: Number, name: str = "value") -> Decimal:
    """Convert an int, str, Decimal or float (through ``str``) to a finite Decimal.

    :raises MeasurementError: ``INVALID_NUMBER`` for booleans, text that is not a number,
        NaN or infinity, a resolution finer than 10^-:data:`MAX_PLACES` or
        :data:`MAX_DIGITS` or more integer digits.
    """
    if type(value) is Decimal:  # the common case first: this runs once per reading
        result = value
    elif isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        raise fail("INVALID_NUMBER", field=name, value=repr(value))
    else:
        try:
            result = Decimal(value if not isinstance(value, float) else str(value))
        except InvalidOperation:
            raise fail("INVALID_NUMBER", field=name, value=repr(value)) from None
    # adjusted() is the exponent of the leading digit: it bounds the size cheaply before
    # as_integer_ratio() (exact) checks the resolution.
    if (
        result.is_finite()
        and (not result or -MAX_PLACES <= result.adjusted() < MAX_DIGITS)
        and result.as_integer_ratio()[1] <= _MAX_DENOMINATOR
    ):
        return result
    raise fail("INVALID_NUMBER", field=name, value=repr(value))


def to_decimals(values: Iterable[Number], label: str) -> tuple[Decimal, ...]:
    """Convert many readings; a bad one is reported as ``"<label> <1-based position>"``."""
    values = list(values)
    try:
        return tuple(map(to_decimal, values))  # fast path: no per-item label is formatted
    except MeasurementError:
        for i, value in enumerate(values, 1):
            to_decimal(value, f"{label} {i}")
        raise


# Every input error the engine raises, by stable code: (English, Chinese) templates. Callers
# map the codes to their HTTP errors; docs/metrology.md lists them.
MESSAGES: dict[str, tuple[str, str]] = {
    "INVALID_NUMBER": (
        "{field} must be a finite decimal number, got {value}",
        "{field} 必须是有限的十进制数，收到 {value}",
    ),
    "RULE_NOT_IN_PACK": ("rule pack {pack} has no {rule}", "规则包 {pack} 没有{rule_zh}"),
    "CLASS_UNKNOWN": (
        "accuracy class must be one of I, II, III, IIII, got {value}",
        "准确度等级须为 I、II、III、IIII 之一，收到 {value}",
    ),
    "CLASS_NOT_IN_PACK": (
        "rule pack {pack} has no table for class {value} (it covers {known})",
        "规则包 {pack} 没有 {value} 级的表（仅有 {known}）",
    ),
    "STAGE_UNKNOWN": (
        "stage must be 'initial' or 'in_service', got {value}",
        "检定阶段须为 initial 或 in_service，收到 {value}",
    ),
    "SPEC_INVALID": (
        "scale data must have e, d, Max > 0 and 0 ≤ Min < Max (Max {max} g, "
        "Min {min} g, e {e} g, d {d} g)",
        "秤的参数须满足 e、d、Max > 0 且 0 ≤ Min < Max（Max {max} g，Min {min} g，"
        "e {e} g，d {d} g）",
    ),
    "LOAD_NEGATIVE": ("load {load} g is below zero", "载荷 {load} g 小于零"),
    "LOAD_ABOVE_MAX": ("load {load} g is above Max {max} g", "载荷 {load} g 超过最大秤量 {max} g"),
    "LOAD_OUTSIDE_TABLE": (
        "load {load} g = {m} e is beyond the class {value} MPE table",
        "载荷 {load} g = {m} e 超出 {value} 级最大允许误差表的范围",
    ),
    "NO_POINTS": ("no weighings given", "未给出称量数据"),
    "TOO_FEW_READINGS": (
        "repeatability needs at least {required} weighings of the same load, got {given}",
        "重复性检查至少需要对同一载荷称量 {required} 次，收到 {given} 次",
    ),
    "UNIT_UNKNOWN": (
        "unit must be one of {known}, got {value}",
        "单位须为 {known} 之一，收到 {value}",
    ),
    "NOMINAL_INVALID": (
        "nominal quantity must be > 0 (a whole number for count), got {value}",
        "标注净含量须大于 0（计数须为整数），收到 {value}",
    ),
    "NOMINAL_OUTSIDE_TABLE": (
        "nominal quantity {value} {unit} is beyond the pack's tolerable-deficiency table",
        "标注净含量 {value} {unit} 超出规则包允许短缺量表的范围",
    ),
    "LOT_SIZE_INVALID": (
        "lot size must be a whole number ≥ 1, got {value}",
        "批量须为不小于 1 的整数，收到 {value}",
    ),
    "LOT_SIZE_NOT_IN_PLAN": (
        "rule pack {pack} has no sampling plan for a lot of {value} (it covers lots from {first})",
        "规则包 {pack} 没有批量为 {value} 的抽样方案（仅适用于 {first} 件起的批）",
    ),
    "SAMPLE_SIZE_MISMATCH": (
        "the plan for a lot of {lot} asks for {required} packages, got {given}",
        "批量 {lot} 的抽样方案要求抽取 {required} 件，收到 {given} 件",
    ),
    "QUANTITY_NEGATIVE": (
        "package {index}: actual quantity {value} is below zero",
        "第 {index} 件：实际含量 {value} 小于零",
    ),
    "AXIS_INVALID": (
        "the axis must be between 0 and 180 degrees when there is a cylinder, got {value}",
        "有柱镜时轴位须在 0 至 180 度之间，收到 {value}",
    ),
    "NO_TOLERANCE": (
        "the {table} table gives no tolerance for {value}",
        "{table} 表对 {value} 没有规定允差",
    ),
}


def fail(code: str, **values: object) -> MeasurementError:
    """Build the :class:`MeasurementError` for ``code`` from :data:`MESSAGES`.

    Decimal values are written in canonical form; every value is kept in ``details``.
    """
    details = {k: dec_str(v) if isinstance(v, Decimal) else str(v) for k, v in values.items()}
    en, zh = MESSAGES[code]
    return MeasurementError(code, en.format(**details), zh.format(**details), details)


def dec_str(value: Decimal) -> str:
    """Canonical text of a Decimal: no exponent, no trailing zeros, no negative zero.

    ``Decimal("5.0")`` → ``"5"``, ``Decimal("1E+1")`` → ``"10"``, ``Decimal("-0.00")`` → ``"0"``.
    The JSON of verdicts and of rule packs uses this form, so the tablet can reproduce it.
    """
    if value.is_zero():
        return "0"
    return format(value.normalize(ENGINE_CONTEXT), "f")


def fmt(value: Decimal, sign: bool = False) -> str:
    """Human text of a Decimal with thousands grouped by a space: ``10011`` → ``"10 011"``.

    With ``sign`` a positive value gets a leading ``+`` (errors are read as signed).
    """
    text = dec_str(value)
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = " ".join(groups) + (f".{frac}" if frac else "")
    if negative:
        return "-" + out
    return ("+" + out) if sign and not value.is_zero() else out


def round_display(value: Decimal, places: int = 4) -> Decimal:
    """Round a figure shown to people (mean, standard deviation) half-even to ``places``."""
    return value.quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN, context=ENGINE_CONTEXT
    )
