"""Signing in and out on the HTML side, and where each role lands."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, User
from inspect_app.models.user import Role
from tests.conftest import csrf_from


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.ADMIN, "/admin/"),
        (Role.SUPERVISOR, "/supervisor/"),
        (Role.INSPECTOR, "/inspector/"),
        (Role.MERCHANT, "/merchants/"),
    ],
)
def test_each_role_lands_on_its_own_page(
    client: FlaskClient, login_as: Callable[..., User], role: Role, landing: str
) -> None:
    """After signing in, / sends each role to a page meant for it, which renders."""
    login_as(role)
    response = client.get("/")
    assert response.status_code == 302
    assert landing in response.headers["Location"]
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200


def test_wrong_password_is_refused_with_a_message(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    db.session.commit()
    response = client.post(
        "/login",
        data={"username": user.username, "password": "nope", "csrf_token": csrf_from(client)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous: sent to /login


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client: FlaskClient) -> None:
    response = client.post(
        "/login",
        data={"username": "ghost", "password": "x", "csrf_token": csrf_from(client)},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    db.session.commit()
    response = client.post(
        "/login",
        data={"username": user.username, "password": user.test_password},  # type: ignore[attr-defined]
    )
    assert response.status_code == 400
    assert 'data-code="CSRF_FAILED"' in response.get_data(as_text=True)


def test_login_is_rate_limited(client: FlaskClient) -> None:
    """The 11th attempt in a minute from one address is refused with 429."""
    token = csrf_from(client)
    statuses = [
        client.post(
            "/login", data={"username": "x", "password": "y", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_logout_ends_the_session(client: FlaskClient, login_as: Callable[..., User]) -> None:
    login_as(Role.SUPERVISOR)
    assert client.get("/supervisor/").status_code == 200
    token = csrf_from(client, "/supervisor/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    response = client.get("/supervisor/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_is_audited(client: FlaskClient, login_as: Callable[..., User]) -> None:
    user = login_as(Role.INSPECTOR)
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.actor_id) == ("login", user.id)


def test_open_redirect_after_login_is_refused(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    db.session.commit()
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "next": "//evil.example/",
            "csrf_token": csrf_from(client),
        },
    )
    assert response.headers["Location"] == "/"


def test_language_switch_sticks_to_the_user(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    assert "监督概览" in client.get("/supervisor/").get_data(as_text=True)
    token = csrf_from(client, "/supervisor/")
    client.post("/lang/en", data={"csrf_token": token, "next": "/supervisor/"})
    assert "Supervision overview" in client.get("/supervisor/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.locale == "en"


UNSAFE_NEXT = [
    "/supervisor/\r\nSet-Cookie: planted=1",
    "/supervisor/\nX-Injected: 1",
    "/\t/evil.example/",  # browsers drop the tab: //evil.example/
    "/\\evil.example/",  # browsers read the backslash as a slash
    "/\u202e/evil",
    "https://evil.example/",
    "//evil.example/",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_an_unsafe_next_after_login_goes_home(
    client: FlaskClient, make_user: Callable[..., User], target: str
) -> None:
    """A line break used to raise in redirect() (a 500); every unsafe target now goes home."""
    user = make_user(Role.INSPECTOR)
    db.session.commit()
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "next": target,
            "csrf_token": csrf_from(client),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "planted" not in response.headers.get("Set-Cookie", "")
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_an_unsafe_next_on_the_login_page_is_dropped(client: FlaskClient, target: str) -> None:
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 200
    assert 'name="next" value=""' in response.get_data(as_text=True)


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_an_unsafe_next_after_the_language_switch_goes_home(
    client: FlaskClient, target: str
) -> None:
    token = csrf_from(client)
    response = client.post("/lang/en", data={"csrf_token": token, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_same_site_next_with_a_query_is_kept(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.SUPERVISOR)
    db.session.commit()
    page = client.get("/login", query_string={"next": "/supervisor/?tab=2"})
    assert 'name="next" value="/supervisor/?tab=2"' in page.get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "next": "/supervisor/?tab=2",
            "csrf_token": csrf_from(client),
        },
    )
    assert response.headers["Location"] == "/supervisor/?tab=2"
