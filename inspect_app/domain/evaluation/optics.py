"""Optical shops: each instrument's verification and reference checks; spectacles.

Answer keys (``field_forms/optical_shop``): ``instruments`` = [{instrument,
verification_valid_until, reference_checks = [{reference_power, indication}]}] and
``spectacles`` = [{prescribed_sphere, prescribed_cylinder, prescribed_axis, measured_sphere,
measured_cylinder, measured_axis}]. A focimeter's reference checks use the pack's focimeter
rules, a refractometer's the refractometer sphere table; a failing check gives
``OPTICS_INSTRUMENT_OUT_OF_TOLERANCE``, a pair of spectacles out of tolerance
``SPECTACLES_OUT_OF_TOLERANCE``, and an expired mark ``OPTICS_VERIFICATION_EXPIRED``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from inspect_app.domain.optics import LensPower, check_focimeter, check_lens, check_refractometer
from inspect_app.domain.quantities import MeasurementError
from inspect_app.domain.rulepacks import RulePack
from inspect_app.domain.verdicts import JSONDict


def _instrument_checks(
    index: int,
    item: Mapping[str, object],
    facts: InstrumentFacts | None,
    pack: RulePack,
    on: date,
) -> Checks:
    base = f"instruments.{index}"
    checks: list[JSONDict] = []
    findings: list[FindingDraft] = []
    expired = expiry_finding(
        "OPTICS_VERIFICATION_EXPIRED",
        f"{base}.verification_valid_until",
        facts,
        item.get("verification_valid_until"),
        on,
    )
    if expired:
        findings.append(expired)
    for n, ref in enumerate(repeat_items(item.get("reference_checks"))):
        path = f"{base}.reference_checks.{n}"
        nominal = number(ref.get("reference_power"), f"{path}.reference_power")
        reading = number(ref.get("indication"), f"{path}.indication")
        kind = facts.kind if facts else None
        try:
            if kind == "refractometer":
                verdict = check_refractometer(pack, nominal, reading)
            else:
                verdict = check_focimeter(pack, nominal, reading)
        except MeasurementError as exc:
            if exc.code != "RULE_NOT_IN_PACK":
                raise
            # The pack has no published tolerance for this check: record the reading as not
            # judged rather than refuse the whole inspection or guess a limit.
            checks.append(
                {"path": path, "judged": False, "code": exc.code, "en": exc.en, "zh": exc.zh}
            )
            continue
        data = verdict.to_dict()
        checks.append({"path": path, **data})
        if not verdict.passed:
            findings.append(
                FindingDraft(
                    "OPTICS_INSTRUMENT_OUT_OF_TOLERANCE",
                    path,
                    facts.code if facts else None,
                    {"check": data},
                )
            )
    return tuple(checks), tuple(findings)


def _lens(item: Mapping[str, object], prefix: str, path: str) -> LensPower:
    cylinder, axis = item.get(f"{prefix}_cylinder"), item.get(f"{prefix}_axis")
    return LensPower(
        sphere=number(item.get(f"{prefix}_sphere"), f"{path}.{prefix}_sphere"),
        cylinder=Decimal(0) if cylinder is None else number(cylinder, f"{path}.{prefix}_cylinder"),
        axis=None if axis is None else number(axis, f"{path}.{prefix}_axis"),
    )


def evaluate_optics(
    answers: Mapping[str, object],
    instruments: Mapping[str, InstrumentFacts],
    pack: RulePack,
    inspected_on: date,
) -> Checks:
    """Judge every instrument and every pair of spectacles answered."""
    checks: list[JSONDict] = []
    findings: list[FindingDraft] = []
    for index, item in enumerate(repeat_items(answers.get("instruments"))):
        facts = instruments.get(f"instruments.{index}.instrument")
        more_checks, more_findings = _instrument_checks(index, item, facts, pack, inspected_on)
        checks.extend(more_checks)
        findings.extend(more_findings)
    for index, item in enumerate(repeat_items(answers.get("spectacles"))):
        if item.get("measured_sphere") is None or item.get("prescribed_sphere") is None:
            continue
        path = f"spectacles.{index}"
        verdict = check_lens(pack, _lens(item, "prescribed", path), _lens(item, "measured", path))
        data = verdict.to_dict()
        checks.append({"path": path, **data})
        if not verdict.passed:
            findings.append(
                FindingDraft("SPECTACLES_OUT_OF_TOLERANCE", path, None, {"check": data})
            )
    return tuple(checks), tuple(findings)
