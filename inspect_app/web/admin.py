"""Administration: users and their devices; revoking a lost tablet's token."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Device
from inspect_app.models.user import Role
from inspect_app.services import accounts, overview

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    users = overview.all_users()
    devices = overview.recent_devices()
    return render_template("web/admin.html", users=users, devices=devices)


@bp.post("/devices/<int:device_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_device(device_id: int) -> Response:
    device = db.session.get(Device, device_id)
    if device is None:
        raise AppError("NOT_FOUND")
    accounts.revoke_device(require_user(), device)
    return redirect(url_for("admin.index"))
