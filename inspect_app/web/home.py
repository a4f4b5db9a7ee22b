"""Each role's landing page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.models.user import Role
from inspect_app.services import overview

bp = Blueprint("home", __name__)

_HOME_BY_ROLE = {
    Role.ADMIN: "admin.index",
    Role.SUPERVISOR: "home.supervisor",
    Role.INSPECTOR: "home.inspector",
}


@bp.get("/")
@roles_required()
def index() -> Response:
    user = require_user()
    if user.role == Role.MERCHANT:
        return redirect(url_for("merchants.detail", merchant_id=user.merchant_id))
    return redirect(url_for(_HOME_BY_ROLE[user.role]))


@bp.get("/supervisor/")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def supervisor() -> str:
    user = require_user()
    summary = overview.region_summary(user, date.today())
    return render_template("web/supervisor.html", summary=summary)


@bp.get("/inspector/")
@roles_required(Role.INSPECTOR)
def inspector() -> str:
    recent = overview.inspector_recent(require_user())
    links = {i.id: url_for("review.inspection", uuid=i.uuid) for i in recent}
    return render_template("web/inspector.html", inspections=recent, inspection_links=links)
