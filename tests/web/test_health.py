"""Liveness (``/healthz``, no database) and readiness (``/readyz``, ``SELECT 1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inspect_app import create_app
from inspect_app.extensions import db
from tests.conftest import base_config


def test_healthz_and_readyz_answer_ok(client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_healthz_does_not_touch_the_database(app: Flask, client: FlaskClient) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/healthz").status_code == 200
        assert statements == []
        assert client.get("/readyz").status_code == 200
        assert any("SELECT 1" in s for s in statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    "uri",
    [
        "sqlite:////nonexistent-directory/inspect.sqlite3",
        # Nothing listens on port 1: the connection is refused at once.
        "postgresql+psycopg://postgres@127.0.0.1:1/inspect?connect_timeout=2",
    ],
)
def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path, uri: str) -> None:
    app = create_app(base_config(tmp_path, uri))
    client = app.test_client()
    live = client.get("/healthz")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    for lang, message in (("en", "database cannot be reached"), ("zh", "无法连接数据库")):
        ready = client.get("/readyz", headers={"Accept-Language": lang})
        assert ready.status_code == 503
        body = ready.get_json()
        assert body["code"] == "SERVICE_UNAVAILABLE"
        assert message in body["message"]
        assert "Set-Cookie" not in ready.headers
    with app.app_context():
        db.engine.dispose()


def test_health_checks_are_not_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["RATELIMIT_PUBLIC"] = "1 per minute"
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
    assert {client.get("/readyz").status_code for _ in range(5)} == {200}
