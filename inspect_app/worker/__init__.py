"""The background worker: Huey tasks for alert delivery, overdue orders and daily credit.

An edge like the CLI: each task opens an app context, calls services and commits itself.
:func:`init_app` gives every app its :class:`~inspect_app.worker.queue.TaskQueue` (the Huey
instance is built on first use, so an app that never enqueues opens no queue), binds the
delivery settings to the app's engine for :mod:`inspect_app.services.alert_delivery`, and
hooks the session so deliveries are enqueued only after their rows are committed.
"""

from __future__ import annotations

from flask import Flask, current_app

from inspect_app.config import ConfigError
from inspect_app.extensions import db
from inspect_app.services.alert_settings import SETTINGS_OPTION
from inspect_app.worker import hooks
from inspect_app.worker.queue import EXTENSION_KEY, REDIS_SCHEMES, TaskQueue, delivery_settings


def init_app(app: Flask) -> None:
    settings = delivery_settings(app.config)
    problems = settings.problems()
    if app.config["TASK_QUEUE_IMMEDIATE"] and not app.testing:
        problems.append("TASK_QUEUE_IMMEDIATE runs tasks inside requests: unit tests only")
    queue_url = app.config["TASK_QUEUE_URL"]
    if queue_url and not str(queue_url).startswith(REDIS_SCHEMES):
        problems.append("TASK_QUEUE_URL must be a redis:// URL (unset: SQLite)")
    if problems:
        raise ConfigError("Alert delivery settings: " + "; ".join(problems) + ".")
    app.extensions[EXTENSION_KEY] = TaskQueue(app, settings)
    with app.app_context():
        db.engine.update_execution_options(**{SETTINGS_OPTION: settings})
    hooks.install()


def task_queue(app: Flask | None = None) -> TaskQueue:
    """The app's task queue (the current app's by default)."""
    queue = (app or current_app).extensions[EXTENSION_KEY]
    assert isinstance(queue, TaskQueue)
    return queue
