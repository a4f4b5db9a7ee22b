"""Template helpers that turn stored codes and UTC times into what a person reads."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime, get_locale

from inspect_app import registry


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


def violation_title(code: str) -> str:
    """The catalogue title of a finding code in the page's language (the code if unknown)."""
    violation = registry.forms().violations.get(code)
    if violation is None:
        return code
    return violation.title.en if _lang() == "en" else violation.title.zh


def form_title(key: str, version: int) -> str:
    definition = registry.forms().get(key, version)
    if definition is None:
        return f"{key} v{version}"
    return definition.title.en if _lang() == "en" else definition.title.zh


def local_time(value: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """UTC from the database, shown in the configured zone (Asia/Shanghai by default)."""
    return "" if value is None else str(format_datetime(value, pattern))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(violation_title=violation_title, form_title=form_title)
    app.jinja_env.filters["local"] = local_time
