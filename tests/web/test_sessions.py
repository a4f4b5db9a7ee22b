"""Sessions end everywhere on sign-out and on a password change; the cookie holds no secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Device, User
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from

NEW_PASSWORD = "a-brand-new-password-7"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _client_with_cookie(app: Flask, value: str) -> FlaskClient:
    app.test_client_class = IsolatedClient
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _sign_in(app: Flask, user: User, password: str | None = None) -> FlaskClient:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": password or user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _signed_in(client: FlaskClient, path: str = "/supervisor/") -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def _change_password(client: FlaskClient, **fields: str) -> Any:
    data = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD} | fields
    data["csrf_token"] = csrf_from(client, "/account/password")
    return client.post("/account/password", data=data, headers={"Accept-Language": "en"})


# ---------------------------------------------------------------- the cookie


def test_the_session_cookie_carries_nothing_of_the_password_hash(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    value = _cookie(client)
    data = app.session_interface.get_signing_serializer(app).loads(value)  # type: ignore[attr-defined]
    assert data["uid"] == user.id
    assert data["gen"] == user.session_generation
    assert "pw" not in data
    db.session.refresh(user)
    hash_part = user.password_hash.split("$")[-1]
    for start in range(0, len(hash_part) - 8):
        assert hash_part[start : start + 8] not in value
    assert set(data) <= {"uid", "gen", "locale", "csrf_token"}


def test_a_cookie_from_before_the_generation_design_is_refused(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    """An old cookie (uid + password-hash tail, no generation) no longer signs anyone in."""
    user = make_user(Role.SUPERVISOR)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    forged = serializer.dumps({"uid": user.id, "pw": user.password_hash[-16:]})
    assert not _signed_in(_client_with_cookie(app, forged))


# ---------------------------------------------------------------- signing out


def test_signing_out_ends_every_copy_of_the_cookie(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.SUPERVISOR)
    copy = _client_with_cookie(app, _cookie(client))
    assert _signed_in(copy)
    token = csrf_from(client, "/supervisor/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_signing_in_again_after_signing_out_works_and_old_cookie_stays_dead(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    old = _cookie(client)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/supervisor/")})
    fresh = _sign_in(app, user)
    assert _signed_in(fresh)
    assert not _signed_in(_client_with_cookie(app, old))


def test_signing_in_elsewhere_keeps_the_first_session(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    second = _sign_in(app, user)
    assert _signed_in(client) and _signed_in(second)


def test_a_deactivated_user_is_signed_out(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    user.is_active = False
    db.session.commit()
    assert not _signed_in(client)


# ---------------------------------------------------------------- changing the password


def test_the_password_page_is_linked_from_the_header(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.INSPECTOR)
    page = client.get("/inspector/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/account/password"' in page
    form = client.get("/account/password", headers={"Accept-Language": "zh-CN"})
    assert form.status_code == 200
    assert "修改密码" in form.get_data(as_text=True)


def test_the_password_page_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    elsewhere = _sign_in(app, user)
    copy = _client_with_cookie(app, _cookie(client))
    response = _change_password(client, current_password=user.test_password)  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password?changed=1"
    assert "Your password was changed" in client.get(
        response.headers["Location"], headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert _signed_in(client)
    assert not _signed_in(elsewhere)
    assert not _signed_in(copy)  # a stolen copy of the cookie from before the change
    # The new password works, the old one does not.
    assert _signed_in(_sign_in(app, user, NEW_PASSWORD))
    fresh = app.test_client()
    old = fresh.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "csrf_token": csrf_from(fresh),
        },
    )
    assert old.status_code == 401


def test_changing_the_password_revokes_the_users_device_tokens_only(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    colleague = make_user(Role.INSPECTOR)
    theirs = token_for(colleague)
    user = login_as(Role.INSPECTOR)
    mine = [token_for(user), token_for(user)]
    assert all(client.get("/api/v1/me", headers=h).status_code == 200 for h in mine)
    response = _change_password(client, current_password=user.test_password)  # type: ignore[attr-defined]
    assert response.status_code == 302
    for headers in mine:
        refused = client.get("/api/v1/me", headers=headers)
        assert (refused.status_code, refused.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")
    assert client.get("/api/v1/me", headers=theirs).status_code == 200
    devices = db.session.scalars(select(Device).where(Device.user_id == user.id)).all()
    assert len(devices) == 2 and all(d.revoked_at is not None for d in devices)


def test_a_password_change_is_audited(client: FlaskClient, login_as: Callable[..., User]) -> None:
    user = login_as(Role.MERCHANT)
    assert _change_password(client, current_password=user.test_password).status_code == 302  # type: ignore[attr-defined]
    actions = [
        (e.action, e.actor_id, e.entity, e.entity_id)
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert ("user.password_change", user.id, "user", str(user.id)) in actions


def test_a_wrong_current_password_changes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    elsewhere = _sign_in(app, user)
    before = user.password_hash
    response = _change_password(client, current_password="not-my-password")
    assert response.status_code == 401
    assert "The current password is wrong." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
    assert _signed_in(client) and _signed_in(elsewhere)


def test_new_passwords_must_match_and_be_long_enough(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    current = user.test_password  # type: ignore[attr-defined]
    differ = _change_password(
        client, current_password=current, new_password_confirm=NEW_PASSWORD + "x"
    )
    assert differ.status_code == 422
    assert "The two new passwords differ." in differ.get_data(as_text=True)
    short = _change_password(
        client, current_password=current, new_password="short-pw1", new_password_confirm="short-pw1"
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.get_data(as_text=True)
    before = user.password_hash
    db.session.refresh(user)
    assert user.password_hash == before
    assert _signed_in(client)


def test_changing_the_password_needs_the_csrf_token(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    response = client.post(
        "/account/password",
        data={
            "current_password": user.test_password,  # type: ignore[attr-defined]
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
