"""Admin user pages: create (a merchant user tied to its merchant), change role, deactivate,
reactivate, reset a password; each ends what it must at once and is audited."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Device, Merchant, Region, User
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from

TEMPORARY = "Temporary-pass-2025"


def post(client: FlaskClient, path: str, data: dict[str, str], lang: str = "en") -> Any:
    token = csrf_from(client, "/admin/")
    return client.post(path, data={**data, "csrf_token": token}, headers={"Accept-Language": lang})


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def signed_in_client(app: Flask, user: User, password: str | None = None) -> FlaskClient:
    app.test_client_class = IsolatedClient
    other = app.test_client()
    response = other.post(
        "/login",
        data={
            "username": user.username,
            "password": password or user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(other),
        },
    )
    assert response.status_code == 302, page(response)
    return other


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    return not (response.status_code == 302 and response.headers["Location"].startswith("/login"))


def sign_in_status(client: FlaskClient, username: str, password: str) -> int:
    return int(
        client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_from(client)},
        ).status_code
    )


def new_user_form(region: Region, **changes: str) -> dict[str, str]:
    return {
        "username": "li.wei",
        "display_name": "李伟",
        "role": "inspector",
        "region_id": str(region.id),
        "merchant_id": "",
        "password": TEMPORARY,
    } | changes


# ---------------------------------------------------------------- create


def test_an_admin_creates_an_inspector_who_can_sign_in(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], region: Region
) -> None:
    admin = login_as(Role.ADMIN)
    assert client.get("/admin/users/new").status_code == 200
    response = post(client, "/admin/users/new", new_user_form(region))
    assert response.status_code == 302, page(response)
    user = db.session.scalar(select(User).where(User.username == "li.wei"))
    assert user is not None and (user.role, user.region_id) == (Role.INSPECTOR, region.id)
    assert response.headers["Location"] == f"/admin/users/{user.id}?done=created"
    [entry] = actions("user.create")
    assert (entry.actor_id, entry.detail["role"]) == (admin.id, "inspector")
    app.test_client_class = IsolatedClient
    assert sign_in_status(app.test_client(), "li.wei", TEMPORARY) == 302
    listed = page(client.get("/admin/"))
    assert f'href="/admin/users/{user.id}"' in listed


def test_a_merchant_user_is_tied_to_its_merchant(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    region: Region,
) -> None:
    merchant = make_merchant()
    login_as(Role.ADMIN)
    prefilled = page(client.get(f"/admin/users/new?merchant={merchant.id}"))
    assert f'value="{merchant.id}"' in prefilled
    form = new_user_form(region, role="merchant", region_id="", merchant_id=str(merchant.id))
    assert post(client, "/admin/users/new", form).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "li.wei"))
    assert user is not None and (user.merchant_id, user.region_id) == (merchant.id, None)
    app.test_client_class = IsolatedClient
    other = app.test_client()
    assert sign_in_status(other, "li.wei", TEMPORARY) == 302
    assert other.get("/").headers["Location"] == f"/merchants/{merchant.id}"


@pytest.mark.parametrize(
    ("changes", "field", "en", "zh"),
    [
        ({"username": "ADMIN1"}, "username", "This username is taken", "该用户名已被使用"),
        ({"username": "li wei"}, "username", "Use 2 to 64 letters", "用户名为 2 至 64 位"),
        ({"username": ""}, "username", "Required.", "必填。"),
        ({"region_id": ""}, "region_id", "need a known region", "须指定已有的辖区"),
        ({"region_id": "999999"}, "region_id", "need a known region", "须指定已有的辖区"),
        ({"role": "admin"}, "region_id", "Only inspectors and supervisors", "只有检查员和监督员"),
        ({"role": "merchant", "region_id": ""}, "merchant_id", "registered merchant", "已登记"),
        (
            {"role": "merchant", "region_id": "", "merchant_id": "999999"},
            "merchant_id",
            "registered merchant",
            "已登记",
        ),
        ({"merchant_id": "1"}, "merchant_id", "Only merchant users", "只有经营者用户"),
        ({"role": "root"}, "role", "Choose one of the options.", "请从选项中选择。"),
        ({"password": "short-pw1"}, "password", "at least 10 characters", "至少需要 10 个字符"),
        ({"password": "LI.WEI"}, "password", "at least 10 characters", "至少需要 10 个字符"),
        (
            {"password": "Li.Wei.Li.Wei", "username": "li.wei.li.wei"},
            "password",
            "not be the username",
            "不能与用户名相同",
        ),
        ({"password": "Password123"}, "password", "most common", "最常用密码"),
        ({"password": " " + TEMPORARY}, "password", "begin or end with a space", "空格"),
        ({"display_name": ""}, "display_name", "Required.", "必填。"),
    ],
)
def test_bad_user_fields_are_refused_and_nothing_is_written(
    client: FlaskClient,
    login_as: Callable[..., User],
    region: Region,
    changes: dict[str, str],
    field: str,
    en: str,
    zh: str,
) -> None:
    login_as(Role.ADMIN)  # username admin1
    before = db.session.scalar(select(func.count()).select_from(User))
    for lang, message in (("en", en), ("zh-CN", zh)):
        response = post(client, "/admin/users/new", new_user_form(region, **changes), lang)
        assert response.status_code == 422
        text = page(response)
        error = text.split(f'id="err-{field}"', 1)[1].split("</p>", 1)[0]
        assert message in error, error
        assert 'value="李伟"' in text or field == "display_name"  # kept as typed
        assert TEMPORARY not in text  # a password is never sent back
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert actions("user.create") == []


# ---------------------------------------------------------------- deactivate and reactivate


def test_deactivation_ends_sessions_and_device_tokens_at_once(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    inspector = make_user(Role.INSPECTOR)
    headers = token_for(inspector)
    browser = signed_in_client(app, inspector)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    admin = login_as(Role.ADMIN)
    response = post(client, f"/admin/users/{inspector.id}/deactivate", {})
    assert response.status_code == 302
    assert not signed_in(browser)
    refused = client.get("/api/v1/me", headers=headers)
    assert (refused.status_code, refused.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")
    assert sign_in_status(browser, inspector.username, inspector.test_password) == 401  # type: ignore[attr-defined]
    db.session.refresh(inspector)
    assert not inspector.is_active
    assert all(d.revoked_at is not None for d in db.session.scalars(select(Device)))
    [entry] = actions("user.deactivate")
    assert (entry.actor_id, entry.detail["devices_revoked"]) == (admin.id, 1)
    # Reactivated: the password works again; the old session and token stay dead.
    assert post(client, f"/admin/users/{inspector.id}/reactivate", {}).status_code == 302
    assert not signed_in(browser)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert signed_in(signed_in_client(app, inspector))
    assert actions("user.reactivate")


def test_an_inactive_user_is_refused_even_with_a_live_session_and_token(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    """What auth.py and services/accounts.py check on every request, whatever set the flag."""
    inspector = make_user(Role.INSPECTOR)
    headers = token_for(inspector)
    browser = signed_in_client(app, inspector)
    inspector.is_active = False
    db.session.commit()
    assert not signed_in(browser)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert db.session.scalar(select(Device.revoked_at)) is None  # refused, not just revoked


def test_an_admin_cannot_deactivate_or_demote_themselves(
    client: FlaskClient, login_as: Callable[..., User], region: Region
) -> None:
    admin = login_as(Role.ADMIN)
    refused = post(client, f"/admin/users/{admin.id}/deactivate", {})
    assert refused.status_code == 422 and "You cannot deactivate your own account." in page(refused)
    demote = post(
        client,
        f"/admin/users/{admin.id}",
        {"display_name": "x", "role": "inspector", "region_id": str(region.id), "merchant_id": ""},
    )
    assert demote.status_code == 422 and "You cannot change your own role" in page(demote)
    db.session.refresh(admin)
    assert admin.is_active and admin.role == Role.ADMIN
    assert signed_in(client)


# ---------------------------------------------------------------- reset and role change


def test_a_password_reset_ends_sessions_and_tokens(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    headers = token_for(supervisor)
    browser = signed_in_client(app, supervisor)
    generation = supervisor.session_generation
    login_as(Role.ADMIN)
    weak = post(
        client,
        f"/admin/users/{supervisor.id}/password",
        {"password": "1234567890", "password_confirm": "1234567890"},
        "zh-CN",
    )
    assert weak.status_code == 422 and "该密码属于最常用密码" in page(weak)
    differ = post(
        client,
        f"/admin/users/{supervisor.id}/password",
        {"password": TEMPORARY, "password_confirm": TEMPORARY + "x"},
    )
    assert differ.status_code == 422 and "The two passwords differ." in page(differ)
    assert signed_in(browser)  # nothing happened yet
    response = post(
        client,
        f"/admin/users/{supervisor.id}/password",
        {"password": TEMPORARY, "password_confirm": TEMPORARY},
    )
    assert response.status_code == 302
    db.session.refresh(supervisor)
    assert supervisor.session_generation > generation
    assert not signed_in(browser)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert sign_in_status(browser, supervisor.username, supervisor.test_password) == 401  # type: ignore[attr-defined]
    assert sign_in_status(browser, supervisor.username, TEMPORARY) == 302
    [entry] = actions("user.password_reset")
    assert entry.detail == {"devices_revoked": 1}


def test_a_role_change_is_audited_and_ends_the_old_scope(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    make_region: Callable[..., Region],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    inspector = make_user(Role.INSPECTOR)
    headers = token_for(inspector)
    browser = signed_in_client(app, inspector)
    other = make_region()
    login_as(Role.ADMIN)
    form = page(client.get(f"/admin/users/{inspector.id}"))
    assert 'value="inspector" selected' in form
    renamed = post(
        client,
        f"/admin/users/{inspector.id}",
        {"display_name": "新名字", "role": "inspector", "region_id": str(inspector.region_id)},
    )
    assert renamed.status_code == 302 and signed_in(browser)  # a new name ends nothing
    response = post(
        client,
        f"/admin/users/{inspector.id}",
        {"display_name": "新名字", "role": "supervisor", "region_id": str(other.id)},
    )
    assert response.status_code == 302, page(response)
    db.session.refresh(inspector)
    assert (inspector.role, inspector.region_id) == (Role.SUPERVISOR, other.id)
    assert not signed_in(browser)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    [entry] = actions("user.role_change")
    assert (
        entry.detail["from"]["role"] == "inspector" and entry.detail["to"]["role"] == "supervisor"
    )
    assert actions("user.update")[0].detail == {"changed": ["display_name"]}


def test_an_unknown_user_is_404(client: FlaskClient, login_as: Callable[..., User]) -> None:
    login_as(Role.ADMIN)
    assert client.get("/admin/users/999999").status_code == 404
    assert post(client, "/admin/users/999999/deactivate", {}).status_code == 404
