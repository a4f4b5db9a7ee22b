"""Language choice: the user's preference, then the session, then Accept-Language."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import refresh

from inspect_app.config import PROJECT_ROOT, SUPPORTED_LOCALES
from inspect_app.extensions import babel


def select_locale() -> str:
    user = g.get("user")
    if user is not None and user.locale in SUPPORTED_LOCALES:
        return str(user.locale)
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best == "en":
        return "en"
    if best in ("zh_CN", "zh"):
        return "zh_CN"
    return "zh_CN"


def init_app(app: Flask) -> None:
    # Flask-Babel caches the locale on the app context. Tests (and CLI tasks) keep one app
    # context across several requests, so forget the cached choice at each request start.
    app.before_request(refresh)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "inspect_app" / "translations"),
    )
