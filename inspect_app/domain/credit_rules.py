"""The honesty-credit rule as data: load, validate and cache ``credit_rules/<version>.toml``.

``load_rules()`` returns the frozen :class:`CreditRules` of the default version (``v1``),
``load_rules("v2")`` another one; files are read once per process. ``load_rules_from(path)``
reads one file without the cache (tests, a draft version). ``check_rules()`` reads every
shipped version and is called at application start-up, so a bad file stops the start.

Every key is required and unknown keys are refused (a typo must not fall back silently). A
missing or mistyped key, a negative number, bands that are not strictly decreasing, a cap that
names an unknown grade or severity, an unknown version: :class:`CreditRulesError`, whose message
names the file and the dotted key (``v1.toml: grades.bands[1].min: …``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from inspect_app.domain.rule_files import RuleFiles

RULES_DIR = Path(__file__).resolve().parent / "credit_rules"
DEFAULT_VERSION = "v1"
_VERSION_RE = re.compile(r"v[0-9]+")
_CAP_ID_RE = re.compile(r"[a-z][a-z0-9_]*")
_GRADE_RE = re.compile(r"[A-Z]")

Table = Mapping[str, object]


class CreditRulesError(ValueError):
    """A credit rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Band:
    """Scores from ``min`` (inclusive) up to the next better band's ``min`` get ``grade``."""

    grade: str
    min: Decimal


@dataclass(frozen=True)
class Cap:
    """A finding of ``severity`` with age ≤ ``months`` holds the grade at ``grade`` or worse."""

    id: str
    severity: int
    months: Decimal
    grade: str
    #: Applies before the provisional rule and whatever the score (v1: S4 within 12 months).
    forced: bool


@dataclass(frozen=True)
class CreditRules:
    """One version of the rule; every number of it, validated (see ``credit_rules/v1.toml``)."""

    version: str
    days_per_month: Decimal
    full_score: Decimal
    extent_step: Decimal
    extent_max: int
    #: Base deduction by severity: ``base_deduction[3]`` is S3's.
    base_deduction: tuple[Decimal, ...]
    repeat_window_months: Decimal
    repeat_once: Decimal
    repeat_twice_or_more: Decimal
    correction_factor: Decimal
    correction_severities: frozenset[int]
    window_months: Decimal
    max_inspections: int
    half_life_months: Decimal
    places: int
    min_inspections: int
    bands: tuple[Band, ...]
    floor_grade: str
    provisional_grade: str
    caps: tuple[Cap, ...]

    def within(self, earlier: date, later: date, months: Decimal) -> bool:
        """``earlier`` is 0..``months`` old on ``later``: days ≤ months × days_per_month, exact."""
        days = (later - earlier).days
        return days >= 0 and Decimal(days) <= months * self.days_per_month

    def lifts_on(self, found_on: date, months: Decimal) -> date:
        """The first day on which something found on ``found_on`` is older than ``months``."""
        last_day = int((months * self.days_per_month).to_integral_value(ROUND_FLOOR))
        return found_on + timedelta(days=last_day + 1)

    def grades(self) -> tuple[str, ...]:
        """The grades from best to worst (the provisional grade is not among them)."""
        return (*(b.grade for b in self.bands), self.floor_grade)

    def band_of(self, score: Decimal) -> str:
        """The grade of a (rounded) score by the bands alone."""
        return next((b.grade for b in self.bands if score >= b.min), self.floor_grade)


