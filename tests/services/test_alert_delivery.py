"""Alert delivery: rows per target, enqueued after commit, retried with back-off, sent once.

A real HTTP server (http.server in a thread) plays the webhook gateway and checks every
signature; aiosmtpd plays the mail server. The clock is the test's: back-off is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Alert, AlertDelivery, Merchant, User
from inspect_app.models.alert import AlertKind, DeliveryChannel, DeliveryStatus
from inspect_app.models.user import Role
from inspect_app.services import alert_redelivery, alerts
from inspect_app.worker import task_queue
from inspect_app.worker.queue import TaskQueue
from inspect_app.worker.tasks import run_delivery
from tests.alert_receivers import SmtpInbox, WebhookReceiver, answer, too_slow

SECRET = "webhook-secret-0123456789"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: float) -> Clock:
        self.now = T0 + timedelta(seconds=seconds)
        return self


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with SmtpInbox() as inbox:
        yield inbox


@pytest.fixture
def app_config(
    app_config: dict[str, Any], tmp_path: Path, receiver: WebhookReceiver, smtp: SmtpInbox
) -> dict[str, Any]:
    return app_config | {
        "ALERT_WEBHOOK_URL": receiver.url,
        "ALERT_WEBHOOK_SECRET": SECRET,
        "ALERT_WEBHOOK_TIMEOUT_SECONDS": 0.5,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SENDER": "alerts@inspect.example.test",
        "MAIL_TIMEOUT_SECONDS": 2,
        "ALERT_DELIVERY_LEASE_SECONDS": 5,
        "ALERT_DELIVERY_MAX_ATTEMPTS": 4,
        "TASK_QUEUE_PATH": str(tmp_path / "tasks.sqlite3"),
    }


@pytest.fixture(autouse=True)
def queue(app: Flask) -> Iterator[TaskQueue]:
    """The app's SqliteHuey (in tmp_path, never consumed here), closed after the test."""
    yield task_queue(app)
    task_queue(app).close()


@pytest.fixture
def merchant(make_merchant: Callable[..., Merchant]) -> Merchant:
    return make_merchant(name="王记水果")


def _raise(merchant: Merchant, now: datetime = T0) -> Alert:
    alert = alerts.raise_alert(AlertKind.SEVERE_FINDING, 4, merchant, now)
    db.session.commit()
    return alert


def _rows(alert: Alert) -> list[AlertDelivery]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AlertDelivery).where(AlertDelivery.alert_id == alert.id).order_by("id")
        )
    )


def _webhook(alert: Alert) -> AlertDelivery:
    return next(d for d in _rows(alert) if d.channel == DeliveryChannel.WEBHOOK)


def test_a_row_per_target_the_webhook_without_its_key(
    merchant: Merchant,
    make_user: Callable[..., User],
    make_region: Callable[..., Any],
    receiver: WebhookReceiver,
) -> None:
    make_user(Role.SUPERVISOR, email="li@district.example.cn")
    make_user(Role.SUPERVISOR, email="Li@district.example.cn")  # same mailbox: one e-mail
    make_user(Role.SUPERVISOR, email="zhao@district.example.cn")
    make_user(Role.SUPERVISOR)  # no address
    make_user(Role.SUPERVISOR, email="gone@district.example.cn", is_active=False)
    make_user(Role.INSPECTOR, email="inspector@district.example.cn")
    make_user(Role.SUPERVISOR, email="other@else.example.cn", region_id=make_region().id)

    rows = _rows(_raise(merchant))

    assert [(r.channel, r.target) for r in rows] == [
        (DeliveryChannel.WEBHOOK, f"http://127.0.0.1:{receiver.port}/hook?…"),
        (DeliveryChannel.EMAIL, "li@district.example.cn"),
        (DeliveryChannel.EMAIL, "zhao@district.example.cn"),
    ]
    assert "gateway-key" not in rows[0].target
    assert all(r.status == DeliveryStatus.PENDING and r.attempts == 0 for r in rows)


