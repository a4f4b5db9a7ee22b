"""The typed, frozen form of a rule pack, as the verdict functions read it.

The TOML files hold the published tables; :mod:`.parse` turns them into these objects after
checking them, and :mod:`.export` turns these objects into the JSON the tablet receives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from inspect_app.domain.quantities import fmt
from inspect_app.domain.verdicts import Citation, PackRef, Source


@dataclass(frozen=True)
class Interval:
    """A band of a published table: ``lower < x ≤ upper`` (``lower ≤ x`` for a first band).

    Published tables give each band as "500 e < m ≤ 2 000 e": the lower edge belongs to the
    band below, so only a table's first band may include its lower edge. ``upper`` is ``None``
    for an open-ended last band ("200 000 e < m").
    """

    lower: Decimal
    lower_inclusive: bool
    upper: Decimal | None

    def contains(self, x: Decimal, scale: Decimal | None = None) -> bool:
        """Whether ``x`` lies in the band; bounds are multiplied by ``scale`` when given.

        Scaling the bounds (not dividing ``x``) keeps the comparison exact: a load in grams is
        compared with ``500 × e`` rather than turned into a possibly inexact multiple of e.
        """
        lower = self.lower if scale is None else self.lower * scale
        if x < lower or (x == lower and not self.lower_inclusive):
            return False
        if self.upper is None:
            return True
        return x <= (self.upper if scale is None else self.upper * scale)

    def describe(self, var: str, unit: str) -> str:
        """Return the band as published, e.g. ``"500 e < m ≤ 2 000 e"``."""
        u = f" {unit}" if unit else ""
        op = "≤" if self.lower_inclusive else "<"
        text = f"{fmt(self.lower)}{u} {op} {var}"
        return text if self.upper is None else f"{text} ≤ {fmt(self.upper)}{u}"


@dataclass(frozen=True)
class Band:
    """One row of a one-dimensional table: the band and the value it gives.

    ``label`` (the band as printed) and ``citation`` are built once when the pack is loaded,
    because every verdict quotes them and formatting them per call would dominate its cost.
    """

    index: int
    interval: Interval
    value: Decimal
    kind: str
    verified: bool
    note: str
    label: str
    citation: Citation


@dataclass(frozen=True)
class BandTable:
    """A published table of contiguous bands over one variable, with its source.

    ``unit`` is the unit of the banded variable, ``value_unit`` that of the values; ``var`` is
    the symbol used when a band is printed ("m", "Qn", "|P|").
    """

    key: str
    var: str
    unit: str
    value_unit: str
    bands: tuple[Band, ...]
    source: Source

    def find(self, x: Decimal, scale: Decimal | None = None) -> Band | None:
        """Return the band containing ``x`` (bounds scaled by ``scale``), or ``None``."""
        for band in self.bands:
            if band.interval.contains(x, scale):
                return band
        return None

    def cite(self, band: Band) -> Citation:
        """Return the citation of one band of this table."""
        return band.citation


@dataclass(frozen=True)
class ClassParameters:
    """One row of the accuracy-class table (R 76-1 Table 3): e range, n range, Min in e."""

    index: int
    accuracy_class: str
    e: Interval
    n_min: int
    n_max: int
    min_e: Decimal
    verified: bool


@dataclass(frozen=True)
class ScaleRules:
    """Rules for non-automatic weighing instruments."""

    mpe: Mapping[str, BandTable]
    in_service_factor: Decimal
    in_service_source: Source
    in_service_citation: Citation
    class_parameters: tuple[ClassParameters, ...]
    class_parameters_source: Source
    eccentricity_source: Source
    repeatability_min_readings: int
    repeatability_source: Source


@dataclass(frozen=True)
class RoundingStep:
    """Round T to ``quantum`` with ``mode`` when the nominal quantity is ≤ ``upto``."""

    upto: Decimal | None
    quantum: Decimal
    mode: str


@dataclass(frozen=True)
class DeficiencyTable:
    """Tolerable deficiency T by nominal quantity for one family of units, and its rounding."""

    family: str
    units: tuple[str, ...]
    table: BandTable
    rounding: tuple[RoundingStep, ...]
    rounding_source: Source | None


@dataclass(frozen=True)
class PlanRow:
    """One row of a sampling plan: lot sizes ``lot_min``..``lot_max`` and what they require.

    ``sample_size`` ``None`` means the whole lot; ``correction_factor`` ``None`` means no
    average requirement applies to such lots.
    """

    index: int
    lot_min: int
    lot_max: int | None
    sample_size: int | None
    correction_factor: Decimal | None
    allowed_t1: int
    allowed_t2: int
    verified: bool
    note: str = ""

    def describe(self) -> str:
        """Return the lot-size range as printed, e.g. ``"100–500"`` or ``"> 3 200"``."""
        if self.lot_max is None:
            return f"≥ {fmt(Decimal(self.lot_min))}"
        return f"{fmt(Decimal(self.lot_min))}–{fmt(Decimal(self.lot_max))}"


@dataclass(frozen=True)
class PrepackageRules:
    """Rules for the net quantity of prepackaged goods."""

    deficiency: Mapping[str, DeficiencyTable]
    plan: tuple[PlanRow, ...]
    plan_source: Source

    def deficiency_for(self, unit: str) -> DeficiencyTable | None:
        """Return the T table that covers ``unit``, if the pack has one."""
        for table in self.deficiency.values():
            if unit in table.units:
                return table
        return None


@dataclass(frozen=True)
class LensRow:
    """A row of the lens power table: tolerance A per meridian, B per cylinder column."""

    index: int
    interval: Interval
    a: Decimal
    b: tuple[Decimal | None, ...]
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class LensPowerTable:
    """Spectacle-lens power tolerances by highest-power meridian and cylinder (ISO 8980-1)."""

    key: str
    cylinder_columns: tuple[Interval, ...]
    rows: tuple[LensRow, ...]
    source: Source


@dataclass(frozen=True)
class FocimeterZero:
    """Zero error limit of a focimeter, tighter for instruments reading to 0.01 D."""

    mpe: Decimal
    fine_resolution: Decimal
    mpe_fine: Decimal
    source: Source


@dataclass(frozen=True)
class OpticsRules:
    """Rules for optical-shop instruments and spectacle lenses; any part may be absent."""

    lens_power: LensPowerTable | None
    lens_axis: BandTable | None
    reference: Mapping[str, BandTable]
    focimeter_zero: FocimeterZero | None


@dataclass(frozen=True)
class RulePack:
    """A jurisdiction's published tables, validated and frozen. Load with ``rulepacks.load``."""

    id: str
    version: str
    title_zh: str
    title_en: str
    default: bool
    scales: ScaleRules | None
    prepackages: PrepackageRules | None
    optics: OpticsRules | None

    @property
    def ref(self) -> PackRef:
        """The ``{id, version}`` every verdict records."""
        return PackRef(self.id, self.version)
