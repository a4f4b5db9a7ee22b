"""POST /api/v1/instruments/<id>/rotate-token: a new label token, the old one retired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Instrument, Market, Merchant, Region, User
from inspect_app.models.instrument import RetiredQrToken
from inspect_app.models.user import Role
from tests.pdf_labels import read_sheets

BASE = "https://inspect.example.test"  # PUBLIC_BASE_URL of tests/conftest.py base_config


def _rotate(client: FlaskClient, instrument: Instrument, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/instruments/{instrument.id}/rotate-token", headers=headers)


def _pull_instrument(client: FlaskClient, headers: dict[str, str], cursor: str) -> list[Any]:
    response = client.get(f"/api/v1/sync/pull?cursor={cursor}&limit=500", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["data"] for c in response.get_json()["changes"] if c["entity"] == "instrument"]


def test_a_supervisor_rotates_the_token_and_the_old_one_is_retired(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    old, code = scale.qr_token, scale.code
    supervisor = make_user(Role.SUPERVISOR)
    tablet = token_for(make_user(Role.INSPECTOR))
    first = client.get("/api/v1/sync/pull?cursor=0&limit=500", headers=tablet).get_json()
    assert first["has_more"] is False

    response = _rotate(client, scale, token_for(supervisor))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    db.session.refresh(scale)
    assert body == {
        "instrument_id": scale.id,
        "code": code,
        "qr_token": scale.qr_token,
        "label_url": f"{BASE}/q/{scale.qr_token}",
    }
    assert scale.qr_token != old and len(scale.qr_token) >= 22
    retired = db.session.scalars(select(RetiredQrToken)).all()
    assert [(r.qr_token, r.instrument_id, r.retired_by_id) for r in retired] == [
        (old, scale.id, supervisor.id)
    ]
    # Tablets learn the new token by pull, from where they stopped.
    [pulled] = _pull_instrument(client, tablet, first["cursor"])
    assert (pulled["code"], pulled["qr_token"]) == (code, scale.qr_token)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "instrument.rotate_qr",
        "instrument",
        str(scale.id),
        supervisor.id,
    )
    assert old not in str(entry.detail) and scale.qr_token not in str(entry.detail)


def test_the_old_label_answers_410_and_the_new_one_200(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    """The public page (/q/) reads retired_qr_token: a replaced label says so."""
    scale = make_instrument()
    old = scale.qr_token
    assert _rotate(client, scale, token_for(make_user(Role.ADMIN))).status_code == 200
    db.session.refresh(scale)
    assert client.get(f"/q/{old}").status_code == 410
    page = client.get(f"/q/{scale.qr_token}")
    assert page.status_code == 200
    assert scale.code in page.get_data(as_text=True)


def test_rotating_twice_retires_both_tokens(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    tokens = [scale.qr_token]
    headers = token_for(make_user(Role.SUPERVISOR))
    for _ in range(2):
        response = _rotate(client, scale, headers)
        assert response.status_code == 200
        tokens.append(response.get_json()["qr_token"])
    retired = {r.qr_token for r in db.session.scalars(select(RetiredQrToken))}
    assert retired == set(tokens[:2])
    db.session.refresh(scale)
    assert scale.qr_token == tokens[2] and len(set(tokens)) == 3


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [(Role.INSPECTOR, 403, "FORBIDDEN"), (Role.MERCHANT, 403, "FORBIDDEN")],
)
def test_inspectors_and_merchants_may_not_rotate(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    role: Role,
    status: int,
    code: str,
) -> None:
    scale = make_instrument()
    old = scale.qr_token
    # The merchant user is the instrument's own merchant: still not theirs to invalidate.
    extra = {"merchant_id": scale.merchant_id} if role == Role.MERCHANT else {}
    response = _rotate(client, scale, token_for(make_user(role, **extra)))
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    db.session.refresh(scale)
    assert scale.qr_token == old
    assert db.session.scalars(select(RetiredQrToken)).all() == []


def test_another_districts_supervisor_gets_404_and_nothing_changes(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    old = scale.qr_token
    far = make_user(Role.SUPERVISOR, region_id=make_region().id)
    response = _rotate(client, scale, token_for(far))
    assert (response.status_code, response.get_json()["code"]) == (404, "NOT_FOUND")
    db.session.refresh(scale)
    assert scale.qr_token == old


def test_an_unknown_instrument_is_404_and_no_token_is_401(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    scale = make_instrument()
    headers = token_for(make_user(Role.ADMIN))
    missing = client.post("/api/v1/instruments/999999/rotate-token", headers=headers)
    assert (missing.status_code, missing.get_json()["code"]) == (404, "NOT_FOUND")
    anonymous = client.post(f"/api/v1/instruments/{scale.id}/rotate-token")
    assert (anonymous.status_code, anonymous.get_json()["code"]) == (401, "AUTH_REQUIRED")


def test_a_rotated_token_leaves_the_market_sheet_with_the_new_url(
    client: FlaskClient,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    market = make_market()
    scale = make_instrument(make_merchant(market_id=market.id))
    response = _rotate(client, scale, token_for(make_user(Role.SUPERVISOR)))
    new_url = response.get_json()["label_url"]
    login_as(Role.INSPECTOR)
    [page] = read_sheets(client.get(f"/markets/{market.id}/labels.pdf").data)
    assert [c.text for c in page.codes] == [new_url]
