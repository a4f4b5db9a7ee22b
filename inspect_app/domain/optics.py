"""Optical shops: reference checks of focimeters and refractometers, spectacle-lens tolerances.

Powers are dioptres (D = m⁻¹), axes degrees (0–180), pupil distances millimetres. Every check
is a list of points (nominal, measured, error = measured − nominal, tolerance, pass) and the
verdict passes when every point does. Tables are the pack's; in the cn pack none of the optics
rows is verified against the primary text, and every verdict says so (``unverified``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from inspect_app.domain.quantities import (
    ENGINE_CONTEXT,
    MeasurementError,
    Number,
    dec_str,
    fail,
    fmt,
    to_decimal,
)
from inspect_app.domain.rulepacks import RulePack, resolve
from inspect_app.domain.rulepacks.model import BandTable, OpticsRules
from inspect_app.domain.verdicts import Citation, JSONDict, Reason, Verdict

__all__ = [
    "LensPower",
    "MeasurementError",
    "OpticsPoint",
    "OpticsVerdict",
    "check_focimeter",
    "check_lens",
    "check_refractometer",
]

_NAMES = {
    "sphere": "球镜",
    "pd": "瞳距",
    "power": "顶焦度",
    "zero": "零位",
    "meridian 1": "主子午线 1",
    "meridian 2": "主子午线 2",
    "cylinder": "柱镜",
    "axis": "轴位",
}


@dataclass(frozen=True)
class LensPower:
    """A lens power in sphero-cylinder form: sphere S, cylinder C (D) and axis (degrees).

    The principal meridians are S and S + C. ``axis`` is required with a cylinder.
    :raises MeasurementError: ``INVALID_NUMBER``, ``AXIS_INVALID``.
    """

    sphere: Decimal
    cylinder: Decimal = Decimal(0)
    axis: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sphere", to_decimal(self.sphere, "sphere"))
        object.__setattr__(self, "cylinder", to_decimal(self.cylinder, "cylinder"))
        if self.axis is not None:
            object.__setattr__(self, "axis", to_decimal(self.axis, "axis"))
        if self.cylinder and (self.axis is None or not 0 <= self.axis <= 180):
            raise fail("AXIS_INVALID", value=repr(self.axis))

    def transposed(self) -> LensPower:
        """The same lens written with the opposite cylinder sign: (S + C, −C, axis ± 90)."""
        if self.axis is None or not self.cylinder:
            return self
        with localcontext(ENGINE_CONTEXT):
            axis = self.axis + 90 if self.axis <= 90 else self.axis - 90
            return LensPower(self.sphere + self.cylinder, -self.cylinder, axis)

    def to_dict(self) -> JSONDict:
        """Return sphere, cylinder and axis as strings (axis null without a cylinder)."""
        return {
            "sphere": dec_str(self.sphere),
            "cylinder": dec_str(self.cylinder),
            "axis": None if self.axis is None else dec_str(self.axis),
        }


@dataclass(frozen=True)
class OpticsPoint:
    """One checked quantity: nominal, measured, error, the tolerance and the outcome."""

    quantity: str
    unit: str
    nominal: Decimal
    measured: Decimal
    error: Decimal
    tolerance: Decimal
    band: str
    passed: bool

    def to_dict(self) -> JSONDict:
        """Return every field; decimals as canonical strings."""
        return {
            "quantity": self.quantity,
            "unit": self.unit,
            "nominal": dec_str(self.nominal),
            "measured": dec_str(self.measured),
            "error": dec_str(self.error),
            "tolerance": dec_str(self.tolerance),
            "band": self.band,
            "passed": self.passed,
        }

    def explain(self, lang: str) -> str:
        """One line: quantity, nominal, measured, error against ± tolerance, outcome."""
        u = self.unit
        if lang == "zh":
            return (
                f"{_NAMES.get(self.quantity, self.quantity)}：标称 {fmt(self.nominal)} {u}，"
                f"实测 {fmt(self.measured)} {u}，误差 {fmt(self.error, True)} {u}，允差 "
                f"±{fmt(self.tolerance)} {u}（{self.band}）；"
                f"{'合格' if self.passed else '不合格'}"
            )
        return (
            f"{self.quantity}: nominal {fmt(self.nominal)} {u}, measured "
            f"{fmt(self.measured)} {u}, error {fmt(self.error, True)} {u}, tolerance "
            f"±{fmt(self.tolerance)} {u} ({self.band}); {'pass' if self.passed else 'fail'}"
        )


@dataclass(frozen=True)
class OpticsVerdict(Verdict):
    """Outcome of an optics check (``kind`` "lens", "focimeter" or "refractometer")."""

    kind: str
    points: tuple[OpticsPoint, ...]

    def to_dict(self) -> JSONDict:
        """Return the verdict with every number that led to it, JSON-serialisable."""
        return {
            "kind": self.kind,
            **self.common_dict(),
            "points": [p.to_dict() for p in self.points],
        }

    def explain(self, lang: str = "en") -> str:
        """Return one line per point, then the reasons and the unverified-rules note."""
        return "\n".join([p.explain(lang) for p in self.points] + self.reason_lines(lang))


def _rules(pack: RulePack, what: str, what_zh: str) -> OpticsRules:
    if pack.optics is None:
        raise fail("RULE_NOT_IN_PACK", pack=pack.id, rule=what, rule_zh=what_zh)
    return pack.optics


def _point(
    quantity: str, unit: str, nominal: Decimal, measured: Decimal, tolerance: Decimal, band: str
) -> OpticsPoint:
    error = measured - nominal
    return OpticsPoint(
        quantity, unit, nominal, measured, error, tolerance, band, abs(error) <= tolerance
    )


def _verdict(
    kind: str,
    pack: RulePack,
    points: list[OpticsPoint],
    citations: list[Citation],
    extra: tuple[Reason, ...] = (),
) -> OpticsVerdict:
    failed = [p.quantity for p in points if not p.passed]
    if failed:
        reason = Reason(
            "OUTSIDE_TOLERANCE",
            f"outside tolerance: {', '.join(failed)}",
            f"超出允差：{'、'.join(_NAMES.get(q, q) for q in failed)}",
            False,
        )
    else:
        reason = Reason(
            "WITHIN_TOLERANCE",
            "every checked quantity within tolerance",
            "所检各项均在允差内",
            True,
        )
    reasons = (reason, *extra)
    return OpticsVerdict(
        pack.ref,
        all(r.ok is not False for r in reasons),
        reasons,
        tuple(citations),
        kind,
        tuple(points),
    )


def _banded(
    pack: RulePack,
    table: BandTable,
    quantity: str,
    kind: str,
    nominal: Decimal,
    reading: Decimal,
    tolerance_override: Decimal | None = None,
) -> OpticsVerdict:
    band = table.find(abs(nominal))
    if band is None:
        raise fail("NO_TOLERANCE", table=table.key, value=f"{dec_str(nominal)} {table.unit}")
    point = _point(quantity, table.unit, nominal, reading, band.value, band.label)
    return _verdict(kind, pack, [point], [table.cite(band)])


def check_refractometer(
    pack: RulePack | str, nominal: Number, reading: Number, quantity: str = "sphere"
) -> OpticsVerdict:
    """Check a refractometer's reading of a reference (model eye) against its nominal value.

    Rule (cn: JJG 892-2011 [V-2]): sphere error within ±0.25 D for |P| ≤ 10 D and ±0.50 D
    beyond; ``quantity="pd"``: pupil distance within ±1 mm. Bands are on |nominal|.

    :raises MeasurementError: ``RULE_NOT_IN_PACK`` (no such table), ``INVALID_NUMBER``.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        key = f"refractometer_{quantity}"
        table = _rules(p, f"refractometer {quantity} table", "验光仪允差表").reference.get(key)
        if table is None:
            raise fail(
                "RULE_NOT_IN_PACK",
                pack=p.id,
                rule=f"refractometer {quantity} table",
                rule_zh=f"验光仪{_NAMES.get(quantity, quantity)}允差表",
            )
        return _banded(
            p,
            table,
            quantity,
            "refractometer",
            to_decimal(nominal, "nominal"),
            to_decimal(reading, "reading"),
        )


