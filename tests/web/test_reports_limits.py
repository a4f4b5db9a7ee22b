"""Rate limits of the public report form: per client address (every POST counts) and per
instrument (stored reports count), each answered with a page in the reporter's language; and
both shared between workers through Redis when RATELIMIT_STORAGE_URI points there."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import Instrument
from tests.conftest import IsolatedClient, unavailable
from tests.web.reports_helpers import send, stored_reports, text

REDIS_URL = os.environ.get("INSPECT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
ENGLISH = {"Accept-Language": "en"}


def at(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": ENGLISH}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {
        "RATELIMIT_PUBLIC": "10000 per minute",
        "RATELIMIT_REPORT_ADDRESS": "3 per minute",
        "RATELIMIT_REPORT_INSTRUMENT": "2 per minute",
    }


def test_reports_from_one_address_are_limited(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    """Every POST counts against the address, refused ones included; others are not held up."""
    first, second, third = make_instrument(), make_instrument(), make_instrument()
    statuses = [
        send(client, first.qr_token, **at("10.1.0.1")).status_code,
        send(client, second.qr_token, {"category": "nonsense"}, **at("10.1.0.1")).status_code,
        send(client, third.qr_token, **at("10.1.0.1")).status_code,
    ]
    assert statuses == [303, 422, 303]
    refused = send(client, third.qr_token, **at("10.1.0.1"))
    assert refused.status_code == 429
    assert "Many reports were sent from this network" in text(refused)
    assert "12315" in text(refused)
    assert send(client, second.qr_token, **at("10.1.0.2")).status_code == 303
    assert stored_reports() == 3


def test_reports_about_one_instrument_are_limited_across_addresses(
    app: Flask, client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    """Stored reports count against the instrument, from any address; refused ones do not."""
    app.config["RATELIMIT_REPORT_ADDRESS"] = "100 per minute"
    scale, other = make_instrument(), make_instrument()
    assert send(client, scale.qr_token, {"category": ""}, **at("10.2.0.1")).status_code == 422
    assert send(client, scale.qr_token, **at("10.2.0.1")).status_code == 303
    assert send(client, scale.qr_token, **at("10.2.0.2")).status_code == 303
    refused = send(client, scale.qr_token, **at("10.2.0.3"))
    assert refused.status_code == 429
    assert "This instrument has received many reports" in text(refused)
    chinese = send(client, scale.qr_token, **at("10.2.0.4") | {"headers": {}})
    assert chinese.status_code == 429 and "该器具在短时间内已收到多条举报" in text(chinese)
    assert send(client, other.qr_token, **at("10.2.0.3")).status_code == 303
    assert stored_reports() == 3


@pytest.fixture
def redis_config(app_config: dict[str, Any]) -> dict[str, Any]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable("Redis rate-limit test", f"no Redis at {REDIS_URL}: {exc}")
    return app_config | {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"inspect-test-{uuid.uuid4().hex}",
    }


@pytest.mark.parametrize("limit", ["address", "instrument"])
def test_both_limits_are_shared_through_redis(
    redis_config: dict[str, Any],
    make_instrument: Callable[..., Instrument],
    limit: str,
) -> None:
    """Two app instances (two gunicorn workers) with one Redis count together."""
    scale = make_instrument()
    db.session.commit()
    workers = [create_app(redis_config), create_app(redis_config)]
    clients = []
    for worker in workers:
        worker.test_client_class = IsolatedClient
        clients.append(worker.test_client())
    addresses = ["10.3.0.1", "10.3.0.1"] if limit == "address" else ["10.3.0.1", "10.3.0.2"]
    if limit == "address":
        for worker in workers:
            worker.config["RATELIMIT_REPORT_INSTRUMENT"] = "100 per minute"
    try:
        first = [send(clients[0], scale.qr_token, **at(addresses[0])).status_code]
        second = [send(clients[1], scale.qr_token, **at(addresses[1])).status_code]
        if limit == "address":
            first.append(send(clients[0], scale.qr_token, **at(addresses[0])).status_code)
        last = send(clients[1], scale.qr_token, **at(addresses[1]))
        assert (*first, *second) == (303,) * (len(first) + len(second))
        assert last.status_code == 429, limit
        expected = "from this network" if limit == "address" else "This instrument has"
        assert expected in text(last)
    finally:
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()


def test_pages_opened_too_often_answer_the_public_limit_page(
    app: Flask, client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    app.config["RATELIMIT_PUBLIC"] = "2 per minute"
    scale = make_instrument()
    for _ in range(2):
        assert client.get(f"/q/{scale.qr_token}/report").status_code == 200
    refused = client.get(f"/q/{scale.qr_token}/report", headers=ENGLISH)
    assert refused.status_code == 429
    assert "Too many pages were opened" in text(refused)