def test_enqueued_only_once_committed_and_never_after_a_rollback(
    merchant: Merchant, queue: TaskQueue
) -> None:
    alerts.raise_alert(AlertKind.SEVERE_FINDING, 4, merchant, T0)
    assert queue.huey.pending_count() == 0  # rows flushed, not committed: the worker waits
    db.session.commit()
    assert queue.huey.pending_count() == 1

    alerts.raise_alert(AlertKind.OBSTRUCTION, 4, merchant, T0)
    db.session.rollback()
    db.session.commit()
    assert queue.huey.pending_count() == 1
    assert db.session.scalar(select(Alert).where(Alert.kind == AlertKind.OBSTRUCTION)) is None

    with db.session.begin_nested():  # a savepoint released is not a commit
        alerts.raise_alert(AlertKind.OBSTRUCTION, 4, merchant, T0)
    assert queue.huey.pending_count() == 1
    db.session.commit()
    assert queue.huey.pending_count() == 2


def test_a_failing_webhook_is_retried_with_back_off_until_it_accepts_once(
    app: Flask, merchant: Merchant, receiver: WebhookReceiver
) -> None:
    alert = _raise(merchant)
    delivery_id = _webhook(alert).id
    settings = task_queue(app).settings
    clock = Clock(T0)
    receiver.script = [answer(500), too_slow(1.5)]

    assert run_delivery(delivery_id, settings, clock.at(0)) == T0 + timedelta(seconds=10)
    row = _webhook(alert)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.PENDING, 1, "HTTP 500")

    assert run_delivery(delivery_id, settings, clock.at(5)) is None  # not due: nothing sent
    assert len(receiver.requests) == 1

    assert run_delivery(delivery_id, settings, clock.at(10)) == T0 + timedelta(seconds=40)
    assert _webhook(alert).last_error == "timed out after 0.5 s"

    receiver.stop()
    assert run_delivery(delivery_id, settings, clock.at(40)) == T0 + timedelta(seconds=100)
    assert _webhook(alert).last_error == "connection refused"
    receiver.start()

    assert run_delivery(delivery_id, settings, clock.at(100)) is None
    row = _webhook(alert)
    assert (row.status, row.attempts, row.delivered_at, row.last_error) == (
        DeliveryStatus.DELIVERED,
        4,
        T0 + timedelta(seconds=100),
        None,
    )
    assert run_delivery(delivery_id, settings, clock.at(1000)) is None  # delivered: never again
    assert alert_redelivery.due(T0 + timedelta(days=1)) == []

    assert len(receiver.requests) == 3  # 500, too slow, 200 (the refused one never arrived)
    assert len(receiver.accepted) == 1
    assert all(r.signature_ok for r in receiver.requests)
    assert {r.delivery for r in receiver.requests} == {str(delivery_id)}
    document = json.loads(receiver.accepted[0].body)
    assert document == {
        "alert": {
            "id": alert.id,
            "kind": "severe_finding",
            "severity": 4,
            "merchant_id": merchant.id,
            "instrument_id": None,
            "inspection_uuid": None,
            "created_at": T0.isoformat(),
            "acknowledged_at": None,
        },
        "district": {"code": "R1", "name_zh": "区1", "name_en": "Region 1"},
    }


def test_gives_up_after_the_last_attempt_and_redeliver_tries_again(
    app: Flask, merchant: Merchant, receiver: WebhookReceiver, queue: TaskQueue, runner: Any
) -> None:
    alert = _raise(merchant)
    delivery_id = _webhook(alert).id
    settings = task_queue(app).settings
    receiver.script = [answer(503)] * 4
    clock, elapsed, waits = Clock(T0), 0.0, []
    while (next_at := run_delivery(delivery_id, settings, clock.at(elapsed))) is not None:
        waits.append((next_at - clock.now).total_seconds())
        elapsed = (next_at - T0).total_seconds()
    assert waits == [10, 30, 60]  # then the fourth failure gives up (ALERT_DELIVERY_MAX_ATTEMPTS)
    row = _webhook(alert)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 4, "HTTP 503")
    assert alert_redelivery.due(T0 + timedelta(days=1)) == []

    before = queue.huey.pending_count()
    result = runner.invoke(args=["alerts", "redeliver"])
    assert result.exit_code == 0, result.output
    assert "1 failed made pending" in result.output
    assert queue.huey.pending_count() == before + 1
    assert (_webhook(alert).status, _webhook(alert).attempts) == (DeliveryStatus.PENDING, 0)

    assert run_delivery(delivery_id, settings, clock.at(elapsed + 1)) is None
    assert _webhook(alert).status == DeliveryStatus.DELIVERED
    assert len(receiver.accepted) == 1
    listing = runner.invoke(args=["alerts", "list"]).output
    assert "delivered: 1" in listing and "gateway-key" not in listing and SECRET not in listing


