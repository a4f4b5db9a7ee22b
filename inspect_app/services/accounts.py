"""Sign-in, sessions, passwords, device tokens and their revocation."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.domain import passwords
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Device, User
from inspect_app.models.types import utcnow
from inspect_app.services import audit

logger = logging.getLogger(__name__)

# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")

#: Shortest password :func:`set_password` accepts (the policy: ``domain/passwords.py``).
PASSWORD_MIN_LENGTH = passwords.MIN_LENGTH


def hash_password(password: str) -> str:
    """scrypt via werkzeug (salted; parameters stored in the hash string)."""
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str) -> User:
    """Return the active user with these credentials.

    :raises AppError: ``AUTH_INVALID_CREDENTIALS`` for an unknown user, a wrong password or an
        inactive account (one message for all three, so usernames cannot be probed).
    """
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AppError("AUTH_INVALID_CREDENTIALS")
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        raise AppError("AUTH_INVALID_CREDENTIALS")
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_device_token(user: User, device_name: str, ttl_days: int) -> tuple[Device, str]:
    """Create a device and return it with its bearer token (shown once, stored as a hash)."""
    token = secrets.token_urlsafe(32)
    device = Device(
        user_id=user.id,
        name=device_name.strip()[:100],
        token_sha256=_token_digest(token),
        expires_at=utcnow() + timedelta(days=ttl_days),
    )
    db.session.add(device)
    db.session.flush()
    audit.record(user, "device.issue", "device", device.id, {"name": device.name})
    logger.info("Device %s issued to user %s", device.id, user.id)
    return device, token


def resolve_device_token(token: str) -> Device:
    """Return the live device for a bearer token.

    :raises AppError: ``AUTH_TOKEN_INVALID`` when unknown, expired, revoked or the user is
        deactivated; revocation takes effect on the very next request.
    """
    device = db.session.scalar(select(Device).where(Device.token_sha256 == _token_digest(token)))
    now = utcnow()
    if (
        device is None
        or device.revoked_at is not None
        or device.expires_at <= now
        or not device.user.is_active
    ):
        raise AppError("AUTH_TOKEN_INVALID")
    # Written at most once a minute per device so a busy sync does not rewrite the row each call.
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
        device.last_seen_at = now
    return device


def revoke_device(actor: User | None, device: Device) -> None:
    """Revoke a device token at once (idempotent)."""
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        audit.record(actor, "device.revoke", "device", device.id, {"user_id": device.user_id})


def end_sessions(user: User) -> None:
    """End every web session of ``user``: each cookie issued so far stops working.

    Sessions carry the user's ``session_generation`` from when they began
    (:func:`inspect_app.auth.login_session`); bumping it refuses them all, copies of a cookie
    included. Signing out uses this, so it signs the user out of every browser at once.
    """
    user.session_generation += 1


def revoke_user_devices(actor: User | None, user: User) -> int:
    """Revoke every live device token of ``user``; returns how many were revoked."""
    devices = db.session.scalars(
        select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
    ).all()
    for device in devices:
        revoke_device(actor, device)
    return len(devices)


def set_password(
    actor: User | None,
    user: User,
    new_password: str,
    *,
    action: str = "user.password_change",
    field: str = "new_password",
) -> None:
    """Give ``user`` a new password; end their web sessions and revoke their device tokens.

    Whoever held the old password may have signed in somewhere: nothing started with it
    survives. The caller starts a fresh session when the user changed their own password.
    ``action`` is what the audit entry says (an admin's reset is ``user.password_reset``).

    :raises AppError: ``VALIDATION_FAILED`` on ``field`` (``{"code", "en", "zh"}`` each) when
        the password policy (:func:`inspect_app.domain.passwords.password_problems`) refuses it.
    """
    problems = passwords.password_problems(new_password, user.username)
    if problems:
        raise AppError("VALIDATION_FAILED", {field: [p.as_dict() for p in problems]})
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    revoked = revoke_user_devices(actor, user)
    audit.record(actor, action, "user", user.id, {"devices_revoked": revoked})
    logger.info("Password of user %s changed; %s device(s) revoked", user.id, revoked)


def change_password(actor: User, user: User, current_password: str, new_password: str) -> None:
    """``user`` changes their own password, proving the current one first.

    :raises AppError: ``AUTH_INVALID_CREDENTIALS`` when ``current_password`` is wrong,
        ``VALIDATION_FAILED`` when the policy refuses the new one (see :func:`set_password`).
    """
    if not check_password_hash(user.password_hash, current_password):
        raise AppError("AUTH_INVALID_CREDENTIALS")
    set_password(actor, user, new_password)
