"""Database wiring: extensions, SQLite pragmas, and where the migrations live."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, Response, has_request_context
from sqlalchemy import Engine, event

from inspect_app.config import PROJECT_ROOT
from inspect_app.extensions import csrf, db, limiter, migrate


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below emit BEGIN itself (the pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # Requests BEGIN IMMEDIATE, taking SQLite's single write lock up front. A deferred
    # transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when another
    # connection committed in between; IMMEDIATE makes two tablets syncing at the same moment
    # wait their turn (busy_timeout) instead. In WAL mode readers are never blocked by it.
    # Outside a request (CLI, test set-up) a single process writes, so BEGIN stays deferred.
    # PostgreSQL is the engine for real write concurrency.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if has_request_context() else "BEGIN")


def commit_on_success(response: Response) -> Response:
    """``after_request`` for every request, API and pages alike: the request's one commit.

    Views and services only add and flush; the unit of work is committed here when the
    response is a success (2xx/3xx) and rolled back otherwise, so a refused request leaves
    nothing half-written and a GET that records a device's last-seen time keeps it.
    """
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    """Bind the extensions; attach SQLite behaviour to this app's engine only."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(commit_on_success)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
