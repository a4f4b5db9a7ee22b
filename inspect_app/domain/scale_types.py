"""Value types of the scale checks: the marked spec, one weighing's result, verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inspect_app.domain.quantities import (
    dec_str,
    fail,
    fmt,
    to_decimal,
)
from inspect_app.domain.rulepacks.reader import ACCURACY_CLASSES
from inspect_app.domain.verdicts import Citation, JSONDict, Verdict

STAGES = {"initial": ("initial", "首次检定"), "in_service": ("in-service", "使用中检查")}


@dataclass(frozen=True)
class ScaleSpec:
    """The marked metrological data of a scale: class, Max, Min, e and d (grams).

    Numbers may be given as int, str, Decimal or float; they are stored as Decimal.
    :raises MeasurementError: ``CLASS_UNKNOWN`` or ``SPEC_INVALID`` (e, d, Max > 0,
        0 ≤ Min < Max).
    """

    accuracy_class: str
    max: Decimal
    min: Decimal
    e: Decimal
    d: Decimal

    def __post_init__(self) -> None:
        if self.accuracy_class not in ACCURACY_CLASSES:
            raise fail("CLASS_UNKNOWN", value=repr(self.accuracy_class))
        for name in ("max", "min", "e", "d"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), name))
        if self.e <= 0 or self.d <= 0 or self.max <= 0 or not 0 <= self.min < self.max:
            raise fail("SPEC_INVALID", max=self.max, min=self.min, e=self.e, d=self.d)

    def to_dict(self) -> JSONDict:
        """Return the class and the four quantities as strings."""
        return {
            "accuracy_class": self.accuracy_class,
            "max": dec_str(self.max),
            "min": dec_str(self.min),
            "e": dec_str(self.e),
            "d": dec_str(self.d),
        }


@dataclass(frozen=True)
class Limit:
    """The MPE for one load: in grams, in e (stage factor applied), and the band used."""

    mpe: Decimal
    mpe_e: Decimal
    band: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class PointResult:
    """One weighing: load, indication, error (g and e), the MPE that applies and the outcome."""

    load: Decimal
    indication: Decimal
    error: Decimal
    error_e: Decimal
    mpe: Decimal
    mpe_e: Decimal
    band: str
    passed: bool

    def to_dict(self) -> JSONDict:
        """Return every field; decimals as canonical strings."""
        return {
            "load": dec_str(self.load),
            "indication": dec_str(self.indication),
            "error": dec_str(self.error),
            "error_e": dec_str(self.error_e),
            "mpe": dec_str(self.mpe),
            "mpe_e": dec_str(self.mpe_e),
            "band": self.band,
            "passed": self.passed,
        }

    def explain(self, lang: str, stage: str, document: str) -> str:
        """One line, e.g. "indication 10 011 g at 10 000 g: error +11 g = 2.2 e; …; fail"."""
        st_en, st_zh = STAGES[stage]
        if lang == "zh":
            return (
                f"载荷 {fmt(self.load)} g 示值 {fmt(self.indication)} g：误差 "
                f"{fmt(self.error, True)} g = {fmt(self.error_e)} e；{st_zh}最大允许误差 "
                f"±{fmt(self.mpe)} g（{fmt(self.mpe_e)} e，区间 {self.band}，{document}）；"
                f"{'合格' if self.passed else '不合格'}"
            )
        return (
            f"indication {fmt(self.indication)} g at {fmt(self.load)} g: error "
            f"{fmt(self.error, True)} g = {fmt(self.error_e)} e; {st_en} limit "
            f"±{fmt(self.mpe)} g ({fmt(self.mpe_e)} e, band {self.band}, {document}); "
            f"{'pass' if self.passed else 'fail'}"
        )


@dataclass(frozen=True)
class ScaleVerdict(Verdict):
    """Outcome of a scale check (``kind`` "test", "eccentricity" or "repeatability").

    ``range``/``range_limit`` are set for repeatability only.
    """

    kind: str
    spec: ScaleSpec
    stage: str
    points: tuple[PointResult, ...]
    range: Decimal | None = None
    range_limit: Decimal | None = None

    def to_dict(self) -> JSONDict:
        """Return the verdict with every number that led to it, JSON-serialisable."""
        return {
            "kind": self.kind,
            **self.common_dict(),
            "spec": self.spec.to_dict(),
            "stage": self.stage,
            "points": [p.to_dict() for p in self.points],
            "range": None if self.range is None else dec_str(self.range),
            "range_limit": None if self.range_limit is None else dec_str(self.range_limit),
        }

    def explain(self, lang: str = "en") -> str:
        """Return one line per weighing, then the reasons and a note on unverified rules."""
        document = self.citations[0].source.label
        lines = [p.explain(lang, self.stage, document) for p in self.points]
        return "\n".join(lines + self.reason_lines(lang))


@dataclass(frozen=True)
class SpecVerdict(Verdict):
    """Whether a scale's marked e, n = Max/e and Min agree with the accuracy-class table."""

    spec: ScaleSpec

    def to_dict(self) -> JSONDict:
        """Return the spec, the outcome, the reasons and the rule cited."""
        return {"kind": "spec", **self.common_dict(), "spec": self.spec.to_dict()}

    def explain(self, lang: str = "en") -> str:
        """Return the reasons, one a line."""
        return "\n".join(self.reason_lines(lang))
