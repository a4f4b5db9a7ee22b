"""Exactly once across a worker restart, with real consumers (``flask worker``) in subprocesses.

What is promised (docs/alerts.md): a delivery the receiver accepted (2xx) and the worker
recorded is never sent again; a worker killed mid-send leaves the row claimed, and the next
worker sends it once its lease has run out, so the receiver accepts it exactly once. The one
window no sender can close: killed after the receiver accepted but before the commit that
records it. Then the receiver gets it twice, with the same ``X-Inspect-Delivery`` id and body,
and drops the repeat by that id. Both cases are shown here, not assumed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from inspect_app.config import PROJECT_ROOT
from inspect_app.extensions import db
from inspect_app.models import AlertDelivery, Merchant
from inspect_app.models.alert import AlertKind, DeliveryStatus
from inspect_app.services import alerts
from inspect_app.worker import task_queue
from tests.alert_receivers import WebhookReceiver, hold
from tests.conftest import unavailable

SECRET = "webhook-secret-0123456789"
LEASE = 2


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def queue_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """SqliteHuey (the default), or RedisHuey with ``indirect`` parametrisation."""
    if getattr(request, "param", "sqlite-queue") == "sqlite-queue":
        return {"TASK_QUEUE_PATH": str(tmp_path / "tasks.sqlite3")}
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable("Redis task queue", str(exc))
    return {
        "TASK_QUEUE_URL": "redis://127.0.0.1:6379/0",
        "TASK_QUEUE_NAME": f"inspect-test-{uuid.uuid4().hex[:12]}",
    }


@pytest.fixture
def app_config(
    app_config: dict[str, Any], receiver: WebhookReceiver, queue_settings: dict[str, Any]
) -> dict[str, Any]:
    return (
        app_config
        | {
            "ALERT_WEBHOOK_URL": receiver.url,
            "ALERT_WEBHOOK_SECRET": SECRET,
            "ALERT_WEBHOOK_TIMEOUT_SECONDS": 1,
            "MAIL_TIMEOUT_SECONDS": 1,
            "ALERT_DELIVERY_LEASE_SECONDS": LEASE,
            "TASK_QUEUE_MAX_POLL_SECONDS": 0.2,
        }
        | queue_settings
    )


class Workers:
    """``flask worker`` processes for this test's app; killed at the end whatever happens."""

    def __init__(self, config: dict[str, Any], logs: Path) -> None:
        self.config = config
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        app = f"inspect_app:create_app({self.config!r})"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECT_", "FLASK_"))}
        with (self.logs / f"worker-{len(self.started)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", app, "worker", "--workers", "1"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def output(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # Huey's graceful stop
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(app: Flask, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Workers]:
    running = Workers(app_config, tmp_path)
    yield running
    running.stop_all()
    queue = task_queue(app)
    if app_config.get("TASK_QUEUE_URL"):
        queue.huey.flush()  # this test's Redis keys
    queue.close()


def _delivery(delivery_id: int) -> AlertDelivery:
    db.session.rollback()
    row = db.session.get(AlertDelivery, delivery_id)
    assert row is not None
    return row


def _wait(predicate: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _alert_with_webhook(merchant: Merchant) -> int:
    alert = alerts.raise_alert(AlertKind.SEVERE_FINDING, 4, merchant, datetime.now(UTC))
    db.session.commit()  # enqueued now; no worker is running yet
    [delivery] = alert.deliveries
    return delivery.id


@contextmanager
def _row_locked(uri: str, delivery_id: int) -> Iterator[None]:
    """Hold the lock a worker needs to record the delivery (SQLite's write lock, a row lock)."""
    if uri.startswith("sqlite"):
        conn = sqlite3.connect(uri.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = sa.create_engine(uri)
    try:
        with engine.connect() as conn:
            conn.execute(
                sa.text("SELECT id FROM alert_delivery WHERE id = :id FOR UPDATE"),
                {"id": delivery_id},
            )
            yield
            conn.rollback()
    finally:
        engine.dispose()


@pytest.mark.parametrize("queue_settings", ["sqlite-queue", "redis-queue"], indirect=True)
def test_killed_mid_send_the_next_worker_delivers_it_and_it_is_accepted_once(
    app: Flask, make_merchant: Callable[..., Merchant], receiver: WebhookReceiver, workers: Workers
) -> None:
    delivery_id = _alert_with_webhook(make_merchant())
    release = threading.Event()
    receiver.script = [hold(release, status=None)]  # the first request gets no answer

    first = workers.start()
    assert receiver.wait_for(1, timeout=30), workers.output()
    row = _delivery(delivery_id)
    assert row.status == DeliveryStatus.PENDING and row.claimed_until is not None  # claimed
    first.kill()  # SIGKILL: after the claim, before anything is recorded
    first.wait()
    release.set()

    workers.start()  # sends it again once the dead worker's lease has run out
    assert receiver.wait_for(1, accepted=True, timeout=30), workers.output()
    assert _wait(lambda: _delivery(delivery_id).status == DeliveryStatus.DELIVERED)
    time.sleep(1)  # a duplicate task (the startup sweep, a retry) must not send it again
    assert len(receiver.requests) == 2 and len(receiver.accepted) == 1
    assert {r.delivery for r in receiver.requests} == {str(delivery_id)}
    assert all(r.signature_ok for r in receiver.requests)
    assert _delivery(delivery_id).attempts == 1  # attempts recorded; the killed one was not


def test_killed_after_acceptance_before_recording_the_repeat_carries_the_same_id(
    app: Flask,
    app_config: dict[str, Any],
    make_merchant: Callable[..., Merchant],
    receiver: WebhookReceiver,
    workers: Workers,
) -> None:
    delivery_id = _alert_with_webhook(make_merchant())
    proceed = threading.Event()
    receiver.script = [hold(proceed, status=200)]

    first = workers.start()
    assert receiver.wait_for(1, timeout=30), workers.output()
    db.session.rollback()  # this test's own session holds nothing while the lock is taken
    with _row_locked(app_config["SQLALCHEMY_DATABASE_URI"], delivery_id):
        proceed.set()  # accepted (200) ...
        assert receiver.wait_for(1, accepted=True, timeout=10)
        time.sleep(0.5)  # ... and the worker now waits for the lock to record it
        first.kill()
        first.wait()
    row = _delivery(delivery_id)
    assert row.status == DeliveryStatus.PENDING  # the acceptance was never recorded

    workers.start()
    assert receiver.wait_for(2, accepted=True, timeout=30), workers.output()
    assert _wait(lambda: _delivery(delivery_id).status == DeliveryStatus.DELIVERED)
    time.sleep(1)
    assert len(receiver.requests) == 2 and len(receiver.accepted) == 2
    first_copy, repeat = receiver.accepted
    assert first_copy.delivery == repeat.delivery == str(delivery_id)  # the receiver drops it
    assert first_copy.body == repeat.body and repeat.signature_ok
