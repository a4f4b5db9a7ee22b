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

from flask import g, redirect, request, session, url_for

from inspect_app.error_handlers import wants_json
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Device, Merchant, User
from inspect_app.models.user import Role
from inspect_app.services import accounts
from inspect_app.services.scoping import can_see_merchant

P = ParamSpec("P")
R = TypeVar("R")


def load_session_user() -> None:
    """``before_request`` hook: put the signed-in user (or None) on ``g.user``."""
    g.user = None
    g.device = None
    user_id = session.get("uid")
    if user_id is not None:
        user = db.session.get(User, user_id)
        # The session also carries the password hash's tail, so a password change or
        # deactivation ends every other session at once.
        if user is not None and user.is_active and session.get("pw") == user.password_hash[-16:]:
            g.user = user
        else:
            session.clear()


def login_session(user: User) -> None:
    """Start a fresh session (cleared first, so a pre-login session id is never reused)."""
    session.clear()
    session["uid"] = user.id
    session["pw"] = user.password_hash[-16:]
    if user.locale:
        session["locale"] = user.locale


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


def merchant_or_404(user: User, merchant_id: int) -> Merchant:
    """Load a merchant the user may see; anything else is 404 (never reveal existence)."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not can_see_merchant(user, merchant):
        raise AppError("NOT_FOUND")
    return merchant
