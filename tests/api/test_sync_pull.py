"""sync/pull: a cursor over reference data, scoped to the region, with tombstones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.user import Role
from inspect_app.services import reference


def _pull(client: FlaskClient, headers: dict[str, str], cursor: str = "0", limit: int = 500) -> Any:
    response = client.get(f"/api/v1/sync/pull?cursor={cursor}&limit={limit}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_full_pull_delivers_markets_merchants_and_instruments(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    page = _pull(client, token_for(make_user(Role.INSPECTOR)))
    entities = {(c["entity"], c["op"]) for c in page["changes"]}
    assert entities == {("market", "upsert"), ("merchant", "upsert"), ("instrument", "upsert")}
    data = next(c["data"] for c in page["changes"] if c["entity"] == "instrument")
    assert data["code"] == scale.code and data["qr_token"] == scale.qr_token
    assert (data["kind"], data["accuracy_class"], data["max"], data["e"]) == (
        "price_computing_scale",
        "III",
        "15000",
        "5",
    )
    assert data["merchant"] == scale.merchant_id and data["valid_until"]
    merchant = next(c["data"] for c in page["changes"] if c["entity"] == "merchant")
    assert "contact_phone" not in merchant and "contact_name" not in merchant
    assert page["has_more"] is False


def test_pages_follow_the_cursor_and_never_repeat(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    merchant = make_merchant()
    for _ in range(7):
        make_instrument(merchant)
    headers = token_for(make_user(Role.INSPECTOR))
    seen: list[tuple[str, int]] = []
    cursor, pages = "0", 0
    while True:
        page = _pull(client, headers, cursor, limit=3)
        seen += [(c["entity"], c["id"]) for c in page["changes"]]
        cursor, pages = page["cursor"], pages + 1
        if not page["has_more"]:
            break
    assert pages == 3  # 2 markets/merchants + 7 instruments = 9 rows
    assert len(seen) == len(set(seen)) == 9
    assert _pull(client, headers, cursor)["changes"] == []


def test_a_deleted_row_comes_as_a_tombstone(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    headers = token_for(make_user(Role.INSPECTOR))
    cursor = _pull(client, headers)["cursor"]
    reference.log_change("instrument", scale.id, scale.merchant.region_id, ChangeOp.DELETE)
    db.session.delete(scale)
    db.session.commit()
    page = _pull(client, headers, cursor)
    assert page["changes"] == [
        {"entity": "instrument", "id": scale.id, "op": "delete", "data": None}
    ]


def test_another_regions_data_is_not_sent(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    ours = make_merchant()
    theirs = make_merchant(region_id=make_region().id, market_id=None)
    page = _pull(client, token_for(make_user(Role.INSPECTOR)))
    merchant_ids = {c["id"] for c in page["changes"] if c["entity"] == "merchant"}
    assert ours.id in merchant_ids and theirs.id not in merchant_ids


def test_a_bad_cursor_is_a_422(
    client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> None:
    headers = token_for(make_user(Role.INSPECTOR))
    huge = "1186838777403353634374156288"  # found by schemathesis: once a 500 on SQLite
    for query in (
        "cursor=-1",
        "cursor=abc",
        f"cursor={huge}",
        f"cursor={2**31}",  # found by schemathesis: a 500 on PostgreSQL (seq is int4)
        "limit=0",
        "limit=5000",
        "surprise=1",
    ):
        response = client.get(f"/api/v1/sync/pull?{query}", headers=headers)
        assert (response.status_code, response.get_json()["code"]) == (422, "VALIDATION_FAILED")


def test_merchant_users_cannot_pull(
    client: FlaskClient, make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> None:
    response = client.get("/api/v1/sync/pull", headers=token_for(make_user(Role.MERCHANT)))
    assert (response.status_code, response.get_json()["code"]) == (403, "FORBIDDEN")


def test_names_reach_the_tablet_without_invisible_direction_overrides(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    spoof = make_merchant(name="老王\u202e肉铺\u200b")
    page = _pull(client, token_for(make_user(Role.INSPECTOR)))
    data = next(
        c["data"] for c in page["changes"] if c["entity"] == "merchant" and c["id"] == spoof.id
    )
    assert data["name"] == "老王肉铺"
