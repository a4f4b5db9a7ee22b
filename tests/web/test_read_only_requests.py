"""Read-only requests (``database.read_only``): no SQLite write lock, never a commit.

Every other request begins ``IMMEDIATE`` on SQLite (docs/decisions.md 4), so a page that only
reads would queue behind one syncing tablet holding the write lock. The public page and the
health checks are declared read-only and must answer while another connection holds it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.database import read_only
from inspect_app.extensions import db
from inspect_app.models import Instrument, Region, User
from inspect_app.models.user import Role
from tests.conftest import BACKEND


@contextmanager
def writer_holding_the_lock(database_uri: str, instrument: Instrument) -> Iterator[None]:
    """Another connection mid-write: SQLite's write lock taken, the instrument row changed."""
    if BACKEND == "sqlite":
        path = database_uri.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE instrument SET status = 'condemned' WHERE id = ?", (instrument.id,))
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        engine = sa.create_engine(database_uri)
        with engine.connect() as conn:
            conn.exec_driver_sql(
                "UPDATE instrument SET status = 'condemned' WHERE id = %s", (instrument.id,)
            )
            try:
                yield
            finally:
                conn.rollback()
        engine.dispose()


def timed_get(client: FlaskClient, path: str, limit: float = 10.0) -> tuple[Any, float]:
    """GET ``path`` in a thread (so a blocked request cannot hang the run)."""
    result: list[Any] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.append(client.get(path)), daemon=True)
    thread.start()
    thread.join(timeout=limit)
    elapsed = time.monotonic() - started
    assert result, f"GET {path} still waiting after {limit:.0f} s"
    return result[0], elapsed


def test_the_public_page_answers_while_a_writer_holds_the_lock(
    client: FlaskClient, database_uri: str, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    db.session.commit()
    with writer_holding_the_lock(database_uri, instrument):
        response, elapsed = timed_get(client, f"/q/{instrument.qr_token}?lang=en")
        health, _ = timed_get(client, "/healthz")
        ready, _ = timed_get(client, "/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert elapsed < 3.0  # the busy timeout is 15 s: a queued request would take that long
    # The committed state, not the writer's uncommitted one.
    assert "Verified: may be used" in response.get_data(as_text=True)
    assert (health.status_code, ready.status_code) == (200, 200)


@pytest.mark.parametrize("endpoint", ["public.instrument_page", "health.healthz", "health.readyz"])
def test_the_views_are_declared_read_only(app: Flask, endpoint: str) -> None:
    assert getattr(app.view_functions[endpoint], "_inspect_read_only", False) is True


@pytest.mark.sqlite_only  # SQLite's BEGIN IMMEDIATE
def test_read_only_begins_deferred_and_the_rest_immediate(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    token = make_instrument().qr_token
    login_as(Role.INSPECTOR)
    begins: list[str] = []

    def record(statement: str) -> None:
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    def trace(dbapi_connection: Any, *_args: Any) -> None:
        # What SQLite itself is asked to run, however the statement was sent.
        dbapi_connection.set_trace_callback(record)

    sa.event.listen(db.engine, "checkout", trace)
    try:
        assert client.get(f"/q/{token}").status_code == 200  # signed in: the session is read
        public_begins = list(begins)
        begins.clear()
        assert client.get("/inspector/").status_code == 200
    finally:
        sa.event.remove(db.engine, "checkout", trace)
    assert public_begins and set(public_begins) == {"BEGIN"}
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}


def test_a_read_only_view_never_commits(app: Flask, client: FlaskClient) -> None:
    """What a read-only view adds is rolled back; the same view undeclared would keep it."""

    def add_region(code: str) -> str:
        db.session.add(Region(code=code, name_zh=code, name_en=code))
        db.session.flush()
        return "ok"

    app.add_url_rule("/_test/ro", "ro", read_only(lambda: add_region("RO")))
    app.add_url_rule("/_test/rw", "rw", lambda: add_region("RW"))
    assert client.get("/_test/ro").status_code == 200
    assert client.get("/_test/rw").status_code == 200
    codes = set(db.session.scalars(select(Region.code).where(Region.code.in_(["RO", "RW"]))))
    assert codes == {"RW"}
    assert db.session.scalar(select(func.count(Region.id)).where(Region.code == "RO")) == 0
