"""With RATELIMIT_STORAGE_URI pointing at Redis, the login limit is shared between workers."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app import create_app
from inspect_app.extensions import db
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
