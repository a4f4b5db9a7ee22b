"""User administration: create, change role or scope, deactivate, reactivate, reset a password.

Admins do this on the web (``web/users.py``); ``flask users create`` uses :func:`create_user`
with no actor. Every change is audited. What ends a user's access at once:

* deactivating: the account can no longer sign in, its web sessions end
  (``session_generation``) and its device tokens are revoked;
* resetting the password (:func:`inspect_app.services.accounts.set_password`): the same, the
  account staying active with the temporary password the admin set;
* changing role, region or merchant: the same two, because a tablet holds the reference data
  of the old scope and a session was opened under the old role.

Problems are ``VALIDATION_FAILED`` with ``{field: [{"code", "en", "zh"}]}``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from inspect_app.domain.passwords import password_problems
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Merchant, Region, User
from inspect_app.models.user import Role
from inspect_app.services import accounts, audit

logger = logging.getLogger(__name__)

_USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
STAFF_ROLES = (Role.INSPECTOR, Role.SUPERVISOR)


@dataclass(frozen=True)
class Scope:
    """What a user is: a role, and the region (staff) or merchant (merchant users) it covers."""

    role: Role
    region_id: int | None = None
    merchant_id: int | None = None


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[dict[str, str]]] = {}

    def add(self, field: str, code: str, en: str, zh: str) -> None:
        self.errors.setdefault(field, []).append({"code": code, "en": en, "zh": zh})

    def raise_any(self) -> None:
        if self.errors:
            raise AppError("VALIDATION_FAILED", self.errors)


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def region_by_code(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code.strip()))


def merchant_exists(merchant_id: int) -> bool:
    return db.session.get(Merchant, merchant_id) is not None


def _check_display_name(problems: _Problems, name: str) -> None:
    if not 1 <= len(name) <= 100 or any(not c.isprintable() for c in name):
        problems.add(
            "display_name",
            "NAME_INVALID",
            "Give a name of 1 to 100 printable characters.",
            "姓名须为 1 至 100 个可打印字符。",
        )


def _check_scope(problems: _Problems, scope: Scope) -> None:
    if scope.role in STAFF_ROLES:
        if scope.region_id is None or db.session.get(Region, scope.region_id) is None:
            problems.add(
                "region_id",
                "REGION_REQUIRED",
                "Inspectors and supervisors need a known region.",
                "检查员和监督员须指定已有的辖区。",
            )
    elif scope.region_id is not None:
        problems.add(
            "region_id",
            "REGION_NOT_FOR_ROLE",
            "Only inspectors and supervisors have a region.",
            "只有检查员和监督员有辖区。",
        )
    if scope.role == Role.MERCHANT:
        if scope.merchant_id is None or db.session.get(Merchant, scope.merchant_id) is None:
            problems.add(
                "merchant_id",
                "MERCHANT_REQUIRED",
                "A merchant user needs the id of a registered merchant.",
                "经营者用户须关联已登记的经营者编号。",
            )
    elif scope.merchant_id is not None:
        problems.add(
            "merchant_id",
            "MERCHANT_NOT_FOR_ROLE",
            "Only merchant users are tied to a merchant.",
            "只有经营者用户关联经营者。",
        )


def _check_username(problems: _Problems, username: str) -> None:
    if not _USERNAME_RE.fullmatch(username):
        problems.add(
            "username",
            "USERNAME_FORMAT",
            "Use 2 to 64 letters, digits and . _ @ - (starting with a letter or digit).",
            "用户名为 2 至 64 位字母、数字及 . _ @ -（以字母或数字开头）。",
        )
        return
    taken = db.session.scalar(
        select(User.id).where(func.lower(User.username) == username.lower()).limit(1)
    )
    if taken is not None:
        problems.add(
            "username",
            "USERNAME_TAKEN",
            "This username is taken (case is not told apart).",
            "该用户名已被使用（不区分大小写）。",
        )


def _password_problems(problems: _Problems, password: str, username: str) -> None:
    for problem in password_problems(password, username):
        problems.errors.setdefault("password", []).append(problem.as_dict())


def create_user(
    actor: User | None, username: str, display_name: str, scope: Scope, password: str
) -> User:
    """Register a person; ``actor`` None is the command line.

    :raises AppError: ``VALIDATION_FAILED`` naming each bad field (username format or taken,
        name, region, merchant, password policy).
    """
    username, display_name = username.strip(), display_name.strip()
    problems = _Problems()
    _check_username(problems, username)
    _check_display_name(problems, display_name)
    _check_scope(problems, scope)
    _password_problems(problems, password, username)
    problems.raise_any()
    user = User(
        username=username,
        display_name=display_name,
        role=scope.role,
        region_id=scope.region_id,
        merchant_id=scope.merchant_id,
        password_hash=accounts.hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        "user",
        user.id,
        {"role": scope.role.value, "region_id": scope.region_id, "merchant_id": scope.merchant_id},
    )
    logger.info("User %s created (%s)", user.id, scope.role.value)
    return user


def _end_access(actor: User | None, user: User) -> int:
    accounts.end_sessions(user)
    return accounts.revoke_user_devices(actor, user)


def update_user(actor: User, user: User, display_name: str, scope: Scope) -> None:
    """Change a user's name, role, region or merchant.

    A change of role, region or merchant ends the user's sessions and device tokens. Nobody
    changes their own role or scope here (an admin cannot lock themselves out by mistake).
    """
    display_name = display_name.strip()
    problems = _Problems()
    _check_display_name(problems, display_name)
    _check_scope(problems, scope)
    before = Scope(user.role, user.region_id, user.merchant_id)
    if scope != before and user.id == actor.id:
        problems.add(
            "role",
            "OWN_ROLE",
            "You cannot change your own role or scope; ask another admin.",
            "不能更改自己的角色或范围，请由其他管理员操作。",
        )
    problems.raise_any()
    if display_name != user.display_name:
        user.display_name = display_name
        audit.record(actor, "user.update", "user", user.id, {"changed": ["display_name"]})
    if scope != before:
        user.role, user.region_id, user.merchant_id = scope.role, scope.region_id, scope.merchant_id
        revoked = _end_access(actor, user)
        audit.record(
            actor,
            "user.role_change",
            "user",
            user.id,
            {
                "from": _scope_detail(before),
                "to": _scope_detail(scope),
                "devices_revoked": revoked,
            },
        )


def _scope_detail(scope: Scope) -> dict[str, object]:
    return {
        "role": scope.role.value,
        "region_id": scope.region_id,
        "merchant_id": scope.merchant_id,
    }


def deactivate_user(actor: User, user: User) -> None:
    """Refuse every sign-in of ``user`` from now on; their sessions and tokens stop at once."""
    if user.id == actor.id:
        problems = _Problems()
        problems.add(
            "user",
            "OWN_ACCOUNT",
            "You cannot deactivate your own account.",
            "不能停用自己的账户。",
        )
        problems.raise_any()
    if not user.is_active:
        return
    user.is_active = False
    revoked = _end_access(actor, user)
    audit.record(actor, "user.deactivate", "user", user.id, {"devices_revoked": revoked})
    logger.info("User %s deactivated; %s device(s) revoked", user.id, revoked)


def reactivate_user(actor: User, user: User) -> None:
    """Let ``user`` sign in again (with their password; old sessions and tokens stay dead)."""
    if user.is_active:
        return
    user.is_active = True
    audit.record(actor, "user.reactivate", "user", user.id)


def reset_password(actor: User, user: User, temporary_password: str) -> None:
    """Set a temporary password the admin hands over; ends the user's sessions and tokens.

    :raises AppError: ``VALIDATION_FAILED`` on ``password`` when the policy refuses it.
    """
    accounts.set_password(
        actor, user, temporary_password, action="user.password_reset", field="password"
    )
