"""Non-automatic weighing instruments: MPE by class and load, test, eccentricity, repeatability.

Masses are grams (Decimal). A load ``m`` is read in verification scale intervals ``e``: the
pack's MPE table gives ±0.5 e / ±1 e / ±1.5 e by band, a band's lower edge belonging to the
band below ("0 ≤ m ≤ 500 e", "500 e < m ≤ 2 000 e" for class III: R 76-1 Table 6, JJG 539).
In service the MPE is the pack's factor (2) times the initial MPE.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from inspect_app.domain.quantities import (
    ENGINE_CONTEXT,
    MeasurementError,
    Number,
    fail,
    fmt,
    to_decimal,
    to_decimals,
)
from inspect_app.domain.rulepacks import RulePack, resolve
from inspect_app.domain.rulepacks.model import BandTable, ScaleRules
from inspect_app.domain.rulepacks.reader import ACCURACY_CLASSES
from inspect_app.domain.scale_types import (  # noqa: F401 - re-exported, part of this module's API
    STAGES,
    Limit,
    PointResult,
    ScaleSpec,
    ScaleVerdict,
    SpecVerdict,
)
from inspect_app.domain.verdicts import Citation, Reason, unique_citations

__all__ = [
    "Limit",
    "MeasurementError",
    "PointResult",
    "ScaleSpec",
    "ScaleVerdict",
    "SpecVerdict",
    "check_spec",
    "evaluate_eccentricity",
    "evaluate_repeatability",
    "evaluate_test",
    "limit",
    "mpe",
]


def _rules(pack: RulePack) -> ScaleRules:
    if pack.scales is None:
        raise fail("RULE_NOT_IN_PACK", pack=pack.id, rule="scale rules", rule_zh="衡器规则")
    return pack.scales


@dataclass(frozen=True)
class _Rule:
    """The MPE table for one class and stage, looked up and checked once per verdict."""

    accuracy_class: str
    table: BandTable
    factor: Decimal | None  # None at initial verification
    factor_citation: Citation

    def limit(self, e: Decimal, load: Decimal) -> Limit:
        if load < 0:
            raise fail("LOAD_NEGATIVE", load=load)
        band = self.table.find(load, e)
        if band is None:
            raise fail("LOAD_OUTSIDE_TABLE", load=load, m=load / e, value=self.accuracy_class)
        if self.factor is None:
            return Limit(band.value * e, band.value, band.label, (band.citation,))
        mpe_e = band.value * self.factor
        return Limit(mpe_e * e, mpe_e, band.label, (band.citation, self.factor_citation))


def _rule(pack: RulePack, accuracy_class: str, stage: str) -> _Rule:
    if stage not in STAGES:
        raise fail("STAGE_UNKNOWN", value=repr(stage))
    rules = _rules(pack)
    if accuracy_class not in ACCURACY_CLASSES:
        raise fail("CLASS_UNKNOWN", value=repr(accuracy_class))
    table = rules.mpe.get(accuracy_class)
    if table is None:
        raise fail(
            "CLASS_NOT_IN_PACK", pack=pack.id, value=accuracy_class, known=", ".join(rules.mpe)
        )
    factor = rules.in_service_factor if stage == "in_service" else None
    return _Rule(accuracy_class, table, factor, rules.in_service_citation)


def limit(pack: RulePack | str, accuracy_class: str, e: Number, load: Number, stage: str) -> Limit:
    """Return the MPE for ``load`` with its band and the table rows cited; see :func:`mpe`."""
    with localcontext(ENGINE_CONTEXT):
        rule = _rule(resolve(pack), accuracy_class, stage)
        step = to_decimal(e, "e")
        if step <= 0:
            raise fail("SPEC_INVALID", max="-", min="-", e=step, d="-")
        return rule.limit(step, to_decimal(load, "load"))


def mpe(pack: RulePack | str, accuracy_class: str, e: Number, load: Number, stage: str) -> Decimal:
    """Return the absolute maximum permissible error in grams for ``load`` on a scale.

    Rule: with m = load / e, find the band of the pack's table for the class that contains m
    (a band's lower edge belongs to the band below, so m = 500 e is ±0.5 e for class III);
    initial MPE = band value × e; in service (``stage="in_service"``) the pack's factor × that
    (2 in R 76 para 4.2 and JJG 539).

    :raises MeasurementError: ``CLASS_UNKNOWN``, ``CLASS_NOT_IN_PACK``, ``STAGE_UNKNOWN``,
        ``LOAD_NEGATIVE``, ``LOAD_OUTSIDE_TABLE`` (m beyond the last band), ``SPEC_INVALID``.
    """
    return limit(pack, accuracy_class, e, load, stage).mpe


def _verdict(
    kind: str,
    pack: RulePack,
    spec: ScaleSpec,
    stage: str,
    weighings: Iterable[tuple[Number, Number]],
    extra: tuple[Citation, ...],
) -> ScaleVerdict:
    pairs = list(weighings)
    rule = _rule(pack, spec.accuracy_class, stage)
    points: list[PointResult] = []
    citations: list[Citation] = []
    loads = to_decimals((p[0] for p in pairs), "load")
    indications = to_decimals((p[1] for p in pairs), "indication")
    for load, indication in zip(loads, indications, strict=True):
        if load > spec.max:
            raise fail("LOAD_ABOVE_MAX", load=load, max=spec.max)
        lim = rule.limit(spec.e, load)
        error = indication - load
        points.append(
            PointResult(
                load,
                indication,
                error,
                error / spec.e,
                lim.mpe,
                lim.mpe_e,
                lim.band,
                abs(error) <= lim.mpe,
            )
        )
        citations.extend(lim.citations)
    if not points:
        raise fail("NO_POINTS")
    failed = sum(not p.passed for p in points)
    if failed:
        reason = Reason(
            "OUTSIDE_MPE",
            f"{failed} of {len(points)} weighings outside the MPE",
            f"{len(points)} 次称量中有 {failed} 次超出最大允许误差",
            False,
        )
    else:
        reason = Reason(
            "WITHIN_MPE",
            f"all {len(points)} weighings within the MPE",
            f"全部 {len(points)} 次称量均在最大允许误差内",
            True,
        )
    return ScaleVerdict(
        pack.ref,
        not failed,
        (reason,),
        unique_citations((*citations, *extra)),
        kind,
        spec,
        stage,
        tuple(points),
    )


def evaluate_test(
    pack: RulePack | str, spec: ScaleSpec, points: Sequence[tuple[Number, Number]], stage: str
) -> ScaleVerdict:
    """Judge a weighing test: each (load, indication) pair against the MPE for its load.

    Rule: error = indication − load; error in e = error / e; a point passes when
    |error| ≤ MPE (see :func:`mpe`); the test passes when every point passes. Loads must be
    0 ≤ load ≤ Max (a load below Min is judged: the test points include zero and Min).

    :raises MeasurementError: ``LOAD_ABOVE_MAX``, ``LOAD_NEGATIVE``, ``NO_POINTS``,
        ``INVALID_NUMBER`` and those of :func:`mpe`.
    """
    with localcontext(ENGINE_CONTEXT):
        return _verdict("test", resolve(pack), spec, stage, points, ())


def evaluate_eccentricity(
    pack: RulePack | str, spec: ScaleSpec, load: Number, indications: Sequence[Number], stage: str
) -> ScaleVerdict:
    """Judge an eccentricity (off-centre load) test: one load placed at several positions.

    Rule (pack ``scales.eccentricity``, unverified in both packs): the error at every position
    must be within the MPE for that load and stage. The test load is whatever the inspector
    applied; the engine does not impose the "≈ 1/3 Max" of general knowledge, which no source
    read confirms. ``points`` holds one result per position, in the order given.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        src = _rules(p).eccentricity_source
        cite = Citation("scales.eccentricity", "each_within_mpe", src, src.verified)
        return _verdict("eccentricity", p, spec, stage, [(load, i) for i in indications], (cite,))


def evaluate_repeatability(
    pack: RulePack | str, spec: ScaleSpec, load: Number, indications: Sequence[Number], stage: str
) -> ScaleVerdict:
    """Judge a repeatability test: the same load weighed several times.

    Rule (pack ``scales.repeatability``; JJG 13-2016 [V-2] for cn): every error must be within
    the MPE for the load, and the range of the results (largest − smallest indication) must
    not exceed that MPE. At least the pack's ``min_readings`` weighings (3 in cn, 2 in oiml).

    :raises MeasurementError: ``TOO_FEW_READINGS`` and those of :func:`evaluate_test`.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        rules = _rules(p)
        need = rules.repeatability_min_readings
        if len(indications) < need:
            raise fail("TOO_FEW_READINGS", required=need, given=len(indications))
        src = rules.repeatability_source
        cite = Citation("scales.repeatability", "each_and_range_within_mpe", src, src.verified)
        base = _verdict("repeatability", p, spec, stage, [(load, i) for i in indications], (cite,))
        values = [pt.indication for pt in base.points]
        spread, lim = max(values) - min(values), base.points[0].mpe
        ok = spread <= lim
        op = "≤" if ok else ">"
        reason = Reason(
            "RANGE_WITHIN_MPE" if ok else "RANGE_EXCEEDS_MPE",
            f"range of results {fmt(spread)} g {op} MPE ±{fmt(lim)} g",
            f"示值极差 {fmt(spread)} g {op} 最大允许误差 ±{fmt(lim)} g",
            ok,
        )
        return ScaleVerdict(
            base.pack,
            base.passed and ok,
            (*base.reasons, reason),
            base.citations,
            "repeatability",
            spec,
            stage,
            base.points,
            spread,
            lim,
        )


def check_spec(pack: RulePack | str, spec: ScaleSpec) -> SpecVerdict:
    """Check the marked data against the pack's accuracy-class table (R 76-1 Table 3).

    Rule: the row for the class whose e range contains e gives n_min ≤ n = Max / e ≤ n_max
    and the minimum capacity Min ≥ min_e × e (20 e for class III, 10 e for class IIII).

    :raises MeasurementError: ``CLASS_NOT_IN_PACK`` when the pack has no row for the class.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        rules = _rules(p)
        rows = [r for r in rules.class_parameters if r.accuracy_class == spec.accuracy_class]
        if not rows:
            known = sorted({r.accuracy_class for r in rules.class_parameters})
            raise fail(
                "CLASS_NOT_IN_PACK", pack=p.id, value=spec.accuracy_class, known=", ".join(known)
            )
        src = rules.class_parameters_source
        row = next((r for r in rows if r.e.contains(spec.e)), None)
        if row is None:
            ranges = "; ".join(r.e.describe("e", "g") for r in rows)
            reason = Reason(
                "E_OUTSIDE_CLASS",
                f"e = {fmt(spec.e)} g is in no class {spec.accuracy_class} row ({ranges})",
                f"e = {fmt(spec.e)} g 不在 {spec.accuracy_class} 级任何一行的范围内（{ranges}）",
                False,
            )
            cite = Citation("scales.class_parameters", spec.accuracy_class, src, src.verified)
            return SpecVerdict(p.ref, False, (reason,), (cite,), spec)
        n, least = spec.max / spec.e, row.min_e * spec.e
        n_ok, min_ok = row.n_min <= n <= row.n_max, spec.min >= least
        reasons = (
            Reason(
                "N_WITHIN_CLASS" if n_ok else "N_OUTSIDE_CLASS",
                f"n = Max/e = {fmt(n)} {'within' if n_ok else 'outside'} {row.n_min}–{row.n_max}",
                f"n = Max/e = {fmt(n)} {'在' if n_ok else '不在'} {row.n_min}–{row.n_max} 范围内",
                n_ok,
            ),
            Reason(
                "MIN_OK" if min_ok else "MIN_TOO_SMALL",
                f"Min {fmt(spec.min)} g {'≥' if min_ok else '<'} {fmt(row.min_e)} e = "
                f"{fmt(least)} g",
                f"最小秤量 {fmt(spec.min)} g {'≥' if min_ok else '<'} "
                f"{fmt(row.min_e)} e = {fmt(least)} g",
                min_ok,
            ),
        )
        cite = Citation(
            "scales.class_parameters",
            f"row {row.index}: class {row.accuracy_class}, {row.e.describe('e', 'g')}",
            src,
            row.verified,
        )
        return SpecVerdict(p.ref, n_ok and min_ok, reasons, (cite,), spec)
