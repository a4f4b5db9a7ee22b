"""Prepackaged goods: tolerable deficiency T, the sampling plan and the lot verdict.

Quantities are Decimal in the unit of the label: g, mL, m, m2 or count (convert kg and L
before calling). A package's shortage is Qn − actual. A T1 package is short by more than T
but not more than 2T; a T2 package by more than 2T (the JJF 1070 plan columns). A lot passes
when the T1 and T2 counts are within the plan and, where the plan has a correction factor λ,
the sample mean q̄ ≥ Qn − λ·s (s the sample standard deviation, n − 1 denominator).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from math import lcm
from operator import mul

from inspect_app.domain.prepackage_types import (  # noqa: F401 - re-exported, part of this module's API
    Deficiency,
    LotVerdict,
    SamplingPlan,
)
from inspect_app.domain.quantities import (
    ENGINE_CONTEXT,
    MeasurementError,
    Number,
    dec_str,
    fail,
    fmt,
    round_display,
    to_decimal,
    to_decimals,
)
from inspect_app.domain.rulepacks import RulePack, resolve
from inspect_app.domain.rulepacks.model import PrepackageRules
from inspect_app.domain.verdicts import Citation, Reason

__all__ = [
    "Deficiency",
    "LotVerdict",
    "MeasurementError",
    "SamplingPlan",
    "UNITS",
    "deficiency",
    "evaluate_lot",
    "sampling_plan",
    "tolerable_deficiency",
]

UNITS = ("g", "mL", "m", "m2", "count")
_MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP, "up": ROUND_CEILING}


def _rules(pack: RulePack) -> PrepackageRules:
    if pack.prepackages is None:
        raise fail(
            "RULE_NOT_IN_PACK", pack=pack.id, rule="prepackage rules", rule_zh="定量包装商品规则"
        )
    return pack.prepackages


def _deficiency(pack: RulePack, nominal: Decimal, unit: str) -> Deficiency:
    rules = _rules(pack)
    if unit not in UNITS:
        raise fail("UNIT_UNKNOWN", value=repr(unit), known=", ".join(UNITS))
    family = rules.deficiency_for(unit)
    if family is None:
        raise fail(
            "RULE_NOT_IN_PACK",
            pack=pack.id,
            rule=f"deficiency table for {unit}",
            rule_zh=f"以 {unit} 计的允许短缺量表",
        )
    if nominal <= 0 or (unit == "count" and nominal != nominal.to_integral_value()):
        raise fail("NOMINAL_INVALID", value=nominal)
    table = family.table
    band = table.find(nominal)
    if band is None:
        raise fail("NOMINAL_OUTSIDE_TABLE", value=nominal, unit=unit)
    raw = nominal * band.value / 100 if band.kind == "percent" else band.value
    citations = [table.cite(band)]
    t, rounding = raw, "none"
    step = next((s for s in family.rounding if s.upto is None or nominal <= s.upto), None)
    if step is not None:
        # Division by the quantum, not quantize(), so a quantum that is not a power of ten
        # (a future pack's 0.5) rounds correctly too.
        t = (raw / step.quantum).to_integral_value(rounding=_MODES[step.mode]) * step.quantum
        rounding = f"{step.mode} to {dec_str(step.quantum)}"
        if family.rounding_source is not None:
            src = family.rounding_source
            citations.append(Citation(f"{table.key}.rounding", rounding, src, src.verified))
    return Deficiency(nominal, unit, t, raw, band.label, rounding, tuple(citations))


def deficiency(pack: RulePack | str, nominal: Number, unit: str) -> Deficiency:
    """Return T for ``nominal`` with the band, the unrounded value and the rules cited."""
    with localcontext(ENGINE_CONTEXT):
        return _deficiency(resolve(pack), to_decimal(nominal, "nominal"), unit)


def tolerable_deficiency(pack: RulePack | str, nominal: Number, unit: str) -> Decimal:
    """Return the tolerable deficiency T for a nominal quantity, rounded by the pack's rule.

    Rule: find the band Qn lies in ("more than X to not more than Y"; R 87, 附表3); T is the
    band's percentage of Qn or its fixed amount; then round by the pack's step for Qn (cn:
    修约 to 0.1 for Qn ≤ 1 000 g or mL, to 1 above, read as half-even; oiml: up, as AU
    NTMR 4.36; count: up to a whole number). Length and area are not rounded.

    :raises MeasurementError: ``UNIT_UNKNOWN``, ``NOMINAL_INVALID``, ``NOMINAL_OUTSIDE_TABLE``,
        ``RULE_NOT_IN_PACK``.
    """
    return deficiency(pack, nominal, unit).t


def _plan(pack: RulePack, lot_size: int) -> SamplingPlan:
    rules = _rules(pack)
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise fail("LOT_SIZE_INVALID", value=repr(lot_size))
    for row in rules.plan:
        if row.lot_min <= lot_size and (row.lot_max is None or lot_size <= row.lot_max):
            cite = Citation(
                "prepackages.sampling_plan",
                f"row {row.index}: lot {row.describe()}",
                rules.plan_source,
                row.verified,
            )
            return SamplingPlan(
                lot_size,
                row.sample_size or lot_size,
                row.correction_factor,
                row.allowed_t1,
                row.allowed_t2,
                row.describe(),
                (cite,),
            )
    raise fail("LOT_SIZE_NOT_IN_PLAN", pack=pack.id, value=lot_size, first=rules.plan[0].lot_min)


def sampling_plan(pack: RulePack | str, lot_size: int) -> SamplingPlan:
    """Return the sampling plan for a lot of ``lot_size`` packages.

    Rule: the plan row whose lot range contains the lot size gives the sample size (the whole
    lot for cn lots of 1–10), the correction factor λ (``None`` where no average requirement
    applies) and the numbers of T1 and T2 packages allowed (T2: always 0).

    :raises MeasurementError: ``LOT_SIZE_INVALID``, ``LOT_SIZE_NOT_IN_PLAN`` (oiml: lots under
        100, whose R 87 rows were not retrieved).
    """
    with localcontext(ENGINE_CONTEXT):
        return _plan(resolve(pack), lot_size)


def _readings(quantities: Sequence[Number]) -> tuple[Decimal, ...]:
    """Convert the sample; on a bad reading, raise naming its 1-based position."""
    values = to_decimals(quantities, "package")
    if values and min(values) < 0:
        i = next(i for i, v in enumerate(values, 1) if v < 0)
        raise fail("QUANTITY_NEGATIVE", index=i, value=values[i - 1])
    return values


def _common_scale(values: Sequence[Decimal]) -> tuple[int, list[int]]:
    """Return a common denominator D and each value × D as an exact int.

    ``as_integer_ratio`` is exact and cheap; D (the lcm of the denominators, a divisor of a
    power of ten) makes every comparison of the lot test an integer comparison.
    """
    ratios = [v.as_integer_ratio() for v in values]
    denominator = lcm(*(d for _, d in ratios))
    return denominator, [n * (denominator // d) for n, d in ratios]


def evaluate_lot(
    pack: RulePack | str, nominal: Number, unit: str, lot_size: int, quantities: Sequence[Number]
) -> LotVerdict:
    """Judge a lot of prepackages from the actual quantities of the plan's sample.

    Rules: T from :func:`tolerable_deficiency`, the plan from :func:`sampling_plan`. Individual
    requirement: packages with T < shortage ≤ 2T (T1) at most ``allowed_t1``, with shortage >
    2T (T2) at most ``allowed_t2``. Average requirement (only where the plan gives λ):
    q̄ ≥ Qn − λ·s. The comparison is exact: all values are scaled to integers and it is decided
    as D²·(n − 1) ≤ λ²·n·(n·Σq² − (Σq)²) with D = n·Qn − Σq > 0, so no rounding of s or of a
    square root can flip a verdict, and the tablet (BigInt) reaches the same one.

    Note: this legal rule is not monotone. Making one package heavier can fail a passing lot
    when that package lies far below the mean (s shrinks faster than q̄ rises); see
    ``docs/metrology.md``.

    :raises MeasurementError: ``SAMPLE_SIZE_MISMATCH`` (says what the plan asks for),
        ``QUANTITY_NEGATIVE`` and those of :func:`tolerable_deficiency`/:func:`sampling_plan`.
    """
    with localcontext(ENGINE_CONTEXT):
        p = resolve(pack)
        qn = to_decimal(nominal, "nominal")
        d = _deficiency(p, qn, unit)
        plan = _plan(p, lot_size)
        if len(quantities) != plan.sample_size:
            raise fail(
                "SAMPLE_SIZE_MISMATCH",
                lot=lot_size,
                required=plan.sample_size,
                given=len(quantities),
            )
        values = _readings(quantities)
        scale, ints = _common_scale((qn, d.t, *values))
        qn_s, t_s, qs = ints[0], ints[1], ints[2:]
        # Integers: Qn − q below T passes, up to 2T is T1, beyond is T2.
        t1 = tuple(i for i, q in enumerate(qs, 1) if t_s < qn_s - q <= 2 * t_s)
        t2 = tuple(i for i, q in enumerate(qs, 1) if qn_s - q > 2 * t_s)
        n, total = len(qs), sum(qs)
        var_num = n * sum(map(mul, qs, qs)) - total * total  # n(n−1)·s², scaled by scale²
        mean = Decimal(total) / n / scale
        stdev = None if n < 2 else (Decimal(var_num) / (n * (n - 1))).sqrt() / scale
        lam = plan.correction_factor
        average_ok: bool | None = None
        lambda_s = limit = None
        if lam is not None:
            lam_num, lam_den = lam.as_integer_ratio()
            deficit = n * qn_s - total  # n·(Qn − q̄), scaled
            # A single package has no s: then only q̄ ≥ Qn passes.
            average_ok = deficit <= 0 or (
                n > 1
                and (
                    deficit * deficit * (n - 1) * lam_den * lam_den
                    <= lam_num * lam_num * n * var_num
                )
            )
            lambda_s = round_display(lam * (stdev or Decimal(0)))
            limit = round_display(qn - lam * (stdev or Decimal(0)))
        individual_ok = len(t1) <= plan.allowed_t1 and len(t2) <= plan.allowed_t2
        shown_mean, shown_s = round_display(mean), None if stdev is None else round_display(stdev)
        reasons = _lot_reasons(d, plan, shown_mean, shown_s, limit, average_ok, t1, t2)
        return LotVerdict(
            p.ref,
            individual_ok and average_ok is not False,
            reasons,
            (*d.citations, *plan.citations),
            d,
            plan,
            values,
            shown_mean,
            shown_s,
            lambda_s,
            limit,
            average_ok,
            t1,
            t2,
            individual_ok,
        )


def _lot_reasons(
    d: Deficiency,
    plan: SamplingPlan,
    mean: Decimal,
    stdev: Decimal | None,
    limit: Decimal | None,
    average_ok: bool | None,
    t1: tuple[int, ...],
    t2: tuple[int, ...],
) -> tuple[Reason, ...]:
    u, qn, lam = d.unit, fmt(d.nominal), plan.correction_factor
    if average_ok is None or limit is None or lam is None:
        avg = Reason(
            "AVERAGE_NOT_REQUIRED",
            f"no average requirement for a lot of "
            f"{plan.lot_size} (plan row {plan.row}); mean {fmt(mean)} {u}",
            f"批量 {plan.lot_size}（方案 {plan.row}）不检验平均实际含量；平均值 {fmt(mean)} {u}",
            None,
        )
    else:
        op, s = ("≥" if average_ok else "<"), fmt(stdev or Decimal(0))
        avg = Reason(
            "AVERAGE_OK" if average_ok else "AVERAGE_TOO_LOW",
            f"mean {fmt(mean)} {u} {op} Qn − λ·s = {qn} − {fmt(lam)} × {s} = {fmt(limit)} {u}",
            f"平均实际含量 {fmt(mean)} {u} {op} Qn − λ·s = {qn} − "
            f"{fmt(lam)} × {s} = {fmt(limit)} {u}",
            average_ok,
        )
    out = [avg]
    for label, found, allowed, bound in (
        ("T1", t1, plan.allowed_t1, d.t),
        ("T2", t2, plan.allowed_t2, 2 * d.t),
    ):
        ok = len(found) <= allowed
        at = f" (#{', #'.join(map(str, found))})" if found else ""
        out.append(
            Reason(
                f"{label}_OK" if ok else f"{label}_EXCEEDED",
                f"{len(found)} package{'' if len(found) == 1 else 's'} short by more than "
                f"{'T' if label == 'T1' else '2T'} = "
                f"{fmt(bound)} {u}{at}; the plan allows {allowed}",
                f"短缺量大于 {'T' if label == 'T1' else '2T'} = {fmt(bound)} {u} 的有 {len(found)} "
                f"件{at}；方案允许 {allowed} 件",
                ok,
            )
        )
    return tuple(out)
