"""``GET /api/v1/merchants/<id>/credit``: the pinned shape, the stored snapshot, the scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import CreditSnapshot, Merchant, Region, User
from inspect_app.models.user import Role
from inspect_app.services import credit
from tests.services.credit_factories import add_inspection

KEYS = {"score", "grade", "capped_by", "reasons", "rule_version", "computed_at"}


def test_the_current_snapshot_in_the_pinned_shape(
    client: FlaskClient,
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    merchant = make_merchant()
    inspector = make_user(Role.INSPECTOR)
    today = local_today()
    add_inspection(merchant, inspector, today - timedelta(days=300))
    add_inspection(merchant, inspector, today - timedelta(days=20), "SCALE_CHEATING_DEVICE")
    now = datetime.now(UTC)
    snapshot = credit.recompute(merchant.id, today, "review", now)
    db.session.commit()
    response = client.get(f"/api/v1/merchants/{merchant.id}/credit", headers=token_for(inspector))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == KEYS
    assert body["grade"] == "D" and body["capped_by"] == "SCALE_CHEATING_DEVICE"
    assert isinstance(body["score"], float) and body["score"] == float(snapshot.score or 0)
    assert body["reasons"] == snapshot.reasons and body["reasons"][0].startswith("cap_s4_12m:")
    assert body["rule_version"] == "v1"
    assert datetime.fromisoformat(body["computed_at"]) == now
    assert response.headers["Credit-Snapshot"] == str(snapshot.id)
    assert "no-store" in response.headers["Cache-Control"]


def test_without_a_snapshot_the_grade_is_computed_now_and_not_stored(
    client: FlaskClient,
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    merchant = make_merchant()
    user = make_user(Role.MERCHANT, merchant_id=merchant.id)
    add_inspection(merchant, make_user(Role.INSPECTOR), local_today() - timedelta(days=5))
    response = client.get(f"/api/v1/merchants/{merchant.id}/credit", headers=token_for(user))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["grade"], body["score"], body["capped_by"]) == ("P", 100.0, None)
    assert body["reasons"] == ["provisional"]
    assert response.headers["Credit-Snapshot"] == "none"
    assert db.session.scalar(select(func.count()).select_from(CreditSnapshot)) == 0


def test_outside_the_callers_scope_is_not_found(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    merchant = make_merchant()
    path = f"/api/v1/merchants/{merchant.id}/credit"
    far = make_region()
    answers = {
        "far supervisor": token_for(make_user(Role.SUPERVISOR, region_id=far.id)),
        "other merchant": token_for(make_user(Role.MERCHANT)),
    }
    for who, headers in answers.items():
        response = client.get(path, headers=headers)
        assert (response.status_code, response.get_json()["code"]) == (404, "NOT_FOUND"), who
    for role in (Role.ADMIN, Role.SUPERVISOR):
        assert client.get(path, headers=token_for(make_user(role))).status_code == 200
    assert client.get(path).status_code == 401
    assert (
        client.get("/api/v1/merchants/999999/credit", headers=answers["far supervisor"]).status_code
        == 404
    )
