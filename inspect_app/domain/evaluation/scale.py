"""Bazaar scale inspections: test points, eccentricity, repeatability, verification expiry.

Answer keys (``field_forms/bazaar_scale``): ``instrument``; ``test_points`` = [{load,
indication}] in grams; optional ``eccentricity`` = [{position, load, indication}] and
``repeatability`` = [{load, indication}]; ``verification_valid_until`` as printed on the mark.
A market inspection is an in-service check, so the in-service MPE applies (2 × initial in the
cn pack). Each failing test gives one ``SCALE_OUT_OF_TOLERANCE`` finding carrying its numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from inspect_app.domain.evaluation.model import (
    Checks,
    FindingDraft,
    InstrumentFacts,
    expiry_finding,
    number,
    repeat_items,
)
from inspect_app.domain.quantities import MeasurementError
from inspect_app.domain.rulepacks import RulePack
from inspect_app.domain.scales import (
    ScaleSpec,
    evaluate_eccentricity,
    evaluate_repeatability,
    evaluate_test,
)
from inspect_app.domain.verdicts import JSONDict

STAGE = "in_service"


def _spec(facts: InstrumentFacts | None) -> ScaleSpec:
    if facts is None:
        raise MeasurementError(
            "INSTRUMENT_REQUIRED",
            "Scan or enter the scale before entering test loads.",
            "请先扫描或输入被检秤的编号，再录入测试数据。",
        )
    if None in (facts.accuracy_class, facts.max, facts.e):
        raise MeasurementError(
            "INSTRUMENT_SPEC_MISSING",
            f"Scale {facts.code} has no registered class, Max or e; it cannot be judged.",
            f"秤 {facts.code} 未登记准确度等级、最大秤量或检定分度值，无法判定。",
        )
    assert facts.max is not None and facts.e is not None
    return ScaleSpec(
        accuracy_class=str(facts.accuracy_class),
        max=facts.max,
        min=facts.min if facts.min is not None else Decimal(0),
        e=facts.e,
        d=facts.d if facts.d is not None else facts.e,
    )


def _record(
    verdict_dict: JSONDict, path: str, passed: bool, facts: InstrumentFacts
) -> tuple[JSONDict, FindingDraft | None]:
    check = {"path": path, **verdict_dict}
    if passed:
        return check, None
    return check, FindingDraft(
        code="SCALE_OUT_OF_TOLERANCE",
        path=path,
        instrument_code=facts.code,
        evidence={"check": verdict_dict},
    )


def _same_load(items: Sequence[Mapping[str, object]], path: str) -> Decimal:
    loads = {number(item.get("load"), f"{path}.{n}.load") for n, item in enumerate(items)}
    if len(loads) != 1:
        raise MeasurementError(
            "LOADS_DIFFER",
            f"{path}: every reading must use the same test load.",
            f"{path}：各次读数须使用同一测试载荷。",
        )
    return loads.pop()


def evaluate_scale(
    answers: Mapping[str, object],
    instruments: Mapping[str, InstrumentFacts],
    pack: RulePack,
    inspected_on: date,
) -> Checks:
    """Judge the scale's tests and expiry; see the module docstring for the rules."""
    facts = instruments.get("instrument")
    checks: list[JSONDict] = []
    findings: list[FindingDraft] = []
    tests = (
        ("test_points", repeat_items(answers.get("test_points"))),
        ("eccentricity", repeat_items(answers.get("eccentricity"))),
        ("repeatability", repeat_items(answers.get("repeatability"))),
    )
    if any(items for _key, items in tests):
        spec = _spec(facts)
        assert facts is not None
        for key, items in tests:
            if not items:
                continue
            indications = [
                number(item.get("indication"), f"{key}.{n}.indication")
                for n, item in enumerate(items)
            ]
            if key == "test_points":
                loads = [
                    number(item.get("load"), f"{key}.{n}.load") for n, item in enumerate(items)
                ]
                points = list(zip(loads, indications, strict=True))
                verdict = evaluate_test(pack, spec, points, STAGE)
            elif key == "eccentricity":
                load = _same_load(items, key)
                verdict = evaluate_eccentricity(pack, spec, load, indications, STAGE)
            else:
                load = _same_load(items, key)
                verdict = evaluate_repeatability(pack, spec, load, indications, STAGE)
            check, finding = _record(verdict.to_dict(), key, verdict.passed, facts)
            checks.append(check)
            if finding:
                findings.append(finding)
    expired = expiry_finding(
        "SCALE_VERIFICATION_EXPIRED",
        "verification_valid_until",
        facts,
        answers.get("verification_valid_until"),
        inspected_on,
    )
    if expired:
        findings.append(expired)
    return tuple(checks), tuple(findings)
