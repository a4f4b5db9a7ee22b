"""The alert inbox: the district's alerts only, acknowledge (one wins), assign within the
district, the feed the page polls, and the open-alert count in the header."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import AlertEvent, Instrument, Market, Merchant, Region, User
from inspect_app.models.alert import AlertKind
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from
from tests.web.enforcement_helpers import EN, Scene, add_alert, build_scene, fresh, text


@pytest.fixture
def scene(
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Scene:
    return build_scene(make_region, make_market, make_merchant, make_instrument, make_user)


def signed_in(app: Flask, user: User) -> FlaskClient:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 302
    return client


def post(client: FlaskClient, path: str, **fields: Any) -> Any:
    data = {"csrf_token": csrf_from(client, "/alerts"), **fields}
    return client.post(path, data=data, headers=EN)


def test_the_inbox_lists_the_districts_alerts_newest_first(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    older = add_alert(scene.scale, scene.inspector, minutes_ago=30)
    newer = add_alert(scene.scale, scene.inspector, kind=AlertKind.OBSTRUCTION, minutes_ago=2)
    far = add_alert(scene.far_scale, scene.far_inspector)
    body = text(client.get("/alerts", headers=EN))
    assert f'id="alert-{newer.id}"' in body and f'id="alert-{older.id}"' in body
    assert body.index(f'id="alert-{newer.id}"') < body.index(f'id="alert-{older.id}"')
    assert f'id="alert-{far.id}"' not in body and scene.far_scale.code not in body
    assert "Inspection obstructed" in body and scene.scale.code in body


def test_other_roles_have_no_inbox(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.INSPECTOR)
    assert client.get("/alerts").status_code == 403
    assert client.get("/alerts/feed?since=0").status_code == 403


def test_the_second_of_two_supervisors_is_told_who_acknowledged(
    app: Flask, make_user: Callable[..., User], scene: Scene
) -> None:
    alert = add_alert(scene.scale, scene.inspector)
    first = signed_in(app, make_user(Role.SUPERVISOR, display_name="王主任"))
    second = signed_in(app, make_user(Role.SUPERVISOR, display_name="赵科长"))
    # Both opened the inbox while the alert was open, then both press Acknowledge.
    first_token, second_token = csrf_from(first, "/alerts"), csrf_from(second, "/alerts")
    path = f"/alerts/{alert.id}/acknowledge"
    won = first.post(path, data={"csrf_token": first_token}, headers=EN)
    lost = second.post(path, data={"csrf_token": second_token}, headers=EN)
    assert won.status_code == lost.status_code == 303
    page = text(second.get(lost.headers["Location"], headers=EN))
    notice = re.search(r'<p class="sv-refused" role="alert"[^>]*>([^<]*)</p>', page)
    assert notice is not None, page
    assert f"Alert {alert.id} was already acknowledged by 王主任 at " in notice.group(1)
    stored = fresh(alert)
    assert stored.acknowledged_by_id is not None
    assert db.session.get(User, stored.acknowledged_by_id).display_name == "王主任"  # type: ignore[union-attr]
    acks = [e for e in stored.events if e.action == "acknowledged"]
    assert len(acks) == 1
    shown = text(first.get("/alerts?show=all", headers=EN))
    assert "Acknowledged by 王主任 at" in shown
    # An acknowledged alert leaves the open list.
    assert f'id="alert-{alert.id}"' not in text(first.get("/alerts", headers=EN))


def test_another_districts_alert_cannot_be_acknowledged(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    far = add_alert(scene.far_scale, scene.far_inspector)
    assert post(client, f"/alerts/{far.id}/acknowledge").status_code == 404
    assert fresh(far).acknowledged_at is None


def test_assigning_stays_within_the_district(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    supervisor = login_as(Role.SUPERVISOR)
    alert = add_alert(scene.scale, scene.inspector)
    page = text(client.get("/alerts", headers=EN))
    assert f'<option value="{scene.inspector.id}"' in page
    assert f'<option value="{scene.far_inspector.id}"' not in page

    refused = post(client, f"/alerts/{alert.id}/assign", assignee=str(scene.far_inspector.id))
    assert refused.status_code == 303
    assert "was not assigned" in text(client.get("/alerts", headers=EN))
    assert fresh(alert).assigned_to_id is None

    done = post(client, f"/alerts/{alert.id}/assign", assignee=str(scene.inspector.id))
    assert done.status_code == 303
    body = text(client.get("/alerts", headers=EN))
    assert f"Alert {alert.id} assigned to 检查员 李四." in body
    stored = fresh(alert)
    assert stored.assigned_to_id == scene.inspector.id
    event = db.session.query(AlertEvent).filter_by(alert_id=alert.id, action="assigned").one()
    assert event.actor_id == supervisor.id


def test_the_feed_returns_alerts_newer_than_the_page(
    client: FlaskClient, login_as: Callable[..., User], scene: Scene
) -> None:
    login_as(Role.SUPERVISOR)
    shown = add_alert(scene.scale, scene.inspector)
    page = text(client.get("/alerts", headers=EN))
    since = re.search(r'data-since="(\d+)"', page)
    assert since is not None and int(since.group(1)) == shown.id

    quiet = client.get(f"/alerts/feed?since={shown.id}", headers=EN).get_json()
    assert quiet["alerts"] == [] and quiet["open_count"] == 1 and quiet["announcement"] == ""

    new = add_alert(scene.scale, scene.inspector)
    far = add_alert(scene.far_scale, scene.far_inspector)
    response = client.get(f"/alerts/feed?since={shown.id}", headers=EN)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert [a["id"] for a in body["alerts"]] == [new.id]  # not the other district's
    assert body["latest_id"] == new.id and body["open_count"] == 2
    assert body["announcement"] == "New alerts: 1"
    item = body["alerts"][0]["html"]
    assert item.startswith(f'<li class="sv-alert" id="alert-{new.id}"')
    assert f'action="/alerts/{new.id}/acknowledge"' in item and 'name="csrf_token"' in item
    assert far.id not in [a["id"] for a in body["alerts"]]
    zh = client.get(f"/alerts/feed?since={shown.id}", headers={"Accept-Language": "zh-CN"})
    assert zh.get_json()["announcement"] == "新警报：1 条"


def test_the_feed_refuses_a_malformed_cursor(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.SUPERVISOR)
    assert client.get("/alerts/feed?since=abc").status_code == 422
    assert client.get("/alerts/feed?since=1&extra=1").status_code == 422


def test_the_header_counts_open_alerts_for_supervisors_only(
    app: Flask, make_user: Callable[..., User], scene: Scene
) -> None:
    add_alert(scene.scale, scene.inspector)
    acknowledged = add_alert(scene.scale, scene.inspector)
    at, by = acknowledged.created_at, scene.inspector.id
    acknowledged.acknowledged_at, acknowledged.acknowledged_by_id = at, by
    add_alert(scene.far_scale, scene.far_inspector)
    db.session.commit()
    supervisor = signed_in(app, make_user(Role.SUPERVISOR))
    page = text(supervisor.get("/merchants/" + str(scene.scale.merchant_id), headers=EN))
    badge = re.search(r'data-testid="alert-badge">Open alerts <span[^>]*>(\d+)</span>', page)
    assert badge is not None and badge.group(1) == "1"
    assert 'src="/static/web/alerts.js"' in page
    admin = signed_in(app, make_user(Role.ADMIN))
    admin_page = text(admin.get("/admin/", headers=EN))
    badge = re.search(r'data-testid="alert-badge">Open alerts <span[^>]*>(\d+)</span>', admin_page)
    assert badge is not None and badge.group(1) == "2"  # every district
    for role in (Role.INSPECTOR, Role.MERCHANT):
        other = signed_in(
            app,
            make_user(role, merchant_id=scene.scale.merchant_id)
            if role == Role.MERCHANT
            else make_user(role),
        )
        body = text(other.get("/", follow_redirects=True, headers=EN))
        assert "alert-badge" not in body and "alerts.js" not in body


def test_two_supervisors_pressing_at_the_same_moment(
    app: Flask, make_user: Callable[..., User], scene: Scene
) -> None:
    """Truly concurrent: both requests are in flight together; exactly one wins."""
    alert = add_alert(scene.scale, scene.inspector)
    names = ("王主任", "赵科长")
    clients = [signed_in(app, make_user(Role.SUPERVISOR, display_name=n)) for n in names]
    tokens = [csrf_from(c, "/alerts") for c in clients]
    barrier = threading.Barrier(2)
    pages: list[str] = ["", ""]
    path = f"/alerts/{alert.id}/acknowledge"
    db.session.commit()  # the threads have no app context: nothing of the test's may load

    def press(i: int) -> None:
        barrier.wait()
        answer = clients[i].post(path, data={"csrf_token": tokens[i]}, headers=EN)
        assert answer.status_code == 303
        pages[i] = text(clients[i].get(answer.headers["Location"], headers=EN))

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winner = db.session.get(User, fresh(alert).acknowledged_by_id)
    assert winner is not None and winner.display_name in names
    won = [p for p in pages if f"Alert {alert.id} acknowledged." in p]
    lost = [p for p in pages if f"already acknowledged by {winner.display_name} at" in p]
    assert len(won) == 1 and len(lost) == 1
