"""The supervisors' dashboard: the overview's tiles, the map and the trends (docs/dashboards.md,
"Pages"); the lists behind the tiles are :mod:`inspect_app.web.dashboard_lists`.

Supervisors (their district) and admins (every district, or one named by ``region``); others
403. Period figures come from the rollups (``services/dashboard``), states (overdue
verifications, orders, reports, alerts) from ``services/dashboard_status``; the map's data is a
JSON endpoint the page's script fetches with the session (``/dashboard/map.json``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from inspect_app.auth import require_user, roles_required
from inspect_app.error_handlers import problem_body, request_lang
from inspect_app.errors import CATALOGUE, AppError
from inspect_app.models.user import Role
from inspect_app.schemas.dashboard_pages import PeriodQueryIn
from inspect_app.services import dashboard, dashboard_map, dashboard_status, dashboard_trends
from inspect_app.services.dashboard import Filter, Period
from inspect_app.web import charts
from inspect_app.web import dashboard_query as dq
from inspect_app.web.dashboard_lists import SHOWN, refused

bp = Blueprint("dashboard", __name__)

SUPERVISION = (Role.SUPERVISOR, Role.ADMIN)


#: What a refused query string raises (the views answer with :func:`refused`).
REFUSED = (ValidationError, AppError)


def _query() -> tuple[Filter, Period, dict[str, Any]]:
    user = require_user()
    q = dq.load(PeriodQueryIn())
    period = dq.period(q)
    return Filter(user, dq.region(user, q["region"]), None, q["form"]), period, q


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


@bp.get("/dashboard")
@roles_required(*SUPERVISION)
def overview() -> tuple[str, int]:
    try:
        flt, period, q = _query()
    except REFUSED as exc:
        return refused(exc, "dashboard.overview")
    summary = dashboard.summary(flt, period)
    state = dashboard_status.status(flt.user, dq.today(), flt.region_id)
    args = dq.period_args(period, flt.region_id)
    previous = summary["previous"]
    return render_template(
        "dashboard/overview.html",
        summary=summary,
        state=state,
        period=period,
        previous=previous,
        change={
            "inspections": _change(summary["inspections"], previous and previous["inspections"]),
            "pass_rate": _change(summary["pass_rate"], previous and previous["pass_rate"]),
            "failed": _change(summary["failed"], previous and previous["failed"]),
        },
        args=args,
        region_id=flt.region_id,
        choices=dq.choices(flt.user, None, request_lang()),
        values=q,
        lang=request_lang(),
    ), 200


@bp.get("/dashboard/trends")
@roles_required(*SUPERVISION)
def trends() -> tuple[str, int]:
    try:
        flt, period, q = _query()
    except REFUSED as exc:
        return refused(exc, "dashboard.trends")
    data = dashboard_trends.trends(flt, period)
    lang = request_lang()
    return render_template(
        "dashboard/trends.html",
        data=data,
        period=period,
        charts=charts.trend_charts(data, lang, gettext("All forms"), gettext("Outside any market")),
        args=dq.period_args(period, flt.region_id),
        region_id=flt.region_id,
        choices=dq.choices(flt.user, None, lang),
        values=q,
        lang=lang,
    ), 200


@bp.get("/dashboard/map")
@roles_required(*SUPERVISION)
def map_page() -> tuple[str, int]:
    try:
        flt, period, q = _query()
    except REFUSED as exc:
        return refused(exc, "dashboard.map_page")
    args = dq.period_args(period, flt.region_id)
    return render_template(
        "dashboard/map.html",
        period=period,
        data_url=url_for("dashboard.map_data", **dq.query_string(args, form=flt.form_key)),
        markets=dashboard_map.markets(flt, period),
        tile_url=current_app.config.get("MAP_TILE_URL"),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        args=args,
        region_id=flt.region_id,
        choices=dq.choices(flt.user, None, request_lang()),
        values=q,
        lang=request_lang(),
    ), 200


@bp.get("/dashboard/map.json")
@roles_required(*SUPERVISION)
def map_data() -> Response | tuple[Response, int]:
    try:
        flt, period, _q = _query()
    except REFUSED as exc:
        code, errors = _problem(exc)
        return jsonify(problem_body(code, errors)), CATALOGUE[code].status
    data = dashboard_map.map_data(flt, period)
    for market in data["markets"]:
        market["list_url"] = url_for(
            "dashboard_lists.inspections",
            **dq.query_string(
                dq.period_args(period, flt.region_id), market=market["id"], form=flt.form_key
            ),
        )
    for point in data["points"]:
        point["url"] = url_for("review.inspection", uuid=point.pop("inspection"))
    return jsonify(data)


def _problem(exc: ValidationError | AppError) -> tuple[str, Any]:
    if isinstance(exc, ValidationError):
        return "VALIDATION_FAILED", exc.messages
    if exc.problem.code not in SHOWN:
        raise exc
    return exc.problem.code, exc.errors
