"""Prepackaged goods: one lot judged from its measured sample.

Answer keys (``field_forms/prepackaged_goods``): ``nominal``, ``unit`` (g, mL, m, m2,
count), ``lot_size`` and ``sample`` = [{net}] (actual net quantities, tare already removed).
Findings: ``PREPACK_SHORT_AVERAGE`` when the average requirement fails, ``PREPACK_T1_EXCEEDED``
when more T1 packages than the plan allows, ``PREPACK_T2_FOUND`` when more T2 packages than
allowed (the plans allow none).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from inspect_app.domain.evaluation.model import (
    Checks,
    FindingDraft,
    InstrumentFacts,
    number,
    repeat_items,
)
from inspect_app.domain.prepackages import evaluate_lot
from inspect_app.domain.rulepacks import RulePack
from inspect_app.domain.verdicts import JSON


def evaluate_prepackage(
    answers: Mapping[str, object],
    instruments: Mapping[str, InstrumentFacts],
    pack: RulePack,
    inspected_on: date,
) -> Checks:
    """Judge the lot when its nominal quantity, unit, lot size and sample are answered."""
    sample = repeat_items(answers.get("sample"))
    nominal, unit, lot_size = answers.get("nominal"), answers.get("unit"), answers.get("lot_size")
    if not sample or nominal is None or lot_size is None:
        return (), ()
    quantities = [number(item.get("net"), f"sample.{n}.net") for n, item in enumerate(sample)]
    verdict = evaluate_lot(
        pack, number(nominal, "nominal"), str(unit), int(number(lot_size, "lot_size")), quantities
    )
    data = verdict.to_dict()
    findings = []
    evidence: dict[str, JSON] = {"check": data}
    if verdict.average_ok is False:
        findings.append(FindingDraft("PREPACK_SHORT_AVERAGE", "sample", evidence=evidence))
    if verdict.t1_count > verdict.plan.allowed_t1:
        findings.append(FindingDraft("PREPACK_T1_EXCEEDED", "sample", evidence=evidence))
    if verdict.t2_count > verdict.plan.allowed_t2:
        findings.append(FindingDraft("PREPACK_T2_FOUND", "sample", evidence=evidence))
    return ({"path": "sample", **data},), tuple(findings)
