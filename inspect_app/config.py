"""Configuration: defaults, then ``instance/config.py``, then ``INSPECT_*`` and ``DATABASE_URL``.

Tests pass a mapping to ``create_app`` and only that mapping is applied on top of the defaults,
so a developer's environment never leaks into a test run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

#: The checkout root: ``static/``, ``field_forms/`` and ``migrations/`` live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required; `make demo` writes one into instance/config.py
    # Required: the HMAC key of the audit chain (services/audit.py). Keep it apart from
    # SECRET_KEY, which is rotated to sign everyone out; changing this one breaks verification.
    "AUDIT_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # filled from DATABASE_URL or the instance SQLite file
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "FIELD_FORMS_DIR": str(PROJECT_ROOT / "field_forms"),
    "STATIC_DIR": str(PROJECT_ROOT / "static"),
    "ATTACHMENTS_DIR": None,  # default: <instance>/attachments
    # What QR labels encode (<base>/q/<token>); unset, the address a request came to.
    "PUBLIC_BASE_URL": None,
    "RULE_PACK": "cn",
    # Request bodies: a sync batch of 500 inspections fits well inside 16 MiB.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "DEVICE_TOKEN_TTL_DAYS": 90,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Failed sign-ins (POST /login and /api/v1/auth/token together; successes are free):
    # per client address, and per account named.
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_LOGIN_ACCOUNT": "10 per minute",
    "RATELIMIT_PUBLIC": "60 per minute",
    # Each worker keeps a label's finished public page this many seconds (0: off); see
    # docs/public-page.md for what that costs in freshness and buys in speed.
    "PUBLIC_PAGE_CACHE_SECONDS": 5,
    # Consumer reports (docs/reports.md): reports sent per client address (generous: phones on
    # a mobile network share addresses), and reports stored per instrument.
    "RATELIMIT_REPORT_ADDRESS": "20 per hour",
    "RATELIMIT_REPORT_INSTRUMENT": "10 per hour;30 per day",
    # Report photos: size of one, and how many are kept per instrument and in all, per 24 h.
    "REPORT_PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "REPORT_PHOTOS_PER_INSTRUMENT_DAY": 5,
    "REPORT_PHOTOS_PER_DAY": 200,
    # A merchant's evidence file (photo, invoice or certificate PDF) against an order.
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    # Alert delivery (docs/alerts.md): an outbound webhook and/or e-mail to the district's
    # supervisors, sent by the worker (`flask worker`) and retried with back-off.
    "ALERT_WEBHOOK_URL": None,  # unset: no webhook deliveries
    "ALERT_WEBHOOK_SECRET": None,  # required with the URL: signs X-Inspect-Signature
    "ALERT_WEBHOOK_TIMEOUT_SECONDS": 10,
    "MAIL_SERVER": None,  # unset: no e-mail deliveries
    "MAIL_PORT": 25,
    "MAIL_SENDER": None,  # required with MAIL_SERVER
    "MAIL_TIMEOUT_SECONDS": 10,
    # Wait before attempt n+1 after n failed attempts (the last value repeats), and the attempt
    # after which a delivery is "failed" (`flask alerts redeliver` tries those again).
    "ALERT_DELIVERY_BACKOFF_SECONDS": [10, 30, 60, 120, 300, 600, 1800, 3600],
    "ALERT_DELIVERY_MAX_ATTEMPTS": 12,
    # A worker holds a delivery this long while sending; longer than either timeout.
    "ALERT_DELIVERY_LEASE_SECONDS": 60,
    # The task queue (Huey): unset, SQLite at TASK_QUEUE_PATH (default
    # <instance>/tasks.sqlite3); redis://host:port/db for Redis. Immediate mode: unit tests only.
    "TASK_QUEUE_URL": None,
    "TASK_QUEUE_PATH": None,
    "TASK_QUEUE_NAME": "inspect",
    "TASK_QUEUE_IMMEDIATE": False,
    # How long an idle worker waits between looks at the SQLite queue (Redis blocks instead).
    "TASK_QUEUE_MAX_POLL_SECONDS": 0.5,
    # The dashboard map's background (docs/dashboards.md, "Pages"): a Leaflet tile URL template,
    # e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png" or a Tianditu one with {s}; its
    # origin is added to the pages' CSP img-src. Unset: markers over the districts' outlines.
    "MAP_TILE_URL": None,
    "MAP_TILE_ATTRIBUTION": None,  # the credit the tile server asks for, shown on the map
    "MAP_TILE_SUBDOMAINS": "abc",  # what {s} stands for (Tianditu: "01234567")
    "RATELIMIT_HEADERS_ENABLED": True,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a login page left open at a stall must still submit
}

REQUIRED = ("SECRET_KEY", "AUDIT_KEY", "SQLALCHEMY_DATABASE_URI", "FIELD_FORMS_DIR")

SUPPORTED_LOCALES = ("zh_CN", "en")


class ConfigError(RuntimeError):
    """A required setting is missing or invalid; the message says which and how to set it."""


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Apply defaults, then the instance file and environment, or only ``overrides`` in tests."""
    app.config.from_mapping(DEFAULTS)
    if overrides is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("INSPECT")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(overrides)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_path = Path(app.instance_path) / "inspect.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config["ATTACHMENTS_DIR"]:
        app.config["ATTACHMENTS_DIR"] = str(Path(app.instance_path) / "attachments")
    validate(app.config)
    _bind_audit_key(app.config)


def _bind_audit_key(config: dict[str, Any]) -> None:
    """Hand AUDIT_KEY to the audit service through this app's engine options.

    Services do not import Flask, and module state would mix the keys of two apps in one
    process (the tests build many). Flask-SQLAlchemy builds each app's engine from
    SQLALCHEMY_ENGINE_OPTIONS, and an engine's execution options may carry application
    values, so the key rides on the engine the session is bound to (``audit.bound_key``).
    """
    from inspect_app.models.audit import AUDIT_KEY_OPTION

    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"] or {})
    execution = dict(options.get("execution_options") or {})
    execution[AUDIT_KEY_OPTION] = str(config["AUDIT_KEY"])
    options["execution_options"] = execution
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def validate(config: Mapping[str, Any]) -> None:
    """Fail at start-up, not at the first request, when a required setting is missing."""
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigError(
            "Missing required setting(s): "
            + ", ".join(missing)
            + ". Set them in instance/config.py or as INSPECT_<NAME> environment variables ("
            + ", ".join(f"INSPECT_{key}=..." for key in missing)
            + "); `make demo` creates development keys."
        )
    for key in ("SECRET_KEY", "AUDIT_KEY"):
        if len(str(config[key])) < 16:
            raise ConfigError(f"{key} is too short: use at least 16 random characters.")
    if str(config["AUDIT_KEY"]) == str(config["SECRET_KEY"]):
        raise ConfigError(
            "AUDIT_KEY must differ from SECRET_KEY: rotating SECRET_KEY (to sign everyone out) "
            "must not break the audit chain."
        )
    forms_dir = Path(str(config["FIELD_FORMS_DIR"]))
    if not forms_dir.is_dir():
        raise ConfigError(f"FIELD_FORMS_DIR does not exist: {forms_dir}")
    tiles = config.get("MAP_TILE_URL")
    if tiles and not str(tiles).startswith(("https://", "http://")):
        raise ConfigError(
            "MAP_TILE_URL must be an http(s) URL template, e.g. https://…/{z}/{x}/{y}.png"
        )
    if config["BABEL_DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ConfigError(f"BABEL_DEFAULT_LOCALE must be one of {SUPPORTED_LOCALES}")
