"""Geotag and clock problems are flagged on the record, never a reason to refuse it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import Field
from tests.payloads import item, scale_answers

MARKET = (40.8560, 111.6840)  # the factory market, geofence 150 m


@pytest.mark.parametrize(
    ("geotag", "flag"),
    [
        ({"lat": 40.8561, "lon": 111.6841, "accuracy": 8}, "ok"),
        ({"lat": 40.8660, "lon": 111.6840, "accuracy": 8}, "far"),  # ~1.1 km north
        ({"lat": 40.8561, "lon": 111.6841, "accuracy": 250}, "imprecise"),
        ({"lat": 40.8561, "lon": 111.6841, "accuracy": 0}, "suspect"),
        (None, "missing"),
    ],
)
def test_geotag_is_flagged_and_the_inspection_kept(
    field: Field, geotag: dict[str, float] | None, flag: str
) -> None:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code), geotag=geotag)
    [result] = field.push(sent)
    assert (result["status"], result["flags"]["geotag"]) == ("created", flag)


def test_a_device_clock_far_ahead_is_flagged(field: Field) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    [result] = field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code), captured_at=ahead)
    )
    assert (result["status"], result["flags"]["clock_skew"]) == ("created", True)


def test_a_time_without_offset_is_rejected(field: Field) -> None:
    sent = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        captured_at="2026-11-26T10:00:00",
    )
    [result] = field.push(sent)
    assert (result["status"], result["code"]) == ("rejected", "VALIDATION_FAILED")
    assert "captured_at" in result["errors"]
