"""What the role pages show once inspections have synced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient

from inspect_app import registry
from inspect_app.models import Instrument, User
from inspect_app.models.user import Role
from tests.payloads import item, scale_answers


def _push_failing(client: FlaskClient, headers: dict[str, str], scale: Instrument) -> None:
    answers = scale_answers(
        scale.merchant_id, scale.code, test_points=[{"load": 10000, "indication": 10030}]
    )
    sent = item("bazaar_scale", answers, captured_at="2026-11-20T02:30:00+00:00")
    response = client.post("/api/v1/sync/push", json={"inspections": [sent]}, headers=headers)
    assert response.get_json()["results"][0]["verdict"] == "fail"


def test_merchant_sees_its_failed_inspection_in_its_language_and_local_time(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    _push_failing(client, token_for(make_user(Role.INSPECTOR)), scale)
    login_as(Role.MERCHANT, merchant_id=scale.merchant_id)
    page = client.get(f"/merchants/{scale.merchant_id}").get_data(as_text=True)
    title = registry.forms().violations["SCALE_OUT_OF_TOLERANCE"].title.zh
    assert title in page
    assert "2026-11-20 10:30" in page  # 02:30 UTC is 10:30 in Hohhot
    assert scale.code in page


def test_supervisor_sees_the_severe_finding_with_merchant_name(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    _push_failing(client, token_for(make_user(Role.INSPECTOR)), scale)
    login_as(Role.SUPERVISOR, locale="en")
    page = client.get("/supervisor/").get_data(as_text=True)
    assert registry.forms().violations["SCALE_OUT_OF_TOLERANCE"].title.en in page
    assert scale.merchant.name in page
    assert datetime(2026, 11, 20, tzinfo=UTC).strftime("%Y-%m-%d") in page
