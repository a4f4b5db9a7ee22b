"""With RATELIMIT_STORAGE_URI pointing at Redis, the failed sign-in counters are shared
between workers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from, unavailable

REDIS_URL = os.environ.get("INSPECT_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable("Redis rate-limit test", f"no Redis at {REDIS_URL}: {exc}")
    return app_config | {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # A fresh prefix per test: counts from other runs never leak in.
        "RATELIMIT_KEY_PREFIX": f"inspect-test-{uuid.uuid4().hex}",
    }


def test_two_app_instances_share_one_login_limit(
    client: FlaskClient, app_config: dict[str, Any]
) -> None:
    """Five failures on one worker and six on another: the 11th attempt is refused."""
    other = create_app(app_config)
    other.test_client_class = IsolatedClient
    second = other.test_client()

    def attempt(c: FlaskClient) -> int:
        token = csrf_from(c)
        return c.post(
            "/login", data={"username": "x", "password": "y", "csrf_token": token}
        ).status_code

    try:
        statuses = [attempt(client) for _ in range(5)] + [attempt(second) for _ in range(5)]
        assert statuses == [401] * 10
        assert attempt(second) == 429
    finally:
        with other.app_context():
            db.engine.dispose()  # the second app's pool; the fixture only closes the first


def test_an_account_locked_on_one_worker_is_locked_on_the_other(
    client: FlaskClient, app_config: dict[str, Any], make_user: Callable[..., User]
) -> None:
    """Page failures on one worker and API failures on another, from different addresses,
    add up for the account; successful sign-ins of another user on both never count."""
    # Addresses and account names of its own, whatever another test left under this prefix.
    run = uuid.uuid4().hex[:8]
    victim = make_user(Role.INSPECTOR, username=f"victim-{run}")
    colleague = make_user(Role.SUPERVISOR, username=f"colleague-{run}")
    client.environ_base["REMOTE_ADDR"] = "10.9.0.1"
    other = create_app(app_config)
    other.test_client_class = IsolatedClient
    second = other.test_client()
    second.environ_base["REMOTE_ADDR"] = "10.9.0.2"

    def page(c: FlaskClient, user: User, password: str) -> int:
        data = {"username": user.username, "password": password, "csrf_token": csrf_from(c)}
        return c.post("/login", data=data).status_code

    def token(c: FlaskClient, user: User, password: str) -> int:
        body = {"username": user.username, "password": password, "device_name": "Tab"}
        return c.post("/api/v1/auth/token", json=body).status_code

    good = str(colleague.test_password)  # type: ignore[attr-defined]
    try:
        statuses = []
        for _ in range(5):
            statuses += [page(client, victim, "wrong"), page(client, colleague, good)]
            statuses += [token(second, victim, "wrong"), token(second, colleague, good)]
        assert statuses == [401, 302, 401, 201] * 5
        right = str(victim.test_password)  # type: ignore[attr-defined]
        assert token(second, victim, right) == 429
        assert page(client, victim, right) == 429
        assert page(client, colleague, good) == 302
    finally:
        with other.app_context():
            db.engine.dispose()
