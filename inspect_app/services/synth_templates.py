"""Answer sets for the synthetic history, judged once each by the real metrology engine.

A synthetic inspection is one of a few hundred *templates*: realistic answers for a form
(mostly clean; scales a division or four out, a missing mark, a lapsed verification, short
filled rice, the odd cheating device), validated against the published form definition and
evaluated by :func:`inspect_app.domain.evaluation.evaluate` with the instrument facts of one
of the common instrument models. The stored verdict, findings and evaluation are therefore
the engine's, never invented. What differs between the inspections drawn from one template
(merchant, instrument codes, the inspection day and the verification dates relative to it)
is written into the serialised JSON through placeholders, so a million rows cost string
replacements instead of a million evaluations.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from inspect_app.domain import rulepacks
from inspect_app.domain.evaluation import InstrumentFacts, evaluate, verdict_of
from inspect_app.domain.forms import validate_answers
from inspect_app.domain.prepackages import sampling_plan
from inspect_app.formdefs import FormRegistry
from inspect_app.services import demo_data

#: Placeholders: the merchant id, instrument codes by slot, the inspection day, a marked
#: valid-until date before it (lapsed) and one after it.
MERCHANT = 987654321
INSTRUMENT = "SYNTHSLOT{}"
DAY, LAPSED, VALID = date(2000, 1, 10), date(1999, 12, 4), date(2000, 7, 1)
LAPSED_DAYS, VALID_DAYS = (DAY - LAPSED).days, (VALID - DAY).days
#: Variants judged per instrument model or form.
VARIANTS = 80
OPTICAL_KINDS = ("focimeter", "refractometer", "trial_lens_set")


def canonical(value: Any) -> str:
    """The JSON text ``PushItem.from_wire`` hashes: sorted keys, default separators."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class TemplateFinding:
    code: str
    domain: str
    severity: int
    needs_alert: bool
    #: Evidence JSON with placeholders.
    evidence: str
    #: The instrument slot it concerns, or None.
    slot: int | None


@dataclass(frozen=True)
class Template:
    form_key: str
    answers: str
    evaluation: str
    verdict: str
    findings: tuple[TemplateFinding, ...]


def _mark(rng: random.Random, present: float = 0.96) -> dict[str, Any]:
    if rng.random() > present:
        return {"verification_mark_present": False}
    lapsed = rng.random() < 0.06
    return {
        "verification_mark_present": True,
        "verification_valid_until": (LAPSED if lapsed else VALID).isoformat(),
    }


def _scale(rng: random.Random, model: tuple[Any, ...]) -> dict[str, Any]:
    _kind, _make, _model, _cls, max_g, min_g, e, _d = model
    roll = rng.random()
    if roll < 0.004:
        return {
            "merchant": MERCHANT,
            "instrument": INSTRUMENT.format(0),
            "inspection_obstructed": True,
        }
    loads = [max(min_g, e * 20), round(max_g / 3 / e) * e, max_g]
    points = []
    for load in loads:
        steps = (4 if load == max_g else 1) if roll < 0.08 else rng.choice((0, 0, 0, 1, -1))
        points.append({"load": str(load), "indication": str(load + e * steps)})
    cheating = roll > 0.985
    answers: dict[str, Any] = {
        "merchant": MERCHANT,
        "instrument": INSTRUMENT.format(0),
        "inspection_obstructed": False,
        "nameplate_complete": rng.random() > 0.04,
        "type_approval_mark": True,
        "antifraud_declaration": rng.random() > 0.04,
        "division_matches_nameplate": True,
        **_mark(rng),
        "seal": "intact" if rng.random() > 0.03 else "not_lead",
        "display_unit": "kg" if rng.random() > 0.04 else "shi_jin",
        "price_labels_legal_units": rng.random() > 0.06,
        "banned_instrument_in_use": False,
        "level_ok": rng.random() > 0.08,
        "zero_ok": True,
        "test_points": points,
        "cheating_device_found": cheating,
        "tampering_found": False,
        "tare_manipulation_found": 0.975 < roll <= 0.985,
        "price_computing_fraud_found": False,
    }
    if cheating:
        answers["cheating_methods"] = [rng.choice(["remote_control", "key_sequence"])]
    return answers


