"""This app's Huey instance, built from configuration on first use, and its tasks.

``TASK_QUEUE_URL`` unset: :class:`huey.SqliteHuey` in ``TASK_QUEUE_PATH`` (default
``<instance>/tasks.sqlite3``); ``redis://…``: :class:`huey.RedisHuey`; ``TASK_QUEUE_IMMEDIATE``
(unit tests only): Huey's immediate mode, tasks run where they are enqueued.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from inspect_app.config import ConfigError
from inspect_app.services.alert_settings import DeliverySettings

EXTENSION_KEY = "inspect_task_queue"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def delivery_settings(config: Mapping[str, Any]) -> DeliverySettings:
    """The delivery settings of a Flask config (see DEFAULTS in config.py)."""
    base = config.get("PUBLIC_BASE_URL")
    return DeliverySettings(
        webhook_url=config.get("ALERT_WEBHOOK_URL") or None,
        webhook_secret=str(config.get("ALERT_WEBHOOK_SECRET") or ""),
        webhook_timeout=float(config["ALERT_WEBHOOK_TIMEOUT_SECONDS"]),
        mail_server=config.get("MAIL_SERVER") or None,
        mail_port=int(config["MAIL_PORT"]),
        mail_sender=config.get("MAIL_SENDER") or None,
        mail_timeout=float(config["MAIL_TIMEOUT_SECONDS"]),
        inbox_url=f"{str(base).rstrip('/')}/alerts" if base else "/alerts",
        backoff_seconds=tuple(int(s) for s in config["ALERT_DELIVERY_BACKOFF_SECONDS"]),
        max_attempts=int(config["ALERT_DELIVERY_MAX_ATTEMPTS"]),
        lease_seconds=int(config["ALERT_DELIVERY_LEASE_SECONDS"]),
    )


def build_huey(config: Mapping[str, Any], instance_path: str) -> Huey:
    """A Huey instance for these settings (results are not kept: tasks report through rows)."""
    name = str(config["TASK_QUEUE_NAME"])
    if config["TASK_QUEUE_IMMEDIATE"]:
        return MemoryHuey(name, immediate=True, results=False)
    url = config.get("TASK_QUEUE_URL")
    if url:
        if not str(url).startswith(REDIS_SCHEMES):
            raise ConfigError("TASK_QUEUE_URL must be a redis:// URL (unset: SQLite)")
        return RedisHuey(name, url=str(url), results=False)
    path = Path(config.get("TASK_QUEUE_PATH") or Path(instance_path) / "tasks.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False)


class TaskQueue:
    """The app's queue: Huey built lazily, once per process (a fork gets its own)."""

    def __init__(self, app: Flask, settings: DeliverySettings) -> None:
        self.app = app
        self.settings = settings
        self._huey: Huey | None = None
        self._tasks: Any = None
        self._pid = 0

    @property
    def huey(self) -> Huey:
        if self._huey is None or self._pid != os.getpid():
            from inspect_app.worker.tasks import register

            self._huey = build_huey(self.app.config, self.app.instance_path)
            self._tasks = register(self._huey, self.app, self)
            self._pid = os.getpid()
        return self._huey

    @property
    def tasks(self) -> Any:
        self.huey  # noqa: B018 (builds the tasks with the instance)
        return self._tasks

    def enqueue_delivery(self, delivery_id: int, eta: datetime | None = None) -> None:
        """Send this delivery now, or at ``eta`` (aware)."""
        if eta is None:
            self.tasks.deliver_alert(delivery_id)
        else:
            self.tasks.deliver_alert.schedule(args=(delivery_id,), eta=eta)

    def consumer(self, workers: int = 1, periodic: bool = True) -> Consumer:
        """A Huey consumer: threads, short polling so an alert leaves within a second."""
        return self.huey.create_consumer(
            workers=workers,
            periodic=periodic,
            initial_delay=0.05,
            backoff=1.5,
            max_delay=float(self.app.config["TASK_QUEUE_MAX_POLL_SECONDS"]),
            check_worker_health=True,
        )

    def close(self) -> None:
        """Close the storage's connection (tests build many apps)."""
        if self._huey is not None:
            close = getattr(self._huey.storage, "close", None)
            if close is not None:
                close()
            self._huey = None
