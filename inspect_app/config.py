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
    "SQLALCHEMY_DATABASE_URI": None,  # filled from DATABASE_URL or the instance SQLite file
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "FIELD_FORMS_DIR": str(PROJECT_ROOT / "field_forms"),
    "STATIC_DIR": str(PROJECT_ROOT / "static"),
    "ATTACHMENTS_DIR": None,  # default: <instance>/attachments
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "RULE_PACK": "cn",
    # Request bodies: a sync batch of 500 inspections fits well inside 16 MiB.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "DEVICE_TOKEN_TTL_DAYS": 90,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_PUBLIC": "60 per minute",
    "RATELIMIT_HEADERS_ENABLED": True,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a login page left open at a stall must still submit
}

REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "FIELD_FORMS_DIR")

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


def validate(config: Mapping[str, Any]) -> None:
    """Fail at start-up, not at the first request, when a required setting is missing."""
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigError(
            "Missing required setting(s): "
            + ", ".join(missing)
            + ". Set them in instance/config.py or as INSPECT_<NAME> environment variables "
            "(for example INSPECT_SECRET_KEY=...); `make demo` creates a development key."
        )
    if len(str(config["SECRET_KEY"])) < 16:
        raise ConfigError("SECRET_KEY is too short: use at least 16 random characters.")
    forms_dir = Path(str(config["FIELD_FORMS_DIR"]))
    if not forms_dir.is_dir():
        raise ConfigError(f"FIELD_FORMS_DIR does not exist: {forms_dir}")
    if config["BABEL_DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ConfigError(f"BABEL_DEFAULT_LOCALE must be one of {SUPPORTED_LOCALES}")
