"""Failed sign-ins: one counter per address and one per account, shared by the login page and
the token endpoint; successful sign-ins never count."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from inspect_app.models import User
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from


def client_at(app: Flask, address: str) -> FlaskClient:
    """A browser or tablet at ``address``."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def web_login(client: FlaskClient, username: str, password: str) -> int:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(client)},
    ).status_code


def api_token(client: FlaskClient, username: str, password: str) -> int:
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password, "device_name": "Tab"},
    ).status_code


def pw(user: User) -> str:
    return str(user.test_password)  # type: ignore[attr-defined]


def test_a_demo_switching_between_users_never_locks_itself_out(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """Twelve successful sign-ins in a row from one address, alternating users, on the page
    and on the token endpoint (each was refused after ten in a minute before)."""
    users = [make_user(Role.INSPECTOR), make_user(Role.SUPERVISOR)]
    demo = client_at(app, "10.0.0.1")
    web = [web_login(demo, users[i % 2].username, pw(users[i % 2])) for i in range(12)]
    api = [api_token(demo, users[i % 2].username, pw(users[i % 2])) for i in range(12)]
    assert web == [302] * 12
    assert api == [201] * 12


def test_successes_do_not_count_between_failures(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    tablet = client_at(app, "10.0.0.1")
    statuses = []
    for _ in range(9):
        statuses.append(api_token(tablet, user.username, "wrong"))
        statuses.append(api_token(tablet, user.username, pw(user)))
    assert statuses == [401, 201] * 9


def test_ten_failures_lock_the_account_on_both_endpoints(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """Failures from several addresses, on the page and the API, add up for the account; once
    locked, even the right password is refused (429) from any address, on either endpoint,
    while another account signs in from elsewhere."""
    victim, other = make_user(Role.INSPECTOR), make_user(Role.INSPECTOR)
    attackers = [client_at(app, f"10.0.1.{n}") for n in range(1, 6)]
    failures = []
    for attacker in attackers:
        failures.append(web_login(attacker, victim.username, "guess-1"))
        failures.append(api_token(attacker, victim.username, "guess-2"))
    assert failures == [401] * 10
    # The account named in any spelling the login accepts (surrounding spaces, capitals).
    fresh = client_at(app, "10.0.2.1")
    assert web_login(fresh, victim.username, pw(victim)) == 429
    assert api_token(fresh, f"  {victim.username.upper()} ", pw(victim)) == 429
    assert api_token(client_at(app, "10.0.2.2"), victim.username, pw(victim)) == 429
    assert web_login(client_at(app, "10.0.3.1"), other.username, pw(other)) == 302
    assert api_token(client_at(app, "10.0.3.2"), other.username, pw(other)) == 201


def test_ten_failures_from_one_address_lock_that_address(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """Guessing across many accounts from one address: the address counter stops it, and the
    accounts themselves stay open to their owners elsewhere."""
    user = make_user(Role.INSPECTOR)
    sprayer = client_at(app, "10.0.4.1")
    failures = [
        (web_login if n % 2 else api_token)(sprayer, f"someone{n}", "password1") for n in range(10)
    ]
    assert failures == [401] * 10
    assert web_login(sprayer, user.username, pw(user)) == 429
    assert api_token(sprayer, user.username, pw(user)) == 429
    assert web_login(client_at(app, "10.0.4.2"), user.username, pw(user)) == 302


def test_the_locked_page_says_so_in_the_users_language(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.INSPECTOR)
    client = client_at(app, "10.0.5.1")
    for _ in range(10):
        api_token(client, user.username, "wrong")
    response = client.post(
        "/login",
        data={"username": user.username, "password": pw(user), "csrf_token": csrf_from(client)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 429
    assert 'data-code="RATE_LIMITED"' in response.get_data(as_text=True)
    body = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": pw(user), "device_name": "Tab"},
    ).get_json()
    assert body["code"] == "RATE_LIMITED"


def test_refused_requests_that_check_no_password_do_not_count(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """A malformed body or a missing CSRF token is refused before any password is checked."""
    user = make_user(Role.INSPECTOR)
    client = client_at(app, "10.0.6.1")
    for _ in range(6):
        assert (
            client.post("/api/v1/auth/token", json={"username": user.username}).status_code == 422
        )
        assert client.post("/login", data={"username": user.username}).status_code == 400
    assert api_token(client, user.username, pw(user)) == 201


def test_wrong_current_passwords_on_the_password_page_count_for_the_account(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.SUPERVISOR)
    holder = client_at(app, "10.0.7.1")  # someone holding the user's session
    assert web_login(holder, user.username, pw(user)) == 302
    statuses = [
        holder.post(
            "/account/password",
            data={
                "current_password": f"guess-{n}",
                "new_password": "a-new-password-1",
                "new_password_confirm": "a-new-password-1",
                "csrf_token": csrf_from(holder, "/account/password"),
            },
        ).status_code
        for n in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    assert api_token(client_at(app, "10.0.7.2"), user.username, pw(user)) == 429
