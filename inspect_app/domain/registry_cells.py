"""One cell of a registry import file: what it may hold, and its value as text, mass or date.

Pure (stdlib only). The readers hand over raw values: text (CSV, XLSX strings), numbers, dates
and datetimes (XLSX), or the :class:`Formula` / :class:`CellError` markers of an XLSX cell.
A converter returns the value, or ``(code, params)`` naming what is wrong (codes of
:data:`inspect_app.domain.registry_issues.MESSAGES`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from inspect_app.domain.registry_issues import shown

#: What spreadsheet programs start a formula with (OWASP, "CSV Injection").
INJECTION_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MASS_LIMIT = Decimal(10) ** 10


@dataclass(frozen=True)
class Formula:
    """An XLSX cell holding a formula (never evaluated, always refused)."""

    text: str


@dataclass(frozen=True)
class CellError:
    """An XLSX cell holding an error value such as ``#N/A``."""

    text: str


def empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_problem(raw: str, numeric: bool) -> tuple[str, dict[str, object]] | None:
    """CSV injection (OWASP: a cell starting with = + - @ tab or CR is run as a formula by
    spreadsheet programs; a number in a mass column is fine), then control characters."""
    stripped = raw.strip(" ")
    starts = raw[:1] in ("\t", "\r") or (stripped[:1] != "" and stripped[0] in INJECTION_STARTS)
    if starts and not (numeric and NUMBER_RE.fullmatch(raw.strip())):
        char = raw[0] if raw[:1] in ("\t", "\r") else stripped[0]
        return "INJECTION", {"char": shown(char)}
    for ch in raw:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return "CONTROL_CHAR", {"char": f"U+{ord(ch):04X}"}
    return None


def as_text(raw: object) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bool, date)):  # datetime is a date
        return None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, (int, Decimal)):
        return str(raw)
    return None


def as_mass(raw: object) -> object:
    """A number of grams as written (the registry rules judge its range and precision)."""
    value: Decimal | None = None
    if isinstance(raw, str) and NUMBER_RE.fullmatch(raw):
        value = Decimal(raw)
    elif isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    if value is None or not value.is_finite():
        return "NUMBER", {"value": shown(raw)}
    if abs(value) >= _MASS_LIMIT:
        return value  # the registry rules say it is too large
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))  # 15000.00 → 15000, never 1.5E+4
    return value.normalize()  # 0.50 → 0.5


def as_date(raw: object) -> object:
    if isinstance(raw, datetime):
        if raw.time() == datetime.min.time():
            return raw.date()
        return "DATE", {"value": shown(raw)}
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return "DATE", {"value": shown(raw)}
