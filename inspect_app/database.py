"""Database wiring: extensions, SQLite pragmas, and where the migrations live."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, has_request_context, request
from sqlalchemy import Engine, event

from inspect_app.config import PROJECT_ROOT
from inspect_app.extensions import csrf, db, limiter, migrate

F = TypeVar("F", bound=Callable[..., Any])

#: Attribute a :func:`read_only` view function carries.
_READ_ONLY = "_inspect_read_only"


def read_only(view: F) -> F:
    """Declare a view read-only: its request never takes SQLite's write lock, never commits.

    Put it directly under the route decorator. On SQLite the request's transaction begins with
    a plain (deferred) ``BEGIN`` instead of ``BEGIN IMMEDIATE``, so in WAL mode it reads its
    snapshot while a tablet's sync holds the write lock, instead of queueing behind it;
    :func:`commit_on_success` rolls it back instead of committing, so nothing it might have
    added is ever stored. For pages every shopper opens (``/q/<token>``) and the health checks.
    A view that records anything (a device's last-seen time) must not carry it.
    """
    setattr(view, _READ_ONLY, True)
    return view


def request_is_read_only() -> bool:
    """Whether the current request's endpoint was declared :func:`read_only`."""
    if not has_request_context() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, _READ_ONLY, False))


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
    # PostgreSQL is the engine for real write concurrency. Views declared ``read_only`` begin
    # deferred: they never write, so they never need the lock (see read_only).
    if has_request_context() and request_is_read_only():
        # Straight to the driver: the page every shopper opens pays for SQLAlchemy's statement
        # machinery once (its query), not twice. A deferred BEGIN takes no lock and cannot fail.
        connection.connection.driver_connection.execute("BEGIN")
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if has_request_context() else "BEGIN")


def commit_on_success(response: Response) -> Response:
    """``after_request`` for every request, API and pages alike: the request's one commit.

    Views and services only add and flush; the unit of work is committed here when the
    response is a success (2xx/3xx) and rolled back otherwise, so a refused request leaves
    nothing half-written and a GET that records a device's last-seen time keeps it. A view
    declared :func:`read_only` is always rolled back: it has nothing to keep.
    """
    if response.status_code < 400 and not request_is_read_only():
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
