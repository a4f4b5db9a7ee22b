"""From raw answers to findings: the server's judgement of one submitted inspection.

Pure: the caller resolves instruments to :class:`InstrumentFacts` and passes the rule pack.
Findings come from two places, and both are recomputed here from the raw answers:

* answers that are violations by themselves (a cheating device found, a broken seal), as the
  form definition declares (:func:`inspect_app.domain.forms.flagged_violations`);
* measurements judged by the metrology engine against the instrument's registered class, Max
  and e (market inspections are in-service checks), lots against the sampling plan, and
  verification dates against the day of the inspection.

The verdict is ``fail`` when any finding has severity S1 or above; S0 findings are advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from inspect_app.domain.evaluation.model import Evaluation, FindingDraft, InstrumentFacts
from inspect_app.domain.evaluation.optics import evaluate_optics
from inspect_app.domain.evaluation.prepackage import evaluate_prepackage
from inspect_app.domain.evaluation.scale import evaluate_scale
from inspect_app.domain.forms import FormDefinition, Violation, flagged_violations
from inspect_app.domain.rulepacks import RulePack
from inspect_app.domain.verdicts import PackRef

__all__ = ["Evaluation", "FindingDraft", "InstrumentFacts", "evaluate", "verdict_of"]

_BY_TYPE = {
    "scale": evaluate_scale,
    "optics": evaluate_optics,
    "prepackage": evaluate_prepackage,
}


def evaluate(
    definition: FormDefinition,
    answers: Mapping[str, object],
    instruments: Mapping[str, InstrumentFacts],
    pack: RulePack,
    inspected_on: date,
) -> Evaluation:
    """Judge validated ``answers``.

    :param instruments: the registered facts of each instrument field, by answer path
        (``"instrument"``, ``"instruments.0.instrument"``).
    :param inspected_on: the local date of the inspection, for verification expiry.
    :raises MeasurementError: a measurement the engine refuses (load above Max, a sample that
        does not match the sampling plan); the message says what to fix.
    """
    flagged = tuple(
        FindingDraft(code=v.code, path=v.path, instrument_code=_instrument_at(v.path, instruments))
        for v in flagged_violations(definition, answers)
    )
    specific = _BY_TYPE.get(definition.inspection_type)
    checks, measured = specific(answers, instruments, pack, inspected_on) if specific else ((), ())
    return Evaluation(
        pack=PackRef(pack.id, pack.version),
        checks=tuple(checks),
        findings=_dedupe((*flagged, *measured)),
    )


def verdict_of(evaluation: Evaluation, catalogue: Mapping[str, Violation]) -> str:
    """``fail`` if any finding is S1 or worse (unknown codes count as failing)."""
    for finding in evaluation.findings:
        violation = catalogue.get(finding.code)
        if violation is None or violation.severity_rank >= 1:
            return "fail"
    return "pass"


def _instrument_at(path: str, instruments: Mapping[str, InstrumentFacts]) -> str | None:
    """The instrument a flagged answer belongs to: same repeat item, else the form's own."""
    prefix = path.rsplit(".", 1)[0] + "." if "." in path else ""
    facts = instruments.get(prefix + "instrument") or instruments.get("instrument")
    return facts.code if facts else None


def _dedupe(findings: tuple[FindingDraft, ...]) -> tuple[FindingDraft, ...]:
    """One finding per (code, instrument): three incomplete markings are one violation."""
    seen: dict[tuple[str, str | None], FindingDraft] = {}
    for finding in findings:
        seen.setdefault((finding.code, finding.instrument_code), finding)
    return tuple(seen.values())
