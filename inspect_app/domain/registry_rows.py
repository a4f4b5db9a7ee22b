"""One row of a registry import file: the header, cell values, and the rules a row obeys.

Pure (stdlib only). The file readers (``services/registry_files.py``) hand over raw cell
values (text, numbers, dates, or the :class:`Formula` / :class:`CellError` markers of an
XLSX cell); :class:`RowParser` turns each row into a :class:`RegistryRow` or into
:class:`~inspect_app.domain.registry_issues.Issue` s naming row, column and cell. What a row
means for the registry (markets, merchants, existing instruments) is the service's business.
See docs/registry-import.md for the format.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from inspect_app.domain.registry_cells import (
    CellError,
    Formula,
    as_date,
    as_mass,
    as_text,
    empty,
    text_problem,
)
from inspect_app.domain.registry_issues import Issue, column_letter, shown
from inspect_app.domain.registry_rules import (
    INSTRUMENT_KINDS,
    MERCHANT_KINDS,
    InstrumentFields,
    check_instrument,
    normalize_code,
)

T = TypeVar("T")

COLUMNS = (
    "market_code",
    "merchant_name",
    "merchant_kind",
    "stall_no",
    "instrument_code",
    "instrument_kind",
    "make",
    "model",
    "serial_no",
    "accuracy_class",
    "max",
    "min",
    "e",
    "d",
    "verified_at",
    "valid_until",
    "certificate_no",
)
#: Text columns and their longest value (the registry's column sizes).
TEXT_LIMITS = {
    "market_code": 32,
    "merchant_name": 200,
    "merchant_kind": 32,
    "stall_no": 32,
    "instrument_code": 32,
    "instrument_kind": 32,
    "make": 100,
    "model": 100,
    "serial_no": 100,
    "accuracy_class": 4,
    "certificate_no": 64,
}
MASS_COLUMNS = ("max", "min", "e", "d")
DATE_COLUMNS = ("verified_at", "valid_until")
#: ``registry_rules`` field names → this file's columns.
RULE_COLUMNS = {
    "code": "instrument_code",
    "kind": "instrument_kind",
    "max_capacity": "max",
    "min_capacity": "min",
    "e_value": "e",
    "d_value": "d",
}
REQUIRED = (
    "market_code",
    "merchant_name",
    "merchant_kind",
    "stall_no",
    "instrument_code",
    "instrument_kind",
    "verified_at",
    "valid_until",
)


@dataclass(frozen=True)
class RegistryRow:
    """A row that passed every row-level check (masses in grams)."""

    row: int
    market_code: str
    merchant_name: str
    merchant_kind: str
    stall_no: str
    instrument_code: str
    instrument_kind: str
    make: str | None
    model: str | None
    serial_no: str | None
    accuracy_class: str | None
    max: Decimal | None
    min: Decimal | None
    e: Decimal | None
    d: Decimal | None
    verified_at: date
    valid_until: date
    certificate_no: str | None


@dataclass(frozen=True)
class Parsed:
    """One data row: the row when it is clean, what could be read, and what is wrong."""

    row: RegistryRow | None
    values: Mapping[str, object]
    issues: list[Issue]


def check_header(cells: Sequence[object]) -> tuple[dict[str, int], list[Issue]]:
    """Map each column name to its index; name missing, unknown, misspelled and doubled ones.

    Names are compared after trimming spaces; order does not matter. A blank header cell is
    allowed (its column must then stay empty, see :class:`RowParser`).
    """
    index: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    issues: list[Issue] = []
    for i, cell in enumerate(cells):
        name = "" if cell is None else str(cell.text if isinstance(cell, Formula) else cell)
        name = name.strip()
        if not name:
            continue
        if name not in COLUMNS:
            unknown.append((i, name))
        elif name in index:
            first, second = column_letter(index[name]), column_letter(i)
            params = {"column": name, "first": first, "second": second}
            issues.append(Issue("HEADER_DUPLICATE", 1, name, f"{second}1", params))
        else:
            index[name] = i
    missing = [c for c in COLUMNS if c not in index]
    for i, name in unknown:
        lowered = {c.lower(): c for c in missing}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        cell = f"{column_letter(i)}1"
        if close:
            params = {"name": shown(name), "suggestion": lowered[close[0]]}
            issues.append(Issue("HEADER_MISSPELLED", 1, None, cell, params))
        else:
            issues.append(Issue("HEADER_UNKNOWN", 1, None, cell, {"name": shown(name)}))
    issues += [Issue("HEADER_MISSING", 1, c, None, {"column": c}) for c in missing]
    return index, issues


class RowParser:
    """Turns the raw cells of one data row into a :class:`RegistryRow` or issues.

    This module checks what a file can get wrong in a cell (formulas, CSV injection, control
    characters, lengths, choices, numbers, dates, required cells); the rules between an
    instrument's fields are the registry's own (:func:`registry_rules.check_instrument`, the
    same the web forms apply), reported on the column they concern.
    """

    def __init__(self, header: Mapping[str, int], classes: frozenset[str]) -> None:
        self.header = dict(header)
        self.classes = classes
        self.named = set(header.values())
        self._blank_reported: set[int] = set()

    def parse(self, row: int, cells: Sequence[object]) -> Parsed:
        """Check one row; ``values`` holds what could be read even when there are issues."""
        issues: list[Issue] = []
        for i, value in enumerate(cells):
            if i not in self.named and i not in self._blank_reported and not empty(value):
                self._blank_reported.add(i)
                issues.append(Issue("HEADER_BLANK", 1, None, None, {"letter": column_letter(i)}))
        values: dict[str, object] = {}
        for column, i in self.header.items():
            raw = cells[i] if i < len(cells) else None
            converted = self._convert(column, raw)
            if isinstance(converted, tuple):
                code, params = converted
                issues.append(Issue(code, row, column, self.cell(column, row), params))
            elif converted is None and column in REQUIRED:
                issues.append(Issue("REQUIRED", row, column, self.cell(column, row)))
            else:
                values[column] = converted
        self._rules(row, values, issues)
        if issues:
            return Parsed(None, values, issues)
        fields = {c: values.get(c) for c in COLUMNS}
        return Parsed(RegistryRow(row=row, **fields), values, [])  # type: ignore[arg-type]

    def cell(self, column: str, row: int) -> str | None:
        """The cell reference (``K5``) of ``column`` in ``row``."""
        index = self.header.get(column)
        return None if index is None else f"{column_letter(index)}{row}"

    def _rules(self, row: int, values: dict[str, object], issues: list[Issue]) -> None:
        reported = {i.column for i in issues} | {c for c in COLUMNS if c not in self.header}
        fields = InstrumentFields(
            code=str(values.get("instrument_code") or ""),
            kind=str(values.get("instrument_kind") or ""),
            accuracy_class=_typed(values.get("accuracy_class"), str),
            max_capacity=_typed(values.get("max"), Decimal),
            min_capacity=_typed(values.get("min"), Decimal),
            e_value=_typed(values.get("e"), Decimal),
            d_value=_typed(values.get("d"), Decimal),
            verified_at=_typed(values.get("verified_at"), date),
            valid_until=_typed(values.get("valid_until"), date),
        )
        for found in check_instrument(fields, self.classes):
            column = RULE_COLUMNS.get(found.field, found.field)
            if column in reported:
                continue  # the cell itself, or the header, is already wrong
            reported.add(column)
            params = {"en": found.en, "zh": found.zh}
            issues.append(Issue(found.code, row, column, self.cell(column, row), params))

    def _convert(self, column: str, raw: object) -> object:
        """The cell's value (None when empty), or ``(code, params)`` when it cannot be one."""
        if isinstance(raw, Formula):
            return "FORMULA", {"formula": shown(raw.text)}
        if isinstance(raw, CellError):
            return "CELL_ERROR", {"value": shown(raw.text)}
        if isinstance(raw, str):
            problem = text_problem(raw, numeric=column in MASS_COLUMNS)
            if problem is not None:
                return problem
            raw = raw.strip() or None
        if raw is None:
            return None
        if column in MASS_COLUMNS:
            return as_mass(raw)
        if column in DATE_COLUMNS:
            return as_date(raw)
        text = as_text(raw)
        if text is None:
            return "NOT_TEXT", {"value": shown(raw)}
        if len(text) > TEXT_LIMITS[column]:
            return "TOO_LONG", {"length": len(text), "limit": TEXT_LIMITS[column]}
        return _choice(column, text)


def _choice(column: str, text: str) -> object:
    if column in ("market_code", "instrument_code"):
        return normalize_code(text)  # compared and stored upper-case
    if column == "accuracy_class":
        return text.upper()
    allowed = {"merchant_kind": MERCHANT_KINDS, "instrument_kind": INSTRUMENT_KINDS}.get(column)
    if allowed is None:
        return text
    if text.lower() not in allowed:
        return "CHOICE", {"value": shown(text), "allowed": ", ".join(sorted(allowed))}
    return text.lower()


def _typed(value: object, kind: type[T]) -> T | None:
    return value if isinstance(value, kind) else None
