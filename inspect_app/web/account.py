"""Sign in, sign out, change one's password, and the language switch."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from inspect_app.auth import (
    current_user,
    login_session,
    password_checks,
    require_user,
    roles_required,
    sign_in_attempts,
)
from inspect_app.config import SUPPORTED_LOCALES
from inspect_app.domain.passwords import password_problems
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import AppError
from inspect_app.schemas.common import unstorable_text
from inspect_app.services import accounts, audit

bp = Blueprint("auth", __name__)


def _same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Refused: other sites (``//evil``, ``https://…``), backslashes (browsers read ``/\\evil``
    as ``//evil``), and any control or invisible format character: a line break cannot go
    into a Location header at all, and browsers drop tabs and line breaks from URLs, which
    would turn ``/<TAB>/evil`` into ``//evil``.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(unicodedata.category(char)[0] == "C" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _safe_next(target: str | None) -> str:
    """Where to go after a form: ``target`` if it is a same-site path, else the start page."""
    return _same_site_path(target) or url_for("home.index")


@bp.get("/login")
def login() -> str | Response:
    if current_user() is not None:
        return redirect(url_for("home.index"))
    return render_template("web/login.html", next=_same_site_path(request.args.get("next")) or "")


@bp.post("/login")
@sign_in_attempts
def login_post() -> tuple[str, int] | Response:
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    try:
        if unstorable_text(username) or unstorable_text(password):
            # NUL (PostgreSQL cannot even look it up) or a lone surrogate: no such account.
            raise AppError("AUTH_INVALID_CREDENTIALS")
        user = accounts.authenticate(username, password)
    except AppError as exc:
        page = render_template(
            "web/login.html",
            next=_same_site_path(request.form.get("next")) or "",
            error=message_for(exc.problem),
            username=username,
        )
        return page, exc.problem.status
    login_session(user)
    audit.record(user, "login", "user", user.id, {"via": "web"})
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere: every copy of this session's cookie stops working (and the user's
    sessions in other browsers end too, see ``accounts.end_sessions``)."""
    user = current_user()
    if user is not None:
        accounts.end_sessions(user)
    session.clear()
    return redirect(url_for("auth.login"))


def _password_page(status: int = 200, error: str | None = None) -> tuple[str, int]:
    page = render_template(
        "web/password.html",
        error=error,
        changed=request.args.get("changed") == "1",
        min_length=accounts.PASSWORD_MIN_LENGTH,
    )
    return page, status


@bp.get("/account/password")
@roles_required()
def password() -> tuple[str, int]:
    return _password_page()


@bp.post("/account/password")
@roles_required()
@password_checks
def password_post() -> tuple[str, int] | Response:
    """Change one's own password: this session goes on, every other one and every device
    token of the user ends (a wrong current password counts as a failed sign-in)."""
    user = require_user()
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    if problems := password_problems(new, user.username):  # the policy, domain/passwords.py
        return _password_page(422, " ".join(p.message(request_lang()) for p in problems))
    if new != request.form.get("new_password_confirm", ""):
        return _password_page(422, _("The two new passwords differ."))
    try:
        accounts.change_password(user, user, current, new)
    except AppError as exc:
        if exc.problem.code != "AUTH_INVALID_CREDENTIALS":
            raise
        return _password_page(exc.problem.status, _("The current password is wrong."))
    login_session(user)  # the new generation: this browser stays signed in
    return redirect(url_for("auth.password", changed=1))


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