def test_redeliver_adds_rows_for_open_alerts_that_have_none(
    merchant: Merchant, make_user: Callable[..., User], runner: Any
) -> None:
    # Raised while no webhook was configured: rows only; one of them already acknowledged.
    supervisor = make_user(Role.SUPERVISOR)
    fields = {"severity": 4, "region_id": merchant.region_id, "merchant_id": merchant.id}
    quiet = Alert(kind=AlertKind.OBSTRUCTION, created_at=T0, **fields)
    seen = Alert(
        kind=AlertKind.SEVERE_FINDING,
        created_at=T0,
        acknowledged_at=T0,
        acknowledged_by_id=supervisor.id,
        **fields,
    )
    db.session.add_all([quiet, seen])
    db.session.commit()

    result = runner.invoke(args=["alerts", "redeliver"])
    assert "1 created" in result.output
    assert [d.channel for d in _rows(quiet)] == [DeliveryChannel.WEBHOOK]
    assert _rows(seen) == []  # a supervisor has it already: not sent late


def test_a_withdrawn_alert_is_not_sent(
    app: Flask, merchant: Merchant, receiver: WebhookReceiver
) -> None:
    alert = _raise(merchant)
    alerts.withdraw(alert, "returned by review", T0)
    db.session.commit()
    assert run_delivery(_webhook(alert).id, task_queue(app).settings, Clock(T0)) is None
    row = _webhook(alert)
    assert (row.status, row.last_error) == (
        DeliveryStatus.FAILED,
        "alert withdrawn before delivery",
    )
    assert receiver.requests == []
    alert_redelivery.redeliver()
    db.session.commit()
    assert _webhook(alert).status == DeliveryStatus.FAILED


def test_each_supervisor_gets_one_bilingual_email(
    app: Flask, merchant: Merchant, make_user: Callable[..., User], smtp: SmtpInbox
) -> None:
    make_user(Role.SUPERVISOR, email="li@district.example.cn")
    make_user(Role.SUPERVISOR, email="zhao@district.example.cn")
    alert = _raise(merchant)
    settings = task_queue(app).settings
    emails = [d for d in _rows(alert) if d.channel == DeliveryChannel.EMAIL]
    for delivery in emails:
        assert run_delivery(delivery.id, settings, Clock(T0)) is None
        assert run_delivery(delivery.id, settings, Clock(T0)) is None  # delivered: not again

    assert sorted(rcpt for _f, rcpts, _c in smtp.messages for rcpt in rcpts) == [
        "li@district.example.cn",
        "zhao@district.example.cn",
    ]
    assert [r.status for r in _rows(alert) if r.channel == DeliveryChannel.EMAIL] == [
        DeliveryStatus.DELIVERED
    ] * 2
    message = message_from_bytes(smtp.messages[0][2], policy=policy.default)
    assert message["From"] == "alerts@inspect.example.test"
    assert "计量告警" in message["Subject"] and "Metrology alert" in message["Subject"]
    assert "王记水果" in message["Subject"]
    body = message.get_content()
    assert "严重违法行为" in body and "Severe violation" in body
    assert "2026-03-02 09:00（北京时间）" in body  # 01:00 UTC on the district's clock
    assert "https://inspect.example.test/alerts" in body
    assert (
        message["Message-ID"] == f"<alert-{alert.id}-delivery-{emails[0].id}@inspect.example.test>"
    )


def test_a_mail_server_that_is_down_means_a_retry(
    app: Flask, merchant: Merchant, make_user: Callable[..., User], smtp: SmtpInbox
) -> None:
    make_user(Role.SUPERVISOR, email="li@district.example.cn")
    alert = _raise(merchant)
    email = next(d for d in _rows(alert) if d.channel == DeliveryChannel.EMAIL)
    smtp.stop()
    next_at = run_delivery(email.id, task_queue(app).settings, Clock(T0))
    assert next_at == T0 + timedelta(seconds=10)
    assert _rows(alert)[1].last_error == "SMTP connection refused"
    smtp.start()
    assert run_delivery(email.id, task_queue(app).settings, Clock(next_at)) is None
    assert len(smtp.messages) == 1
