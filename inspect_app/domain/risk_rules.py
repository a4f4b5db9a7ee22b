"""The inspection-priority rule as data: load, validate and cache ``risk_rules/<version>.toml``.

``load_rules()`` returns the frozen :class:`RiskRules` of the default version (``v1``);
``load_rules_from(path)`` reads one file without the cache (tests, a draft version);
``check_rules()`` reads every shipped version, for a start-up check.

Every key is required and unknown keys are refused (a typo must not fall back silently). A
missing or mistyped key, a negative number, capacity bands out of order, a kind the
application does not know, an unknown version: :class:`RiskRulesError`, whose message names
the file and the dotted key (``v1.toml: likelihood.credit.weight: …``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from inspect_app.domain.rule_files import RuleFiles

RULES_DIR = Path(__file__).resolve().parent / "risk_rules"
DEFAULT_VERSION = "v1"
_VERSION_RE = re.compile(r"v[0-9]+")

#: The instrument and merchant kinds the rule must price (models.instrument.InstrumentKind and
#: models.place.MerchantKind; a test keeps them equal).
INSTRUMENT_KINDS = (
    "price_computing_scale",
    "platform_scale",
    "dial_scale",
    "steelyard",
    "focimeter",
    "refractometer",
    "trial_lens_set",
)
MERCHANT_KINDS = ("stall", "optical_shop", "grocery", "packer")
#: OIML R 76 accuracy classes, and ``none`` for an instrument without one on record.
ACCURACY_CLASSES = ("I", "II", "III", "IIII", "none")

Table = Mapping[str, object]


class RiskRulesError(ValueError):
    """A priority rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CapacityBand:
    min_grams: Decimal
    factor: Decimal


@dataclass(frozen=True)
class RiskRules:
    """One version of the rule; every number of it, validated (see ``risk_rules/v1.toml``)."""

    version: str
    days_per_month: Decimal
    instrument_kind: Mapping[str, Decimal]
    accuracy_class: Mapping[str, Decimal]
    capacity_kinds: frozenset[str]
    capacity_bands: tuple[CapacityBand, ...]
    trade: Mapping[str, Decimal]
    extra_instrument_step: Decimal
    extra_instrument_max: int
    impact_reason_min: Decimal
    base: Decimal
    credit_weight: Decimal
    unknown_score: Decimal
    credit_reason_below: Decimal
    per_month: Decimal
    max_months: Decimal
    reason_months: Decimal
    per_overdue_verification: Decimal
    max_overdue_verifications: int
    per_open_order: Decimal
    per_overdue_order: Decimal
    max_orders: int
    complaint_window_days: int
    per_complaint: Decimal
    max_complaints: int


