"""Sign in, sign out and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from inspect_app.auth import current_user, login_session
from inspect_app.config import SUPPORTED_LOCALES
from inspect_app.error_handlers import message_for
from inspect_app.errors import AppError
from inspect_app.extensions import limiter
from inspect_app.services import accounts, audit

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else (``//evil``, ``https://…``) goes home."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


@bp.get("/login")
def login() -> str | Response:
    if current_user() is not None:
        return redirect(url_for("home.index"))
    return render_template("web/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@limiter.limit(lambda: str(current_app.config["RATELIMIT_LOGIN"]))
def login_post() -> tuple[str, int] | Response:
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    try:
        user = accounts.authenticate(username, password)
    except AppError as exc:
        page = render_template(
            "web/login.html",
            next=request.form.get("next", ""),
            error=message_for(exc.problem),
            username=username,
        )
        return page, exc.problem.status
    login_session(user)
    audit.record(user, "login", "user", user.id, {"via": "web"})
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    """Remember the language in the session, and on the user for their next device."""
    if code not in SUPPORTED_LOCALES:
        raise AppError("NOT_FOUND")
    session["locale"] = code
    user = current_user()
    if user is not None:
        user.locale = code
    return redirect(_safe_next(request.form.get("next")))


@bp.app_context_processor
def _inject() -> dict[str, object]:
    return {
        "current_user": current_user(),
        "app_title": _("Market Metrology Inspection"),
        "get_locale": get_locale,
    }