def check_focimeter(
    pack: RulePack | str, nominal: Number, reading: Number, resolution: Number | None = None
) -> OpticsVerdict:
    """Check a focimeter against a reference lens of power ``nominal`` (0: no lens, zero check).

    Rules: zero (cn: JJG 580-2005 [V-2]): |reading| ≤ 0.03 D, or ≤ 0.02 D for an instrument
    whose ``resolution`` is 0.01 D or finer. Other powers need the pack's
    ``focimeter_power`` table; the cn pack has none (JJG 580 Table 1 was not retrieved), so
    such a check raises ``RULE_NOT_IN_PACK`` rather than guess a tolerance.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        rules = _rules(p, "focimeter rules", "焦度计规则")
        power, value = to_decimal(nominal, "nominal"), to_decimal(reading, "reading")
        if power == 0:
            zero = rules.focimeter_zero
            if zero is None:
                raise fail(
                    "RULE_NOT_IN_PACK",
                    pack=p.id,
                    rule="focimeter zero-error limit",
                    rule_zh="焦度计零位误差限",
                )
            fine = (
                resolution is not None
                and to_decimal(resolution, "resolution") <= zero.fine_resolution
            )
            tol = zero.mpe_fine if fine else zero.mpe
            band = f"resolution ≤ {dec_str(zero.fine_resolution)} D" if fine else "any resolution"
            cite = Citation("optics.focimeter_zero", band, zero.source, zero.source.verified)
            return _verdict("focimeter", p, [_point("zero", "D", power, value, tol, band)], [cite])
        table = rules.reference.get("focimeter_power")
        if table is None:
            raise fail(
                "RULE_NOT_IN_PACK",
                pack=p.id,
                rule="focimeter power tolerance table",
                rule_zh="焦度计顶焦度允差表",
            )
        return _banded(p, table, "power", "focimeter", power, value)


def check_lens(pack: RulePack | str, nominal: LensPower, measured: LensPower) -> OpticsVerdict:
    """Check a spectacle lens (or mounted spectacles) against its nominal or prescribed power.

    Rule (cn: GB 10810.1 = ISO 8980-1 Table 1, unverified): the row is chosen by the nominal
    highest-power meridian max(|S|, |S + C|); each principal meridian (S, then S + C) must be
    within ±A of nominal and the cylinder within ±B, B from the column of the nominal |C|.
    With a cylinder, the axis must be within the axis table's tolerance for |C| (difference
    taken modulo 180°). A measurement written in the other cylinder sign is transposed first.

    :raises MeasurementError: ``NO_TOLERANCE`` (a "–" cell of the table),
        ``RULE_NOT_IN_PACK``.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        rules = _rules(p, "spectacle-lens tables", "眼镜镜片允差表")
        table = rules.lens_power
        if table is None:
            raise fail(
                "RULE_NOT_IN_PACK", pack=p.id, rule="lens power table", rule_zh="镜片顶焦度允差表"
            )
        if nominal.cylinder * measured.cylinder < 0:
            measured = measured.transposed()
        n1, n2 = nominal.sphere, nominal.sphere + nominal.cylinder
        highest, cyl = max(abs(n1), abs(n2)), abs(nominal.cylinder)
        row = next(r for r in table.rows if r.interval.contains(highest))
        col = next(i for i, c in enumerate(table.cylinder_columns) if c.contains(cyl))
        b = row.b[col]
        if b is None:
            raise fail(
                "NO_TOLERANCE",
                table=table.key,
                value=f"highest meridian {dec_str(highest)} D with cylinder {dec_str(cyl)} D",
            )
        where = (
            f"{row.interval.describe('|Dmax|', 'D')}; "
            f"{table.cylinder_columns[col].describe('|C|', 'D')}"
        )
        points = [
            _point("meridian 1", "D", n1, measured.sphere, row.a, where),
            _point("meridian 2", "D", n2, measured.sphere + measured.cylinder, row.a, where),
            _point("cylinder", "D", nominal.cylinder, measured.cylinder, b, where),
        ]
        citations = [
            Citation(
                table.key, f"row {row.index}, column {col + 1}: {where}", table.source, row.verified
            )
        ]
        extra: tuple[Reason, ...] = ()
        if cyl and rules.lens_axis is not None and nominal.axis is not None:
            axis_band = rules.lens_axis.find(cyl)
            if axis_band is None:
                raise fail("NO_TOLERANCE", table=rules.lens_axis.key, value=f"{cyl} D")
            citations.append(rules.lens_axis.cite(axis_band))
            if measured.axis is None or not measured.cylinder:
                extra = (
                    Reason(
                        "AXIS_NOT_MEASURED",
                        "no cylinder axis measured on a toric lens",
                        "散光镜片未测得柱镜轴位",
                        False,
                    ),
                )
            else:
                # Axes are directions on a half circle: 179° and 1° are 2° apart, so the error
                # is the signed difference folded into (−90°, 90°].
                delta = (measured.axis - nominal.axis) % 180
                delta = delta + 180 if delta < 0 else delta
                delta = delta - 180 if delta > 90 else delta
                points.append(
                    OpticsPoint(
                        "axis",
                        "°",
                        nominal.axis,
                        measured.axis,
                        delta,
                        axis_band.value,
                        axis_band.label,
                        abs(delta) <= axis_band.value,
                    )
                )
        return _verdict("lens", p, points, citations, extra)
