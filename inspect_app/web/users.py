"""Admin user pages: create a user, change role or scope, deactivate, reactivate, reset.

Admins only (403 for everyone else). A merchant user is tied to one merchant (the merchant's
id, prefilled from the merchant's registry page). What each action ends is in
``services/users.py``; each is audited. Passwords are taken as typed (never stripped) and
checked by the policy (``domain/passwords.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from inspect_app.schemas import registry as forms
from inspect_app.services import registry, users
from inspect_app.services.users import Scope
from inspect_app.web.form_pages import Errors, Page, render_form, typed, validation_errors

bp = Blueprint("users", __name__, url_prefix="/admin/users")
_FIELDS = ("username", "display_name", "role", "region_id", "merchant_id", "password")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise AppError("NOT_FOUND")
    return user


def _scope(data: Mapping[str, Any]) -> Scope:
    return Scope(Role(data["role"]), data.get("region_id"), data.get("merchant_id"))


def _page(template: str, values: Mapping[str, str], errors: Errors, **ctx: Any) -> str:
    return render_form(
        template,
        values,
        errors,
        _FIELDS,
        regions=registry.all_regions(),
        roles=list(Role),
        **ctx,
    )


@bp.get("/new")
@roles_required(Role.ADMIN)
def new_user() -> str:
    merchant = request.args.get("merchant", "")
    values = {"role": Role.MERCHANT.value, "merchant_id": merchant} if merchant.isdigit() else {}
    return _page("users/new.html", values, {})


@bp.post("/new")
@roles_required(Role.ADMIN)
def create_user() -> Page | Response:
    values = typed("password")
    password = request.form.get("password", "")
    try:
        data = forms.UserCreateIn().load(values)
        created = users.create_user(
            require_user(), data["username"], data["display_name"], _scope(data), password
        )
    except ValidationError as exc:
        return _page("users/new.html", values, forms.field_errors(exc)), 422
    except AppError as exc:
        return _page("users/new.html", values, validation_errors(exc)), 422
    return redirect(url_for("users.user", user_id=created.id, done="created"))


def _user_page(person: User, values: Mapping[str, str], errors: Errors) -> str:
    return _page(
        "users/user.html",
        values,
        errors,
        person=person,
        done=request.args.get("done", ""),
        is_self=person.id == require_user().id,
    )


def _stored(person: User) -> dict[str, str]:
    return {
        "display_name": person.display_name,
        "role": person.role.value,
        "region_id": str(person.region_id or ""),
        "merchant_id": str(person.merchant_id or ""),
    }


@bp.get("/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int) -> str:
    person = _user_or_404(user_id)
    return _user_page(person, _stored(person), {})


@bp.post("/<int:user_id>")
@roles_required(Role.ADMIN)
def update_user(user_id: int) -> Page | Response:
    person = _user_or_404(user_id)
    values = typed()
    try:
        data = forms.UserEditIn().load(values)
        users.update_user(require_user(), person, data["display_name"], _scope(data))
    except ValidationError as exc:
        return _user_page(person, values, forms.field_errors(exc)), 422
    except AppError as exc:
        return _user_page(person, values, validation_errors(exc)), 422
    return redirect(url_for("users.user", user_id=person.id, done="updated"))


@bp.post("/<int:user_id>/deactivate")
@roles_required(Role.ADMIN)
def deactivate(user_id: int) -> Page | Response:
    person = _user_or_404(user_id)
    try:
        users.deactivate_user(require_user(), person)
    except AppError as exc:
        return _user_page(person, _stored(person), validation_errors(exc)), 422
    return redirect(url_for("users.user", user_id=person.id, done="deactivated"))


@bp.post("/<int:user_id>/reactivate")
@roles_required(Role.ADMIN)
def reactivate(user_id: int) -> Response:
    person = _user_or_404(user_id)
    users.reactivate_user(require_user(), person)
    return redirect(url_for("users.user", user_id=person.id, done="reactivated"))


@bp.post("/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> Page | Response:
    """Set a temporary password (as typed, twice); the user's sessions and tokens end."""
    person = _user_or_404(user_id)
    password = request.form.get("password", "")
    try:
        if password != request.form.get("password_confirm", ""):
            raise AppError(
                "VALIDATION_FAILED",
                {
                    "password": [
                        {
                            "code": "PASSWORD_MISMATCH",
                            "en": "The two passwords differ.",
                            "zh": "两次输入的密码不一致。",
                        }
                    ]
                },
            )
        users.reset_password(require_user(), person, password)
    except AppError as exc:
        return _user_page(person, _stored(person), validation_errors(exc)), 422
    return redirect(url_for("users.user", user_id=person.id, done="reset"))
