"""Typed reading of a TOML rule pack with errors that name the file, table and row."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from inspect_app.domain.rulepacks import model as m
from inspect_app.domain.verdicts import Citation, Source

KNOWN_UNITS = frozenset({"e", "g", "mL", "m", "m2", "count", "D", "deg", "mm"})
ROUNDING_MODES = frozenset({"half_even", "half_up", "up"})
ACCURACY_CLASSES = ("I", "II", "III", "IIII")
MARKERS = frozenset({"V", "V-2", "D", "U"})
# The only criteria the engine implements; a pack naming another one must not load silently.
ECCENTRICITY_CRITERIA = frozenset({"each_within_mpe"})
REPEATABILITY_CRITERIA = frozenset({"each_and_range_within_mpe"})

Table = Mapping[str, object]
T = TypeVar("T")


class RulePackError(ValueError):
    """A rule pack that cannot be used, with the file, table and row at fault."""


class PackReader:
    """Typed access to one TOML file, raising :class:`RulePackError` with the location."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> RulePackError:
        return RulePackError(f"{self.origin}: {where}: {problem}")

    def get(self, data: Table, key: str, where: str, kind: type[T]) -> T:
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
            raise self.fail(where, f"'{key}' must be a {kind.__name__}, got {value!r}")
        return value

    def opt(self, data: Table, key: str, where: str, kind: type[T]) -> T | None:
        return None if key not in data else self.get(data, key, where, kind)

    def table(self, data: Table, key: str, where: str) -> Table:
        return self.get(data, key, where, dict)

    def rows(self, data: Table, key: str, where: str) -> list[Table]:
        rows = self.get(data, key, where, list)
        if not rows or not all(isinstance(r, dict) for r in rows):
            raise self.fail(where, f"'{key}' must be a non-empty array of tables")
        return rows

    def dec(self, data: Table, key: str, where: str) -> Decimal:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise self.fail(where, f"'{key}' must be a number, got {value!r}")
        try:
            result = Decimal(value)
        except ArithmeticError:
            raise self.fail(where, f"'{key}' is not a number: {value!r}") from None
        if not result.is_finite() or result < 0:
            raise self.fail(where, f"'{key}' must be a finite number ≥ 0, got {value!r}")
        return result

    def unit(self, data: Table, key: str, where: str) -> str:
        unit = self.get(data, key, where, str)
        if unit not in KNOWN_UNITS:
            raise self.fail(where, f"unknown unit {unit!r}; known: {sorted(KNOWN_UNITS)}")
        return unit

    def source(self, data: Table, where: str) -> Source:
        src = self.table(data, "source", where)
        here = f"{where}.source"
        marker = self.get(src, "marker", here, str)
        verified = self.get(src, "verified", here, bool)
        if marker not in MARKERS:
            raise self.fail(here, f"marker {marker!r} is not one of {sorted(MARKERS)}")
        if verified and marker != "V":
            raise self.fail(
                here, f"verified = true needs marker 'V' (read in the source), not {marker!r}"
            )
        return Source(
            self.get(src, "document", here, str),
            self.get(src, "clause", here, str),
            marker,
            verified,
            self.opt(src, "url", here, str) or "",
            self.opt(src, "note", here, str) or "",
            self.opt(src, "short", here, str) or "",
        )

    def intervals(self, rows: list[Table], where: str) -> list[m.Interval]:
        """Read ``from``/``over`` and ``upto`` of each row and check the bands are contiguous."""
        out: list[m.Interval] = []
        for i, row in enumerate(rows, 1):
            here = f"{where} row {i}"
            if ("from" in row) == ("over" in row):
                raise self.fail(here, "give exactly one lower edge: 'from' (≤) or 'over' (<)")
            inclusive = "from" in row
            lower = self.dec(row, "from" if inclusive else "over", here)
            upper = self.dec(row, "upto", here) if "upto" in row else None
            if out:
                previous = out[-1].upper
                if inclusive:
                    raise self.fail(
                        here,
                        "only the first band may include its lower edge "
                        "('from'); use 'over' so the edge belongs to one band",
                    )
                if previous is None:
                    raise self.fail(here, "follows an open-ended band (no 'upto')")
                if lower != previous:
                    kind = "gap" if lower > previous else "overlap"
                    raise self.fail(
                        here,
                        f"{kind}: band starts over {lower} but the previous "
                        f"band ends at {previous}",
                    )
            if upper is not None and upper <= lower:
                raise self.fail(here, f"'upto' {upper} is not above the lower edge {lower}")
            out.append(m.Interval(lower, inclusive, upper))
        return out

    def band_table(
        self,
        data: Table,
        key: str,
        where: str,
        var: str,
        values: Mapping[str, str],
        value_unit: str | None = None,
        label_unit: str | None = None,
    ) -> m.BandTable:
        """Read a one-dimensional table whose rows carry one of the ``values`` keys.

        ``values`` maps an accepted value key to the band kind it stands for; ``label_unit``
        replaces the unit in printed bands (``g/mL`` for a table of both).
        """
        source = self.source(data, where)
        unit = self.unit(data, "unit", where)
        rows = self.rows(data, "rows", where)
        bands = []
        for i, (row, interval) in enumerate(zip(rows, self.intervals(rows, where), strict=True), 1):
            here = f"{where} row {i}"
            present = [k for k in values if k in row]
            if len(present) != 1:
                raise self.fail(here, f"give exactly one of {sorted(values)}")
            verified = self.opt(row, "verified", here, bool)
            if verified and not source.verified:
                raise self.fail(here, "a row cannot be verified when its table's source is not")
            verified = source.verified if verified is None else verified
            label = interval.describe(var, label_unit or unit)
            bands.append(
                m.Band(
                    i,
                    interval,
                    self.dec(row, present[0], here),
                    values[present[0]],
                    verified,
                    self.opt(row, "note", here, str) or "",
                    label,
                    Citation(key, label, source, verified),
                )
            )
        vunit = value_unit if value_unit is not None else self.unit(data, "value_unit", where)
        return m.BandTable(key, var, unit, vunit, tuple(bands), source)
