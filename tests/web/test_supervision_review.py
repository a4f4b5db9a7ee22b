"""Review on the web: the inspection page, approve / return, the queue of received records."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.enforcement import OrderStatus
from inspect_app.models.inspection import ReviewState
from inspect_app.models.user import Role
from tests.conftest import csrf_from
from tests.web.enforcement_helpers import (
    EN,
    Scene,
    add_alert,
    add_inspection,
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


def decide(client: FlaskClient, uuid: str, **fields: str) -> object:
    data = {"csrf_token": csrf_from(client, f"/inspections/{uuid}"), **fields}
    return client.post(f"/inspections/{uuid}/review", data=data, headers=EN)


def test_a_supervisor_approves_once(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    inspection = add_inspection(scene.scale, scene.inspector)
    page = text(client.get(f"/inspections/{inspection.uuid}", headers=EN))
    assert "Awaiting review" in page and "Cheating device" in page
    assert "检查员 李四" in page  # who inspected
    assert f'action="/inspections/{inspection.uuid}/review"' in page

    done = decide(client, inspection.uuid, decision="approve")
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = text(client.get(done.headers["Location"], headers=EN))  # type: ignore[attr-defined]
    assert "Inspection approved: its findings now count." in page
    assert 'data-testid="review-state"><span class="sv-state sv-state-approved">Approved' in page
    assert 'name="decision"' not in page  # decided: no form any more
    assert fresh(inspection).review_state == ReviewState.APPROVED

    again = decide(client, inspection.uuid, decision="return", reason="再看看")
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "already been reviewed" in text(again)  # type: ignore[arg-type]
    assert fresh(inspection).review_state == ReviewState.APPROVED


def test_returning_needs_a_reason_and_withdraws_what_the_finding_caused(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    order = add_order(scene.scale, scene.inspector)
    inspection = order.inspection
    alert = add_alert(scene.scale, scene.inspector, inspection=inspection)

    refused = decide(client, inspection.uuid, decision="return", reason="  ")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    body = text(refused)  # type: ignore[arg-type]
    assert "Say why the inspection is returned" in body
    assert 'value="return" checked' in body  # what was chosen stays chosen
    assert fresh(inspection).review_state == ReviewState.RECEIVED

    done = decide(client, inspection.uuid, decision="return", reason="照片与器具不符")
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = text(client.get(f"/inspections/{inspection.uuid}", headers=EN))
    assert "Returned to the inspector" in page and "照片与器具不符" in page
    assert fresh(inspection).review_state == ReviewState.HAS_ISSUES
    assert fresh(order).status == OrderStatus.WITHDRAWN
    assert fresh(alert).withdrawn_at is not None
    order_page = text(client.get(f"/orders/{order.id}", headers=EN))
    assert "Withdrawn" in order_page


def test_another_districts_inspection_is_not_found(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    far = add_inspection(scene.far_scale, scene.far_inspector)
    assert client.get(f"/inspections/{far.uuid}").status_code == 404
    token = csrf_from(client, "/supervisor/review")
    refused = client.post(
        f"/inspections/{far.uuid}/review", data={"csrf_token": token, "decision": "approve"}
    )
    assert refused.status_code == 404
    assert fresh(far).review_state == ReviewState.RECEIVED


def test_an_inspector_reads_the_page_but_may_not_decide(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.INSPECTOR)
    inspection = add_inspection(scene.scale, scene.inspector)
    page = client.get(f"/inspections/{inspection.uuid}", headers=EN)
    assert page.status_code == 200 and 'name="decision"' not in text(page)
    token = csrf_from(client, f"/inspections/{inspection.uuid}")
    refused = client.post(
        f"/inspections/{inspection.uuid}/review",
        data={"csrf_token": token, "decision": "approve"},
    )
    assert refused.status_code == 403
    assert client.get("/supervisor/review").status_code == 403
    assert fresh(inspection).review_state == ReviewState.RECEIVED


def test_a_merchant_user_may_not_open_the_staff_page(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.MERCHANT, merchant_id=scene.scale.merchant_id)
    inspection = add_inspection(scene.scale, scene.inspector)
    assert client.get(f"/inspections/{inspection.uuid}").status_code == 403


def test_a_superseded_record_cannot_be_decided(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    original = add_inspection(scene.scale, scene.inspector, minutes_ago=10)
    correction = add_inspection(scene.scale, scene.inspector, supersedes=original)
    page = text(client.get(f"/inspections/{original.uuid}", headers=EN))
    assert 'name="decision"' not in page
    assert f'href="/inspections/{correction.uuid}" data-testid="corrected-by"' in page
    refused = decide(client, original.uuid, decision="approve")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "review the correction instead" in text(refused)  # type: ignore[arg-type]


def test_the_queue_lists_the_districts_received_records_newest_first(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    older = add_inspection(scene.scale, scene.inspector, minutes_ago=60)
    newer = add_inspection(scene.scale, scene.inspector, minutes_ago=5, code=None)
    approved = add_inspection(scene.scale, scene.inspector, minutes_ago=30)
    approved.review_state = ReviewState.APPROVED
    far = add_inspection(scene.far_scale, scene.far_inspector)
    body = text(client.get("/supervisor/review", headers=EN))
    assert "Inspections to review (2)" in body
    assert body.index(newer.uuid) < body.index(older.uuid)
    assert approved.uuid not in body and far.uuid not in body


def test_the_queue_pages_by_keyset(
    client: FlaskClient,
    login_as: Callable[..., User],
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from inspect_app.services import supervision

    monkeypatch.setattr(supervision, "REVIEW_PAGE", 2)
    monkeypatch.setattr(supervision.review_queue, "__defaults__", (None, 2))
    login_as(Role.SUPERVISOR)
    rows = [add_inspection(scene.scale, scene.inspector, minutes_ago=m) for m in (5, 10, 15)]
    first = text(client.get("/supervisor/review"))
    assert rows[0].uuid in first and rows[1].uuid in first and rows[2].uuid not in first
    second = text(client.get(f"/supervisor/review?after={rows[1].id}"))
    assert rows[2].uuid in second and rows[0].uuid not in second
    assert 'rel="next"' not in second