def _prepack(rng: random.Random) -> dict[str, Any]:
    nominal, lot = rng.choice([(5000, 120), (2500, 60), (500, 200), (1000, 40), (250, 300)])
    size = sampling_plan(rulepacks.load("cn"), lot).sample_size
    short = rng.random() < 0.12
    base = nominal - (nominal // 100 if short else 0)
    return {
        "merchant": MERCHANT,
        "product_name": rng.choice(["东北大米", "内蒙古小米", "面粉", "奶茶粉", "牛肉干", "莜面"]),
        "inspection_obstructed": False,
        "net_quantity_marked": True,
        "legal_unit_used": rng.random() > 0.03,
        "character_height_ok": rng.random() > 0.08,
        "nominal": nominal,
        "unit": "g",
        "lot_size": lot,
        "sample": [{"net": str(base + rng.randint(-2, 4))} for _ in range(size)],
    }


def _optics(rng: random.Random) -> dict[str, Any]:
    items = []
    for slot, kind in enumerate(OPTICAL_KINDS):
        item: dict[str, Any] = {"instrument": INSTRUMENT.format(slot), **_mark(rng, 0.97)}
        if item["verification_mark_present"]:
            item["certificate_authorised"] = rng.random() > 0.02
        item["expired_marks_mixed"] = rng.random() < 0.02
        if kind == "focimeter":
            off = "0.04" if rng.random() < 0.08 else "0.01"
            item["reference_checks"] = [{"reference_power": 0, "indication": off}]
        items.append(item)
    return {"merchant": MERCHANT, "inspection_obstructed": False, "instruments": items}


def _judge(
    forms: FormRegistry, form_key: str, answers: dict[str, Any], facts: dict[str, InstrumentFacts]
) -> Template:
    definition = forms.get(form_key, 1)
    assert definition is not None
    issues = validate_answers(definition, answers)
    if issues:
        raise ValueError(f"synthetic {form_key} answers are invalid: {issues}")
    evaluation = evaluate(definition, answers, facts, rulepacks.load("cn"), DAY)
    slots = {f.code: n for n, f in enumerate(facts.values())}
    findings = []
    for draft in evaluation.findings:
        violation = forms.violations[draft.code]
        findings.append(
            TemplateFinding(
                code=draft.code,
                domain=violation.domain,
                severity=violation.severity_rank,
                needs_alert="alert" in violation.triggers,
                evidence=canonical({"path": draft.path, **draft.evidence}),
                slot=slots.get(draft.instrument_code or ""),
            )
        )
    return Template(
        form_key,
        canonical(answers),
        canonical(evaluation.to_dict()),
        verdict_of(evaluation, forms.violations),
        tuple(findings),
    )


def _scale_facts(model: tuple[Any, ...]) -> dict[str, InstrumentFacts]:
    kind, _make, _model, cls, max_g, min_g, e, d = model
    return {
        "instrument": InstrumentFacts(
            INSTRUMENT.format(0),
            str(kind),
            str(cls),
            Decimal(max_g),
            Decimal(min_g),
            Decimal(e),
            Decimal(d),
        )
    }


def build(forms: FormRegistry, seed: int) -> dict[str, list[Template]]:
    """Template pools keyed ``scale:<model index>``, ``prepackaged_goods``, ``optical_shop``."""
    rng = random.Random(seed)
    pools: dict[str, list[Template]] = {}
    for index, model in enumerate(demo_data.SCALE_TEMPLATES):
        facts = _scale_facts(model)
        pools[f"scale:{index}"] = [
            _judge(forms, "bazaar_scale", _scale(rng, model), facts) for _ in range(VARIANTS)
        ]
    pools["prepackaged_goods"] = [
        _judge(forms, "prepackaged_goods", _prepack(rng), {}) for _ in range(VARIANTS)
    ]
    optical = {
        f"instruments.{slot}.instrument": InstrumentFacts(INSTRUMENT.format(slot), kind)
        for slot, kind in enumerate(OPTICAL_KINDS)
    }
    pools["optical_shop"] = [
        _judge(forms, "optical_shop", _optics(rng), optical) for _ in range(VARIANTS)
    ]
    return pools


def split(pool: list[Template]) -> tuple[list[Template], list[Template]]:
    """(passing, failing) templates of a pool; each list is non-empty."""
    passing = [t for t in pool if t.verdict == "pass"]
    failing = [t for t in pool if t.verdict == "fail"]
    if not passing or not failing:
        raise ValueError("a template pool needs passing and failing answer sets")
    return passing, failing
