"""A few months of demo inspections, pushed through the real ingest service.

Each inspection is a realistic answer set (mostly clean, some scales out of tolerance, the odd
cheating device, short-filled rice, a focimeter off by a little); the stored verdicts and
findings are whatever the metrology engine and the form definitions make of them.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from inspect_app.config import PROJECT_ROOT
from inspect_app.domain import rulepacks
from inspect_app.domain.prepackages import sampling_plan
from inspect_app.extensions import db
from inspect_app.formdefs import load_registry
from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.instrument import SCALE_KINDS
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.services import sync_push
from inspect_app.services.inspection_record import PushItem

HISTORY_DAYS = 120


def _scale_answers(rng: random.Random, merchant: Merchant, scale: Instrument) -> dict[str, Any]:
    e = scale.e_value or Decimal(5)
    max_g = scale.max_capacity or Decimal(15000)
    roll = rng.random()
    loads = [max(scale.min_capacity or e * 20, e * 20), (max_g / 3).quantize(e), max_g]
    points = []
    for load in loads:
        steps = 0
        if roll < 0.10:  # worn or mis-adjusted: beyond the in-service MPE at the top
            steps = 4 if load == max_g else 1
        elif roll < 0.4:
            steps = rng.choice((0, 0, 1, -1))
        points.append({"load": str(load), "indication": str(load + e * steps)})
    cheating = roll > 0.975
    answers: dict[str, Any] = {
        "merchant": merchant.id,
        "instrument": scale.code,
        "inspection_obstructed": False,
        "nameplate_complete": rng.random() > 0.05,
        "type_approval_mark": True,
        "antifraud_declaration": rng.random() > 0.05,
        "division_matches_nameplate": True,
        "verification_mark_present": rng.random() > 0.04,
        "seal": "intact" if rng.random() > 0.03 else "not_lead",
        "display_unit": "kg" if rng.random() > 0.05 else "shi_jin",
        "price_labels_legal_units": rng.random() > 0.08,
        "banned_instrument_in_use": False,
        "level_ok": rng.random() > 0.1,
        "zero_ok": True,
        "test_points": points,
        "cheating_device_found": cheating,
        "tampering_found": False,
        "tare_manipulation_found": False,
        "price_computing_fraud_found": False,
    }
    if answers["verification_mark_present"] and scale.valid_until:
        answers["verification_valid_until"] = scale.valid_until.isoformat()
    if cheating:
        answers["cheating_methods"] = [rng.choice(["remote_control", "key_sequence"])]
        answers["remarks"] = "1 kg 砝码显示 1.1 kg / 1 kg weight shows 1.1 kg"
    return answers


def _prepack_answers(rng: random.Random, merchant: Merchant) -> dict[str, Any]:
    nominal, lot = rng.choice([(5000, 120), (2500, 60), (500, 200), (1000, 40)])
    size = sampling_plan(rulepacks.load("cn"), lot).sample_size
    short = rng.random() < 0.15
    base = nominal - (nominal // 100 if short else 0)
    sample = [{"net": str(base + rng.randint(-2, 4))} for _ in range(size)]
    return {
        "merchant": merchant.id,
        "product_name": rng.choice(["东北大米", "内蒙古小米", "面粉", "奶茶粉", "牛肉干"]),
        "inspection_obstructed": False,
        "net_quantity_marked": True,
        "legal_unit_used": True,
        "character_height_ok": rng.random() > 0.1,
        "nominal": nominal,
        "unit": "g",
        "lot_size": lot,
        "sample": sample,
    }


def _optics_answers(
    rng: random.Random, merchant: Merchant, tools: list[Instrument]
) -> dict[str, Any]:
    items = []
    for tool in tools:
        entry: dict[str, Any] = {
            "instrument": tool.code,
            "verification_mark_present": True,
            "certificate_authorised": True,
            "expired_marks_mixed": False,
        }
        if tool.valid_until:
            entry["verification_valid_until"] = tool.valid_until.isoformat()
        if tool.kind.value == "focimeter":
            off = "0.04" if rng.random() < 0.1 else "0.01"
            entry["reference_checks"] = [{"reference_power": 0, "indication": off}]
        items.append(entry)
    return {"merchant": merchant.id, "inspection_obstructed": False, "instruments": items}


def _plan(rng: random.Random, today: date) -> list[tuple[date, str, dict[str, Any]]]:
    """(day, form, answers) for the XC and SH regions' merchants, over HISTORY_DAYS."""
    merchants = list(db.session.scalars(select(Merchant).order_by(Merchant.id)))
    by_merchant: dict[int, list[Instrument]] = {}
    for instrument in db.session.scalars(select(Instrument).order_by(Instrument.id)):
        by_merchant.setdefault(instrument.merchant_id, []).append(instrument)
    visits: list[tuple[date, str, dict[str, Any]]] = []
    for merchant in merchants:
        tools = by_merchant.get(merchant.id, [])
        for _visit in range(rng.choice((1, 1, 2))):
            day = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
            if merchant.kind == MerchantKind.OPTICAL_SHOP:
                visits.append((day, "optical_shop", _optics_answers(rng, merchant, tools)))
                continue
            if merchant.kind == MerchantKind.GROCERY:
                visits.append((day, "prepackaged_goods", _prepack_answers(rng, merchant)))
            for scale in (t for t in tools if t.kind in SCALE_KINDS):
                visits.append((day, "bazaar_scale", _scale_answers(rng, merchant, scale)))
    return sorted(visits, key=lambda v: v[0])


def create_history(rng: random.Random, today: date) -> int:
    """Push the demo's past inspections day by day; returns how many were stored."""
    forms = load_registry(PROJECT_ROOT / "field_forms")
    pack = rulepacks.load("cn")
    inspectors = {
        u.region_id: u for u in db.session.scalars(select(User).where(User.role == Role.INSPECTOR))
    }
    region_of: dict[int, int] = dict(
        db.session.execute(select(Merchant.id, Merchant.region_id)).all()
    )
    stored = 0
    by_day: dict[date, list[tuple[str, dict[str, Any]]]] = {}
    for day, form_key, answers in _plan(rng, today):
        by_day.setdefault(day, []).append((form_key, answers))
    for day, visits in sorted(by_day.items()):
        received = datetime.combine(day, time(18, 30), tzinfo=UTC)
        per_inspector: dict[int, list[PushItem]] = {}
        for n, (form_key, answers) in enumerate(visits):
            captured = datetime.combine(day, time(1 + n % 8, rng.randint(0, 59)), tzinfo=UTC)
            item = PushItem.from_wire(
                {
                    "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "form_key": form_key,
                    "form_version": 1,
                    "captured_at": captured,
                    "answers": answers,
                    "geotag": None,
                }
            )
            inspector = inspectors[region_of[int(answers["merchant"])]]
            per_inspector.setdefault(inspector.id, []).append(item)
        for inspector_id, items in per_inspector.items():
            actor = db.session.get(User, inspector_id)
            assert actor is not None
            results = sync_push.push_batch(actor, None, items, forms, pack, received_at=received)
            stored += sum(r.status == "created" for r in results)
    return stored
