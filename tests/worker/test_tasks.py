"""The worker's tasks in-process: immediate mode end to end, the periodic jobs, settings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import create_app
from inspect_app.config import ConfigError
from inspect_app.extensions import db
from inspect_app.models import Alert, AlertDelivery, Instrument, Merchant, Order, User
from inspect_app.models.alert import AlertKind, DeliveryStatus
from inspect_app.models.enforcement import OrderStatus
from inspect_app.models.user import Role
from inspect_app.services import alerts
from inspect_app.worker import task_queue, tasks
from inspect_app.worker.queue import TaskQueue
from tests.alert_receivers import WebhookReceiver, answer
from tests.payloads import item, scale_answers

SECRET = "webhook-secret-0123456789"
CHEATING = {"cheating_device_found": True, "cheating_methods": ["remote_control"]}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def app_config(
    app_config: dict[str, Any], tmp_path: Path, receiver: WebhookReceiver
) -> dict[str, Any]:
    return app_config | {
        "ALERT_WEBHOOK_URL": receiver.url,
        "ALERT_WEBHOOK_SECRET": SECRET,
        "ALERT_WEBHOOK_TIMEOUT_SECONDS": 1,
        "TASK_QUEUE_IMMEDIATE": True,
    }


@pytest.fixture
def queue(app: Flask) -> Iterator[TaskQueue]:
    yield task_queue(app)
    task_queue(app).close()


def test_a_pushed_cheating_scale_reaches_the_webhook_once_committed(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    receiver: WebhookReceiver,
    queue: TaskQueue,
) -> None:
    inspector = make_user(Role.INSPECTOR)
    scale = make_instrument()
    merchant_id = scale.merchant_id
    sent = item("bazaar_scale", scale_answers(merchant_id, scale.code, **CHEATING))
    response = client.post(
        "/api/v1/sync/push", json={"inspections": [sent]}, headers=token_for(inspector)
    )
    assert response.status_code == 200, response.get_json()

    # Immediate mode: the task ran as the request committed (a real worker picks it up within
    # its polling delay; see bench/bench_alert_latency.py).
    assert len(receiver.accepted) == 1
    document = json.loads(receiver.accepted[0].body)
    assert document["alert"]["kind"] == "severe_finding"
    assert document["alert"]["inspection_uuid"] == sent["uuid"]
    assert document["alert"]["instrument_id"] == scale.id
    assert receiver.accepted[0].signature_ok
    db.session.rollback()
    [delivery] = db.session.scalars(select(AlertDelivery)).all()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_failed_attempt_in_a_task_is_scheduled_again(
    app: Flask, make_merchant: Callable[..., Merchant], receiver: WebhookReceiver, queue: TaskQueue
) -> None:
    receiver.script = [answer(500)]
    alerts.raise_alert(AlertKind.OBSTRUCTION, 4, make_merchant(), datetime.now(UTC))
    db.session.commit()
    assert len(receiver.requests) == 1
    assert queue.huey.scheduled_count() == 1  # the retry waits for its back-off
    [task] = queue.huey.scheduled()
    assert task.args == (db.session.scalar(select(AlertDelivery.id)),)


def test_the_retry_sweep_enqueues_what_is_due_and_not_held(
    app: Flask,
    make_merchant: Callable[..., Merchant],
    receiver: WebhookReceiver,
    queue: TaskQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver.script = [answer(500)]
    alerts.raise_alert(AlertKind.OBSTRUCTION, 4, make_merchant(), datetime.now(UTC))
    db.session.commit()
    assert len(receiver.requests) == 1
    later = datetime.now(UTC) + timedelta(seconds=11)  # past the first back-off step
    monkeypatch.setattr(tasks, "utcnow", lambda: later)
    queue.tasks.retry_alert_deliveries.call_local()
    assert len(receiver.accepted) == 1
    db.session.rollback()
    assert db.session.scalar(select(AlertDelivery.status)) == DeliveryStatus.DELIVERED


def test_the_minute_job_marks_orders_overdue_and_alerts(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    receiver: WebhookReceiver,
    queue: TaskQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scale = make_instrument()
    sent = item("bazaar_scale", scale_answers(scale.merchant_id, scale.code, **CHEATING))
    response = client.post(
        "/api/v1/sync/push",
        json={"inspections": [sent]},
        headers=token_for(make_user(Role.INSPECTOR)),
    )
    assert response.status_code == 200
    db.session.rollback()
    order = db.session.scalars(select(Order)).one()
    past_due = datetime.combine(order.due_date + timedelta(days=2), datetime.min.time(), UTC)
    monkeypatch.setattr(tasks, "utcnow", lambda: past_due)
    queue.tasks.mark_overdue_orders.call_local()
    db.session.rollback()
    assert db.session.get(Order, order.id).status == OrderStatus.OVERDUE  # type: ignore[union-attr]
    kinds = [a.kind for a in db.session.scalars(select(Alert).order_by(Alert.id))]
    assert kinds == [AlertKind.SEVERE_FINDING, AlertKind.OVERDUE_CONDEMNATION]
    assert [json.loads(r.body)["alert"]["kind"] for r in receiver.accepted] == [
        "severe_finding",
        "overdue_condemnation",
    ]


def test_the_daily_credit_job_runs_at_two_in_the_morning_district_time(
    app: Flask, queue: TaskQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily = tasks.district_crontab(minute="0", hour="2")
    assert daily(datetime(2026, 3, 1, 18, 0))  # 18:00 UTC = 02:00 in Asia/Shanghai
    assert not daily(datetime(2026, 3, 2, 2, 0))  # 02:00 UTC = 10:00 there
    periodic = {type(t).__name__ for t in queue.huey.read_periodic(datetime(2026, 3, 1, 18, 0))}
    assert periodic == {"retry_alert_deliveries", "mark_overdue_orders", "recompute_credit"}

    calls: list[tuple[date, str, datetime]] = []
    from inspect_app.services import credit

    monkeypatch.setattr(
        credit,
        "recompute_all",
        lambda as_of, trigger, now, after_chunk: calls.append((as_of, trigger, now)),
    )
    moment = datetime(2026, 3, 1, 18, 0, 5, tzinfo=UTC)
    monkeypatch.setattr(tasks, "utcnow", lambda: moment)
    queue.tasks.recompute_credit.call_local()
    assert calls == [(date(2026, 3, 2), "daily", moment)]  # the district's date


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"ALERT_WEBHOOK_URL": "http://hook.example.test/"}, "ALERT_WEBHOOK_SECRET"),
        (
            {"ALERT_WEBHOOK_URL": "ftp://hook.example.test/", "ALERT_WEBHOOK_SECRET": SECRET},
            "http:// or https://",
        ),
        ({"MAIL_SERVER": "smtp.example.test"}, "MAIL_SENDER"),
        ({"ALERT_DELIVERY_LEASE_SECONDS": 5}, "LEASE"),
        ({"TESTING": False, "TASK_QUEUE_IMMEDIATE": True}, "unit tests only"),
        ({"TASK_QUEUE_URL": "amqp://x", "TASK_QUEUE_IMMEDIATE": False}, "redis://"),
    ],
)
def test_settings_that_cannot_work_stop_the_start(
    app_config: dict[str, Any], settings: dict[str, Any], complaint: str
) -> None:
    config = {k: v for k, v in app_config.items() if not k.startswith("ALERT_WEBHOOK")}
    with pytest.raises(ConfigError, match=complaint):
        create_app(config | settings)


def test_secrets_stay_out_of_the_settings_repr(app: Flask) -> None:
    shown = repr(task_queue(app).settings)
    assert SECRET not in shown and "gateway-key" not in shown


def test_the_nightly_job_turns_a_lapsed_verification_expired(
    app: Flask,
    queue: TaskQueue,
    make_instrument: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from inspect_app.extensions import db
    from inspect_app.models import Instrument
    from inspect_app.models.instrument import InstrumentStatus

    moment = datetime(2026, 3, 1, 18, 0, 5, tzinfo=UTC)
    # Valid through 1 March; the job runs at 02:00 on 2 March, district time.
    scale = make_instrument(verified_at=date(2025, 3, 2), valid_until=date(2026, 3, 1))
    monkeypatch.setattr(tasks, "utcnow", lambda: moment)
    queue.tasks.recompute_credit.call_local()
    db.session.rollback()
    lapsed = db.session.get(Instrument, scale.id)
    assert lapsed is not None and lapsed.status == InstrumentStatus.VERIFICATION_EXPIRED
    monkeypatch.setattr(tasks, "utcnow", lambda: moment - timedelta(days=1))
    lapsed.valid_until = date(2027, 3, 1)  # renewed
    db.session.commit()
    queue.tasks.recompute_credit.call_local()
    db.session.rollback()
    renewed = db.session.get(Instrument, scale.id)
    assert renewed is not None and renewed.status == InstrumentStatus.IN_SERVICE
