"""District orders on the web: the list (overdue first), an order's page with its history and
evidence, and a supervisor accepting or rejecting evidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.enforcement import EvidenceDecision, EvidenceKind, OrderKind, OrderStatus
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.user import Role
from tests.conftest import csrf_from
from tests.payloads import item, scale_answers
from tests.web.enforcement_helpers import (
    EN,
    Scene,
    add_evidence,
    add_order,
    build_scene,
    fresh,
    text,
)


@pytest.fixture
def scene(
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Scene:
    return build_scene(make_region, make_market, make_merchant, make_instrument, make_user)


@pytest.fixture
def merchant_user(make_user: Callable[..., User], scene: Scene) -> User:
    return make_user(Role.MERCHANT, merchant_id=scene.scale.merchant_id, display_name="摊主 王五")


def decide(client: FlaskClient, evidence_id: int, order_id: int, **fields: str) -> Any:
    data = {"csrf_token": csrf_from(client, f"/orders/{order_id}"), **fields}
    return client.post(f"/evidence/{evidence_id}/decision", data=data, headers=EN)


def test_a_pushed_cheating_scale_shows_as_a_condemnation_in_the_district(
    client: FlaskClient,
    login_as: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    scene: Scene,
) -> None:
    answers = scale_answers(
        scene.scale.merchant_id,
        scene.scale.code,
        cheating_device_found=True,
        cheating_methods=["remote_control"],
    )
    pushed = client.post(
        "/api/v1/sync/push",
        json={"inspections": [item("bazaar_scale", answers)]},
        headers=token_for(scene.inspector),
    )
    assert pushed.get_json()["results"][0]["status"] == "created", pushed.get_json()
    login_as(Role.SUPERVISOR)
    body = text(client.get("/orders", headers=EN))
    assert "Condemnation (red tag)" in body and scene.scale.code in body
    assert "Cheating device" in body


def test_the_list_puts_overdue_orders_first_and_filters_by_status(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.INSPECTOR)  # staff of the district read the list
    soon = add_order(scene.scale, scene.inspector, kind=OrderKind.REPAIR, due_in_days=2)
    late = add_order(scene.scale, scene.inspector, status=OrderStatus.OVERDUE, due_in_days=-3)
    closed = add_order(scene.scale, scene.inspector, due_in_days=1)
    closed.status, closed.closed_at = OrderStatus.CLOSED, closed.created_at
    far = add_order(scene.far_scale, scene.far_inspector)
    body = text(client.get("/orders", headers=EN))
    links = [f'href="/orders/{o.id}"' for o in (late, soon)]
    assert body.index(links[0]) < body.index(links[1])
    assert f'href="/orders/{closed.id}"' not in body  # closed: not needing action
    assert f'href="/orders/{far.id}"' not in body
    only_closed = text(client.get("/orders?status=closed", headers=EN))
    assert f'href="/orders/{closed.id}"' in only_closed
    assert f'href="/orders/{soon.id}"' not in only_closed
    assert client.get("/orders?status=bogus").status_code == 422
    assert client.get(f"/orders/{far.id}").status_code == 404


def test_accepting_a_certificate_closes_the_order_and_renews_the_instrument(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene, merchant_user: User
) -> None:
    login_as(Role.SUPERVISOR)
    order = add_order(scene.scale, scene.inspector, kind=OrderKind.REVERIFY)
    valid_until = date.today() + timedelta(days=400)
    evidence = add_evidence(order, merchant_user, valid_until=valid_until)
    page = text(client.get(f"/orders/{order.id}", headers=EN))
    assert "Verification certificate" in page and "JD-2026-0001" in page
    assert "摊主 王五" in page  # who uploaded
    assert f'action="/evidence/{evidence.id}/decision"' in page
    assert f'href="/evidence/{evidence.id}/file"' in page  # the merchant's file, to look at

    done = decide(client, evidence.id, order.id, decision="accept")
    assert done.status_code == 303
    page = text(client.get(done.headers["Location"], headers=EN))
    assert "Evidence accepted: the order is closed." in page
    assert 'data-testid="order-status"><span class="sv-status sv-status-closed">Closed' in page
    assert "Evidence accepted" in page and f'action="/evidence/{evidence.id}/decision"' not in page
    assert fresh(order).status == OrderStatus.CLOSED
    assert fresh(evidence).decision == EvidenceDecision.ACCEPTED
    instrument = fresh(scene.scale)
    assert instrument.certificate_no == "JD-2026-0001"
    assert instrument.valid_until == valid_until
    assert instrument.status == InstrumentStatus.IN_SERVICE

    again = decide(client, evidence.id, order.id, decision="reject", reason="重复")
    assert again.status_code == 409
    assert "already been accepted or rejected" in text(again)


def test_rejecting_needs_a_reason_and_sends_the_order_back(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene, merchant_user: User
) -> None:
    login_as(Role.SUPERVISOR)
    order = add_order(scene.scale, scene.inspector, kind=OrderKind.REPAIR)
    evidence = add_evidence(order, merchant_user, kind=EvidenceKind.INVOICE)
    refused = decide(client, evidence.id, order.id, decision="reject")
    assert refused.status_code == 422
    assert "Say why the evidence is rejected" in text(refused)
    assert fresh(evidence).decision == EvidenceDecision.PENDING

    done = decide(client, evidence.id, order.id, decision="reject", reason="发票日期不对")
    assert done.status_code == 303
    page = text(client.get(f"/orders/{order.id}", headers=EN))
    assert "发票日期不对" in page and "Evidence rejected" in page
    assert fresh(order).status == OrderStatus.OPEN
    assert fresh(scene.scale).certificate_no != "JD-2026-0001"


def test_only_the_districts_supervisors_decide_on_evidence(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    scene: Scene,
    merchant_user: User,
) -> None:
    far_order = add_order(scene.far_scale, scene.far_inspector)
    far_evidence = add_evidence(far_order, make_user(Role.MERCHANT))
    order = add_order(scene.scale, scene.inspector)
    evidence = add_evidence(order, merchant_user)
    login_as(Role.SUPERVISOR)
    token = csrf_from(client, "/orders")
    refused = client.post(
        f"/evidence/{far_evidence.id}/decision", data={"csrf_token": token, "decision": "accept"}
    )
    assert refused.status_code == 404
    assert fresh(far_order).status == OrderStatus.EVIDENCE_SUBMITTED
    client.post("/logout", data={"csrf_token": token})

    login_as(Role.INSPECTOR)
    page = text(client.get(f"/orders/{order.id}", headers=EN))
    assert "Verification certificate" in page and 'name="decision"' not in page
    token = csrf_from(client, "/orders")
    refused = client.post(
        f"/evidence/{evidence.id}/decision", data={"csrf_token": token, "decision": "accept"}
    )
    assert refused.status_code == 403
    assert fresh(order).status == OrderStatus.EVIDENCE_SUBMITTED


def test_merchant_users_use_their_own_pages(
    client: FlaskClient, scene: Scene, merchant_user: User
) -> None:
    order = add_order(scene.scale, scene.inspector)
    token = csrf_from(client)
    client.post(
        "/login",
        data={
            "username": merchant_user.username,
            "password": merchant_user.test_password,  # type: ignore[attr-defined]
            "csrf_token": token,
        },
    )
    assert client.get("/orders").status_code == 403
    assert client.get(f"/orders/{order.id}").status_code == 403
