"""Value types of the prepackage checks: tolerable deficiency, sampling plan, lot verdict."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inspect_app.domain.quantities import (
    dec_str,
    fmt,
)
from inspect_app.domain.verdicts import Citation, JSONDict, Verdict


@dataclass(frozen=True)
class Deficiency:
    """T for one nominal quantity: the value before and after rounding, and its rules."""

    nominal: Decimal
    unit: str
    t: Decimal
    t_raw: Decimal
    band: str
    rounding: str
    citations: tuple[Citation, ...]

    def to_dict(self) -> JSONDict:
        """Return T with the band and rounding used."""
        return {
            "nominal": dec_str(self.nominal),
            "unit": self.unit,
            "t": dec_str(self.t),
            "t_raw": dec_str(self.t_raw),
            "band": self.band,
            "rounding": self.rounding,
        }


@dataclass(frozen=True)
class SamplingPlan:
    """What the plan asks of a lot: sample size, λ (``None``: no average test), T1/T2 allowed."""

    lot_size: int
    sample_size: int
    correction_factor: Decimal | None
    allowed_t1: int
    allowed_t2: int
    row: str
    citations: tuple[Citation, ...]

    def to_dict(self) -> JSONDict:
        """Return the plan row as JSON."""
        return {
            "lot_size": self.lot_size,
            "sample_size": self.sample_size,
            "correction_factor": None
            if self.correction_factor is None
            else dec_str(self.correction_factor),
            "allowed_t1": self.allowed_t1,
            "allowed_t2": self.allowed_t2,
            "row": self.row,
        }


@dataclass(frozen=True)
class LotVerdict(Verdict):
    """A lot's verdict with every number behind it.

    ``average_ok`` is ``None`` when the plan has no average requirement (e.g. cn lots of
    1–10); ``stdev`` is ``None`` for a sample of one. ``t1_packages``/``t2_packages`` are the
    1-based positions of those packages in the sample. ``mean``, ``stdev``, ``lambda_s`` and
    ``average_limit`` are rounded half-even to 4 decimals for people; the decision itself is
    exact (see :func:`evaluate_lot`).
    """

    deficiency: Deficiency
    plan: SamplingPlan
    quantities: tuple[Decimal, ...]
    mean: Decimal
    stdev: Decimal | None
    lambda_s: Decimal | None
    average_limit: Decimal | None
    average_ok: bool | None
    t1_packages: tuple[int, ...]
    t2_packages: tuple[int, ...]
    individual_ok: bool

    @property
    def t(self) -> Decimal:
        """The tolerable deficiency T used."""
        return self.deficiency.t

    @property
    def t1_count(self) -> int:
        """Packages short by more than T and at most 2T."""
        return len(self.t1_packages)

    @property
    def t2_count(self) -> int:
        """Packages short by more than 2T."""
        return len(self.t2_packages)

    def to_dict(self) -> JSONDict:
        """Return the verdict with every number that led to it, JSON-serialisable."""

        def opt(value: Decimal | None) -> str | None:
            return None if value is None else dec_str(value)

        return {
            "kind": "lot",
            **self.common_dict(),
            "deficiency": self.deficiency.to_dict(),
            "plan": self.plan.to_dict(),
            "t": dec_str(self.t),
            "quantities": [dec_str(q) for q in self.quantities],
            "mean": dec_str(self.mean),
            "stdev": opt(self.stdev),
            "lambda_s": opt(self.lambda_s),
            "average_limit": opt(self.average_limit),
            "average_ok": self.average_ok,
            "t1_count": self.t1_count,
            "t2_count": self.t2_count,
            "t1_packages": list(self.t1_packages),
            "t2_packages": list(self.t2_packages),
            "individual_ok": self.individual_ok,
        }

    def explain(self, lang: str = "en") -> str:
        """Return T, the plan, then one line per requirement and the unverified-rules note."""
        d, p, u = self.deficiency, self.plan, self.deficiency.unit
        if lang == "zh":
            head = (
                f"标注净含量 {fmt(d.nominal)} {u}，允许短缺量 T = {fmt(d.t)} {u}；批量 "
                f"{p.lot_size}，抽样 {p.sample_size} 件；{'合格' if self.passed else '不合格'}"
            )
        else:
            head = (
                f"nominal {fmt(d.nominal)} {u}, tolerable deficiency T = {fmt(d.t)} {u}; "
                f"lot {p.lot_size}, sample {p.sample_size}; "
                f"{'pass' if self.passed else 'fail'}"
            )
        return "\n".join([head, *self.reason_lines(lang)])
