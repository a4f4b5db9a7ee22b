"""Valid submissions for each form, for the sync tests (change what a test is about)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any


def scale_answers(merchant_id: int, instrument: str, **changes: Any) -> dict[str, Any]:
    """A clean pass at a stall: class III, e = 5 g scale, all checks fine."""
    answers: dict[str, Any] = {
        "merchant": merchant_id,
        "instrument": instrument,
        "inspection_obstructed": False,
        "nameplate_complete": True,
        "type_approval_mark": True,
        "antifraud_declaration": True,
        "division_matches_nameplate": True,
        "verification_mark_present": True,
        "verification_valid_until": (datetime.now(UTC).date() + timedelta(days=200)).isoformat(),
        "seal": "intact",
        "display_unit": "kg",
        "price_labels_legal_units": True,
        "banned_instrument_in_use": False,
        "zero_ok": True,
        "test_points": [
            {"load": 500, "indication": 500},
            {"load": 5000, "indication": 5005},
            {"load": 10000, "indication": 10010},
        ],
        "cheating_device_found": False,
        "tampering_found": False,
        "tare_manipulation_found": False,
        "price_computing_fraud_found": False,
    }
    answers.update(changes)
    return answers


def prepack_answers(merchant_id: int, **changes: Any) -> dict[str, Any]:
    """A lot of 120 bags of 5 kg rice; the cn plan samples 50 of them."""
    answers: dict[str, Any] = {
        "merchant": merchant_id,
        "product_name": "东北大米 Rice",
        "inspection_obstructed": False,
        "net_quantity_marked": True,
        "legal_unit_used": True,
        "character_height_ok": True,
        "nominal": 5000,
        "unit": "g",
        "lot_size": 120,
        "sample": [{"net": 5000 + (i % 5)} for i in range(50)],
    }
    answers.update(changes)
    return answers


def item(form_key: str, answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A push item around ``answers``, captured a minute ago inside the default market."""
    body: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "form_key": form_key,
        "form_version": 1,
        "captured_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "geotag": {"lat": 40.8561, "lon": 111.6841, "accuracy": 8.0},
        "answers": answers,
    }
    body.update(changes)
    return body
