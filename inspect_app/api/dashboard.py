"""``GET /api/v1/dashboard/summary`` and ``/dashboard/status``: the supervisors' figures.

Supervisors (their district) and admins (every district, or the one they name); other roles
403. A device token or the signed-in web session (``auth.user_required``), so the dashboard
pages call the same endpoints as a tablet. A district or market outside the caller's scope is
404. Figures come from the rollups only (``services/dashboard``); docs/dashboards.md.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from inspect_app.api import bp
from inspect_app.auth import require_user, user_required
from inspect_app.errors import AppError
from inspect_app.models import User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas.dashboard import PeriodQueryIn, StatusOut, StatusQueryIn, SummaryOut
from inspect_app.services import dashboard, dashboard_status, scoping
from inspect_app.services.dashboard import Filter, Period
from inspect_app.services.rollups import local_day

SUPERVISION = (Role.SUPERVISOR, Role.ADMIN)


def _region(user: User, region_id: int | None) -> int | None:
    """A district the caller may see and that exists (else ``NOT_FOUND``), or None."""
    if region_id is not None and (
        not scoping.sees_region(user, region_id) or not dashboard.regions(Filter(user, region_id))
    ):
        raise AppError("NOT_FOUND")
    return region_id


def period_filter(user: User) -> tuple[Filter, Period]:
    """The query's period and filter, the district and market checked against the scope."""
    query: dict[str, Any] = PeriodQueryIn().load(request.args.to_dict())
    if query["market"] is not None:
        scoping.market_or_404(user, query["market"])
    flt = Filter(user, _region(user, query["region"]), query["market"], query["form"])
    return flt, Period(query["start"], query["end"])


@bp.get("/dashboard/summary")
@user_required(*SUPERVISION)
def dashboard_summary() -> Response:
    flt, period = period_filter(require_user())
    return jsonify(SummaryOut().dump(dashboard.summary(flt, period)))


@bp.get("/dashboard/status")
@user_required(*SUPERVISION)
def dashboard_state() -> Response:
    user = require_user()
    query = StatusQueryIn().load(request.args.to_dict())
    figures = dashboard_status.status(user, local_day(utcnow()), _region(user, query["region"]))
    return jsonify(StatusOut().dump(figures))
