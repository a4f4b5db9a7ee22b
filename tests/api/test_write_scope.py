"""Scope of writes: nobody records, cites or corrects across the line of their scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.user import Role
from tests.api.conftest import Field
from tests.payloads import item, scale_answers


def _push(client: FlaskClient, headers: dict[str, str], *items: dict[str, Any]) -> Any:
    response = client.post("/api/v1/sync/push", json={"inspections": list(items)}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.fixture
def elsewhere(
    make_region: Callable[..., Region],
    make_market: Callable[..., Any],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> dict[str, Any]:
    """Another district with its own stall, scale and inspector."""
    region = make_region()
    market = make_market(region_id=region.id)
    merchant = make_merchant(region_id=region.id, market_id=market.id)
    return {
        "merchant": merchant,
        "scale": make_instrument(merchant),
        "inspector": make_user(Role.INSPECTOR, region_id=region.id),
    }


def test_another_district_cannot_correct_my_record_and_my_correction_still_lands(
    field: Field, elsewhere: dict[str, Any], token_for: Callable[[User], dict[str, str]]
) -> None:
    original = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    assert field.push(original)[0]["status"] == "created"
    theirs = token_for(elsewhere["inspector"])
    hijack = item(
        "bazaar_scale",
        scale_answers(elsewhere["merchant"].id, elsewhere["scale"].code),
        supersedes=original["uuid"],
    )
    [result] = _push(field.client, theirs, hijack)
    assert (result["status"], result["code"]) == ("rejected", "SYNC_SUPERSEDE_UNKNOWN")
    mine = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code, zero_ok=False),
        supersedes=original["uuid"],
    )
    assert field.push(mine)[0]["status"] == "created"


def test_a_colleague_in_the_same_district_cannot_correct_my_record(
    field: Field,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    original = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    field.push(original)
    colleague = token_for(make_user(Role.INSPECTOR))
    correction = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        supersedes=original["uuid"],
    )
    [result] = _push(field.client, colleague, correction)
    assert (result["status"], result["code"]) == ("rejected", "SYNC_SUPERSEDE_UNKNOWN")
    correction["uuid"] = item("bazaar_scale", {})["uuid"]
    assert field.push(correction)[0]["status"] == "created"


def test_an_instrument_of_another_district_is_unknown(
    field: Field, elsewhere: dict[str, Any]
) -> None:
    for ref in (elsewhere["scale"].code, elsewhere["scale"].qr_token):
        [result] = field.push(item("bazaar_scale", scale_answers(field.merchant.id, ref)))
        assert (result["status"], result["code"]) == ("rejected", "INSTRUMENT_UNKNOWN")
        assert "another merchant" not in str(result["errors"])


def test_an_instrument_of_another_merchant_in_the_district_is_refused_by_name(
    field: Field,
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> None:
    neighbour_scale = make_instrument(make_merchant())
    [result] = field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, neighbour_scale.code))
    )
    assert (result["status"], result["code"]) == ("rejected", "INSTRUMENT_OTHER_MERCHANT")
    assert result["errors"] == {"instrument": ["this instrument is registered to another merchant"]}


def test_a_merchant_of_another_district_is_out_of_region(
    field: Field, elsewhere: dict[str, Any]
) -> None:
    answers = scale_answers(elsewhere["merchant"].id, elsewhere["scale"].code)
    [result] = field.push(item("bazaar_scale", answers))
    assert (result["status"], result["code"]) == ("rejected", "OUT_OF_REGION")


def test_one_refused_item_does_not_sink_the_others(field: Field, elsewhere: dict[str, Any]) -> None:
    good = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    bad = item("bazaar_scale", scale_answers(field.merchant.id, elsewhere["scale"].code))
    results = field.push(good, bad)
    assert [r["status"] for r in results] == ["created", "rejected"]