class _Reader:
    """Typed access to the parsed TOML, failing with ``origin: key: problem``."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> CreditRulesError:
        return CreditRulesError(f"{self.origin}: {key}: {problem}")

    def table(self, data: Table, key: str, keys: set[str]) -> Table:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "missing" if value is None else "must be a table")
        return self.exact(value, key, keys)

    def exact(self, data: Table, at: str, keys: set[str]) -> Table:
        """``data`` has exactly ``keys``: name the first missing one, else the first unknown."""
        missing, unknown = sorted(keys - set(data)), sorted(set(data) - keys)
        for names, problem in ((missing, "missing"), (unknown, "unknown key")):
            if names:
                raise self.fail(f"{at}.{names[0]}" if at else names[0], problem)
        return data

    def number(self, data: Table, key: str, at: str, *, positive: bool = False) -> Decimal:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(f"{at}.{key}", f"must be a number, got {value!r}")
        number = Decimal(value)
        if not number.is_finite() or number < 0 or (positive and number == 0):
            bound = "> 0" if positive else "≥ 0"
            raise self.fail(f"{at}.{key}", f"must be a finite number {bound}, got {value}")
        return number

    def integer(self, data: Table, key: str, at: str, *, minimum: int = 0) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{at}.{key}", f"must be an integer ≥ {minimum}, got {value!r}")
        return value

    def text(self, data: Table, key: str, at: str, pattern: re.Pattern[str]) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.fail(
                f"{at}.{key}" if at else key, f"must match {pattern.pattern}, got {value!r}"
            )
        return value


#: The tables of a rule file and their keys (all required, no others allowed).
_SECTIONS = {
    "time": {"days_per_month"},
    "inspection": {"full_score", "extent_step", "extent_max", "base_deduction"},
    "repeat": {"window_months", "once", "twice_or_more"},
    "correction": {"factor", "severities"},
    "score": {"window_months", "max_inspections", "half_life_months", "places", "min_inspections"},
    "grades": {"bands", "floor", "provisional"},
}


def parse_rules(data: Table, origin: str) -> CreditRules:
    """Validate parsed TOML into :class:`CreditRules`; ``origin`` names the file in errors."""
    r = _Reader(origin)
    r.exact(data, "", {"version", "caps", *_SECTIONS})
    version = r.text(data, "version", "", _VERSION_RE)
    t = {name: r.table(data, name, keys) for name, keys in _SECTIONS.items()}
    base = t["inspection"]["base_deduction"]
    if not isinstance(base, dict) or not base:
        raise r.fail("inspection.base_deduction", "must be a table S0 = …, S1 = …")
    r.exact(base, "inspection.base_deduction", {f"S{i}" for i in range(len(base))})
    severities = t["correction"]["severities"]
    if not isinstance(severities, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s < len(base) for s in severities
    ):
        raise r.fail("correction.severities", f"must list severities 0..{len(base) - 1}")
    full_score = r.number(t["inspection"], "full_score", "inspection", positive=True)
    bands, floor, provisional = _grades(r, t["grades"], full_score)
    num, integer = r.number, r.integer
    return CreditRules(
        version=version,
        days_per_month=num(t["time"], "days_per_month", "time", positive=True),
        full_score=full_score,
        extent_step=num(t["inspection"], "extent_step", "inspection"),
        extent_max=integer(t["inspection"], "extent_max", "inspection", minimum=1),
        base_deduction=tuple(
            num(base, f"S{i}", "inspection.base_deduction") for i in range(len(base))
        ),
        repeat_window_months=num(t["repeat"], "window_months", "repeat"),
        repeat_once=num(t["repeat"], "once", "repeat"),
        repeat_twice_or_more=num(t["repeat"], "twice_or_more", "repeat"),
        correction_factor=num(t["correction"], "factor", "correction"),
        correction_severities=frozenset(severities),
        window_months=num(t["score"], "window_months", "score"),
        max_inspections=integer(t["score"], "max_inspections", "score", minimum=1),
        half_life_months=num(t["score"], "half_life_months", "score", positive=True),
        places=integer(t["score"], "places", "score"),
        min_inspections=integer(t["score"], "min_inspections", "score", minimum=1),
        bands=bands,
        floor_grade=floor,
        provisional_grade=provisional,
        caps=_caps(r, data, len(base), (*(b.grade for b in bands), floor)),
    )


def _grades(r: _Reader, grades: Table, full_score: Decimal) -> tuple[tuple[Band, ...], str, str]:
    raw = grades.get("bands")
    if not isinstance(raw, list) or not raw:
        raise r.fail("grades.bands", "must be a non-empty array of {grade, min}")
    bands: list[Band] = []
    for index, item in enumerate(raw):
        at = f"grades.bands[{index}]"
        if not isinstance(item, dict):
            raise r.fail(at, "must be a table {grade, min}")
        r.exact(item, at, {"grade", "min"})
        band = Band(r.text(item, "grade", at, _GRADE_RE), r.number(item, "min", at))
        if band.min > full_score:
            raise r.fail(f"{at}.min", f"{band.min} is above the full score {full_score}")
        if bands and band.min >= bands[-1].min:
            raise r.fail(f"{at}.min", f"bands overlap or are unordered (≥ {bands[-1].min})")
        bands.append(band)
    floor = r.text(grades, "floor", "grades", _GRADE_RE)
    provisional = r.text(grades, "provisional", "grades", _GRADE_RE)
    names = [b.grade for b in bands] + [floor, provisional]
    if len(set(names)) != len(names):
        raise r.fail("grades", f"grade letters must be distinct, got {names}")
    return tuple(bands), floor, provisional


def _caps(r: _Reader, data: Table, severities: int, grades: tuple[str, ...]) -> tuple[Cap, ...]:
    raw = data.get("caps")
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise r.fail("caps", "must be an array of tables")
    caps: list[Cap] = []
    for index, item in enumerate(raw):
        at = f"caps[{index}]"
        r.exact(item, at, {"id", "severity", "months", "grade", "forced"})
        cap_id = r.text(item, "id", at, _CAP_ID_RE)
        severity = r.integer(item, "severity", at)
        if severity >= severities:
            raise r.fail(f"{at}.severity", f"no base deduction for S{severity}")
        grade = item.get("grade")
        if grade not in grades:
            raise r.fail(f"{at}.grade", f"must be one of {list(grades)}, got {grade!r}")
        forced = item.get("forced")
        if not isinstance(forced, bool):
            raise r.fail(f"{at}.forced", f"must be true or false, got {forced!r}")
        if cap_id in {c.id for c in caps} or cap_id == "provisional":
            raise r.fail(f"{at}.id", f"duplicate or reserved id {cap_id!r}")
        caps.append(Cap(cap_id, severity, r.number(item, "months", at), str(grade), forced))
    return tuple(caps)


_FILES: RuleFiles[CreditRules] = RuleFiles(
    RULES_DIR, DEFAULT_VERSION, parse_rules, CreditRulesError
)


def load_rules_from(path: Path) -> CreditRules:
    """Read and validate one rule file (not cached); its version must match its file name."""
    return _FILES.load_from(path)


def available_versions(directory: Path | None = None) -> list[str]:
    """The versions shipped in ``directory`` (default: the application's rule files)."""
    return _FILES.versions(directory or RULES_DIR)


def load_rules(version: str | None = None, directory: Path | None = None) -> CreditRules:
    """The validated rules of ``version`` (default ``v1``), parsed once per process.

    :raises CreditRulesError: unknown version, or the file fails validation.
    """
    return _FILES.load(version, directory or RULES_DIR)


def check_rules(directory: Path | None = None) -> CreditRules:
    """Load every shipped version; return the default. Start-up check: raises on a bad file."""
    return _FILES.check(directory or RULES_DIR)


def clear_cache() -> None:
    """Forget loaded rules, so the next ``load_rules`` reads the files again (tests, tools)."""
    _FILES.clear()
