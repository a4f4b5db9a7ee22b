"""Who is asking: session users for HTML, device tokens for the API, and role/region checks.

Blueprints use these decorators; services receive the resulting ``User`` explicitly.
Scoping rule (docs/architecture.md): admins see every region; supervisors and inspectors see
their own region; a merchant user sees only its own merchant. An object outside the caller's
scope is reported as 404, not 403, so ids cannot be probed; a role that may never use a page
gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Response, current_app, g, redirect, request, session, url_for
from flask_limiter.util import get_remote_address

from inspect_app.error_handlers import wants_json
from inspect_app.errors import AppError
from inspect_app.extensions import csrf, db, limiter
from inspect_app.models import Device, User
from inspect_app.models.user import Role
from inspect_app.schemas.common import json_body
from inspect_app.services import accounts

P = ParamSpec("P")
R = TypeVar("R")


def load_session_user() -> None:
    """``before_request`` hook: put the signed-in user (or None) on ``g.user``."""
    g.user = None
    g.device = None
    user_id = session.get("uid")
    if user_id is not None:
        user = db.session.get(User, user_id) if isinstance(user_id, int) else None
        # The session carries the user's session generation from when it began. Signing out
        # and changing the password bump the generation, so every copy of an older cookie is
        # refused from the next request on; deactivation ends it too.
        if user is not None and user.is_active and session.get("gen") == user.session_generation:
            g.user = user
        else:
            session.clear()


def login_session(user: User) -> None:
    """Start a fresh session (cleared first, so a pre-login session id is never reused).

    The cookie holds the user id and the session generation, nothing derived from the
    password: the cookie is only signed, not encrypted, so whoever holds it can read it.
    """
    session.clear()
    session["uid"] = user.id
    session["gen"] = user.session_generation
    if user.locale:
        session["locale"] = user.locale


# ---------------------------------------------------------------- failed sign-in counters
#
# POST /login and POST /api/v1/auth/token share two counters: one per client address and one
# per account (the username, stripped and lower-cased). Only failed attempts (401) count, so a
# demo that switches between users never locks itself out; once either counter reaches its
# limit every attempt it covers is refused with 429, a right password included, until the
# window passes. The counters live in RATELIMIT_STORAGE_URI, so workers sharing Redis share
# them. A wrong current password on the password-change page counts against the account too.


def _failed_attempt(response: Response) -> bool:
    return response.status_code == 401


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def _address_key() -> str:
    return f"address:{get_remote_address() or '-'}"


def _account(username: object) -> str:
    name = username.strip().lower() if isinstance(username, str) else ""
    # Never empty: flask-limiter skips a limit whose key is empty.
    return f"account:{name}"


def _claimed_account_key() -> str:
    """The account a sign-in attempt names: the form field on pages, the JSON body's on the API."""
    if request.path.startswith("/api/"):
        try:
            body = json_body()
        except AppError:
            body = None  # the view refuses it (415/400) before any password is checked
        return _account(body.get("username") if isinstance(body, dict) else None)
    return _account(request.form.get("username"))


def _signed_in_account_key() -> str:
    user = current_user()
    return _account(user.username if user is not None else None)


_FAILURES_BY_ADDRESS = limiter.shared_limit(
    _setting("RATELIMIT_LOGIN"),
    scope="login-failures-address",
    key_func=_address_key,
    deduct_when=_failed_attempt,
)
_FAILURES_BY_CLAIMED_ACCOUNT = limiter.shared_limit(
    _setting("RATELIMIT_LOGIN_ACCOUNT"),
    scope="login-failures-account",
    key_func=_claimed_account_key,
    deduct_when=_failed_attempt,
)
_FAILURES_BY_SIGNED_IN_ACCOUNT = limiter.shared_limit(
    _setting("RATELIMIT_LOGIN_ACCOUNT"),
    scope="login-failures-account",
    key_func=_signed_in_account_key,
    deduct_when=_failed_attempt,
)


def sign_in_attempts(view: Callable[P, R]) -> Callable[P, R]:
    """For views that check a password someone claims: counts their 401s (see above)."""
    return _FAILURES_BY_ADDRESS(_FAILURES_BY_CLAIMED_ACCOUNT(view))


def password_checks(view: Callable[P, R]) -> Callable[P, R]:
    """For views that check the signed-in user's current password: same counters."""
    return _FAILURES_BY_ADDRESS(_FAILURES_BY_SIGNED_IN_ACCOUNT(view))


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def require_user() -> User:
    """The signed-in user, for views already guarded by a decorator."""
    user = current_user()
    if user is None:
        raise AppError("AUTH_REQUIRED")
    return user


def current_device() -> Device:
    device: Device | None = g.get("device")
    if device is None:
        raise AppError("AUTH_TOKEN_INVALID")
    return device


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """HTML views: anonymous users go to the login page; a wrong role gets 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            user = current_user()
            if user is None:
                if wants_json():
                    raise AppError("AUTH_REQUIRED")
                return redirect(url_for("auth.login", next=request.full_path))  # type: ignore[return-value]
            if roles and user.role not in roles:
                raise AppError("FORBIDDEN")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def token_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """API views: a valid ``Authorization: Bearer`` device token, and one of ``roles``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AppError("AUTH_REQUIRED")
            device = accounts.resolve_device_token(token.strip())
            g.device = device
            g.user = device.user
            if roles and device.user.role not in roles:
                raise AppError("FORBIDDEN")
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: Methods that change nothing: a web session may call them on the API without a CSRF token.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def user_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """API views a tablet and a signed-in page both call: a bearer token, or the session.

    An ``Authorization`` header is always judged as a device token (a bad one is 401 even
    with a session). Without one, the signed-in session user is accepted; for a method that
    changes something the session must also carry the CSRF token (``X-CSRFToken``), because
    a browser sends the cookie with any site's request (the API blueprint is otherwise
    exempt from CSRF: tokens are not sent by browsers on their own). Nobody: 401; a role not
    in ``roles``: 403.
    """

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            header = request.headers.get("Authorization")
            if header is not None:
                scheme, _, token = header.partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    raise AppError("AUTH_REQUIRED")
                device = accounts.resolve_device_token(token.strip())
                g.device = device
                g.user = device.user
            elif current_user() is None:
                raise AppError("AUTH_REQUIRED")
            elif request.method not in _SAFE_METHODS:
                csrf.protect()
            user = require_user()
            if roles and user.role not in roles:
                raise AppError("FORBIDDEN")
            return view(*args, **kwargs)

        return wrapped

    return decorator