class _Reader:
    """Typed access to the parsed TOML, failing with ``origin: key: problem``."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> RiskRulesError:
        return RiskRulesError(f"{self.origin}: {key}: {problem}")

    def table(self, data: Table, key: str, keys: set[str] | tuple[str, ...]) -> Table:
        name = key.rsplit(".", 1)[-1]
        value = data.get(name)
        if not isinstance(value, dict):
            raise self.fail(key, "missing" if value is None else "must be a table")
        missing, unknown = sorted(set(keys) - set(value)), sorted(set(value) - set(keys))
        for names, problem in ((missing, "missing"), (unknown, "unknown key")):
            if names:
                raise self.fail(f"{key}.{names[0]}", problem)
        return value

    def number(self, data: Table, key: str, *, positive: bool = False) -> Decimal:
        value = data.get(key.rsplit(".", 1)[-1])
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(key, "missing" if value is None else f"must be a number, got {value!r}")
        number = Decimal(value)
        if not number.is_finite() or number < 0 or (positive and number == 0):
            raise self.fail(key, f"must be a number {'> 0' if positive else '≥ 0'}, got {value}")
        return number

    def integer(self, data: Table, key: str) -> int:
        value = data.get(key.rsplit(".", 1)[-1])
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"must be a whole number ≥ 0, got {value!r}")
        return value

    def numbers(self, data: Table, key: str, names: tuple[str, ...]) -> dict[str, Decimal]:
        table = self.table(data, key, names)
        return {name: self.number(table, f"{key}.{name}") for name in names}


_TOP = {"version", "time", "impact", "likelihood"}
_IMPACT = {
    "extra_instrument_step",
    "extra_instrument_max",
    "reason_min",
    "instrument_kind",
    "accuracy_class",
    "capacity",
    "trade",
}
_LIKELIHOOD = {"base", "credit", "recency", "verification", "orders", "complaints"}


def parse_rules(data: Table, origin: str) -> RiskRules:
    """Validate parsed TOML into :class:`RiskRules`; ``origin`` names the file in errors."""
    r = _Reader(origin)
    missing, unknown = sorted(_TOP - set(data)), sorted(set(data) - _TOP)
    if missing or unknown:
        raise r.fail(missing[0] if missing else unknown[0], "missing" if missing else "unknown key")
    version = data["version"]
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise r.fail("version", f"must look like v1, got {version!r}")
    time = r.table(data, "time", {"days_per_month"})
    impact = r.table(data, "impact", _IMPACT)
    likelihood = r.table(data, "likelihood", _LIKELIHOOD)
    capacity = r.table(impact, "impact.capacity", {"kinds", "bands"})
    credit = r.table(likelihood, "likelihood.credit", {"weight", "unknown_score", "reason_below"})
    recency = r.table(
        likelihood, "likelihood.recency", {"per_month", "max_months", "reason_months"}
    )
    verification = r.table(likelihood, "likelihood.verification", {"per_instrument", "max_count"})
    orders = r.table(likelihood, "likelihood.orders", {"per_open", "per_overdue", "max_count"})
    complaints = r.table(
        likelihood, "likelihood.complaints", {"window_days", "per_complaint", "max_count"}
    )
    for key in ("likelihood.credit.unknown_score", "likelihood.credit.reason_below"):
        if r.number(credit, key) > 100:
            raise r.fail(key, f"a score is at most 100, got {credit[key.rsplit('.', 1)[-1]]}")
    return RiskRules(
        version=version,
        days_per_month=r.number(time, "time.days_per_month", positive=True),
        instrument_kind=r.numbers(impact, "impact.instrument_kind", INSTRUMENT_KINDS),
        accuracy_class=r.numbers(impact, "impact.accuracy_class", ACCURACY_CLASSES),
        capacity_kinds=_capacity_kinds(r, capacity),
        capacity_bands=_bands(r, capacity),
        trade=r.numbers(impact, "impact.trade", MERCHANT_KINDS),
        extra_instrument_step=r.number(impact, "impact.extra_instrument_step"),
        extra_instrument_max=r.integer(impact, "impact.extra_instrument_max"),
        impact_reason_min=r.number(impact, "impact.reason_min"),
        base=r.number(likelihood, "likelihood.base", positive=True),
        credit_weight=r.number(credit, "likelihood.credit.weight"),
        unknown_score=r.number(credit, "likelihood.credit.unknown_score"),
        credit_reason_below=r.number(credit, "likelihood.credit.reason_below"),
        per_month=r.number(recency, "likelihood.recency.per_month"),
        max_months=r.number(recency, "likelihood.recency.max_months"),
        reason_months=r.number(recency, "likelihood.recency.reason_months"),
        per_overdue_verification=r.number(verification, "likelihood.verification.per_instrument"),
        max_overdue_verifications=r.integer(verification, "likelihood.verification.max_count"),
        per_open_order=r.number(orders, "likelihood.orders.per_open"),
        per_overdue_order=r.number(orders, "likelihood.orders.per_overdue"),
        max_orders=r.integer(orders, "likelihood.orders.max_count"),
        complaint_window_days=r.integer(complaints, "likelihood.complaints.window_days"),
        per_complaint=r.number(complaints, "likelihood.complaints.per_complaint"),
        max_complaints=r.integer(complaints, "likelihood.complaints.max_count"),
    )


def _capacity_kinds(r: _Reader, capacity: Table) -> frozenset[str]:
    kinds = capacity.get("kinds")
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise r.fail("impact.capacity.kinds", "must be a list of instrument kinds")
    unknown = sorted(set(kinds) - set(INSTRUMENT_KINDS))
    if unknown:
        raise r.fail("impact.capacity.kinds", f"unknown instrument kind {unknown[0]!r}")
    return frozenset(kinds)


def _bands(r: _Reader, capacity: Table) -> tuple[CapacityBand, ...]:
    raw = capacity.get("bands")
    if not isinstance(raw, list):
        raise r.fail("impact.capacity.bands", "must be an array of {min_kg, factor}")
    bands: list[CapacityBand] = []
    for index, item in enumerate(raw):
        at = f"impact.capacity.bands[{index}]"
        if not isinstance(item, dict):
            raise r.fail(at, "must be a table {min_kg, factor}")
        for key in sorted(set(item) - {"min_kg", "factor"}):
            raise r.fail(f"{at}.{key}", "unknown key")
        band = CapacityBand(
            r.number(item, f"{at}.min_kg", positive=True) * 1000, r.number(item, f"{at}.factor")
        )
        if bands and band.min_grams <= bands[-1].min_grams:
            raise r.fail(f"{at}.min_kg", "bands must be in ascending order of min_kg")
        bands.append(band)
    return tuple(bands)


_FILES: RuleFiles[RiskRules] = RuleFiles(RULES_DIR, DEFAULT_VERSION, parse_rules, RiskRulesError)


def load_rules_from(path: Path) -> RiskRules:
    """Read and validate one rule file (not cached); its version must match its file name."""
    return _FILES.load_from(path)


def available_versions(directory: Path | None = None) -> list[str]:
    """The versions shipped in ``directory`` (default: the application's rule files)."""
    return _FILES.versions(directory or RULES_DIR)


def load_rules(version: str | None = None, directory: Path | None = None) -> RiskRules:
    """The validated rules of ``version`` (default ``v1``), parsed once per process.

    :raises RiskRulesError: unknown version, or the file fails validation.
    """
    return _FILES.load(version, directory or RULES_DIR)


def check_rules(directory: Path | None = None) -> RiskRules:
    """Load every shipped version; return the default. Start-up check: raises on a bad file."""
    return _FILES.check(directory or RULES_DIR)


def clear_cache() -> None:
    """Forget loaded rules, so the next ``load_rules`` reads the files again (tests, tools)."""
    _FILES.clear()
