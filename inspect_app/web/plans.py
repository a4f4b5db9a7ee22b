"""Inspection plans for the district's supervisors (admins: every district); docs/plans.md.

* ``GET /plans``: the plans, newest first, and the targeting report (failure rates of
  risk-selected against randomly selected visits) for ``?from=…&to=…`` (default: 90 days).
* ``GET /plans/new`` and ``POST /plans/new``: draw a plan (date, size, random share); 303 to
  it, or the form again with each problem beside its input (422).
* ``GET /plans/<id>``: subjects, inspector, why (risk reasons or "random"), done or pending,
  the seed; ``GET /plans/<id>/verify`` redraws from the stored inputs and says whether the
  same list comes out.
* ``POST /plans/<id>/publish`` (once finished) and ``POST /plans/<id>/cancel`` (before it
  starts): 303 back to the plan, or the plan page with the refusal (409).

Inspectors and merchant users get 403; another district's plan is 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.domain import risk_rules
from inspect_app.domain.risk_reasons import describe_reason
from inspect_app.domain.traffic_light import local_today
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Region
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import plans as schema
from inspect_app.services import plan_reports, plans
from inspect_app.services.scoping import may_plan_in, plan_or_404

bp = Blueprint("plans", __name__)


@bp.record_once
def _check_rules(_state: BlueprintSetupState) -> None:
    """The priority rule's files are read when the app is built: a bad one stops the start-up,
    naming the file and the key (domain/risk_rules.py), instead of failing the first draw."""
    risk_rules.check_rules()


SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
#: The targeting report's default period: the 90 days up to today.
DEFAULT_PERIOD_DAYS = 90


@bp.app_template_global("risk_reason")
def risk_reason(code: str) -> str:
    """A reason code as a phrase in the page's language."""
    return describe_reason(code, request_lang())


def _typed() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


@bp.get("/plans")
@roles_required(*SUPERVISORS)
def index() -> tuple[str, int]:
    user = require_user()
    today = local_today(utcnow())
    status, errors = 200, {}
    args = request.args.to_dict()
    cancelled = args.pop("cancelled", None) is not None
    try:
        period = schema.PeriodIn().load(args)
    except ValidationError as exc:
        status, errors, period = 422, schema.field_errors(exc), {}
    start = period.get("start") or today - timedelta(days=DEFAULT_PERIOD_DAYS)
    end = period.get("end") or today
    region = None if user.role == Role.ADMIN else user.region_id
    page = render_template(
        "plans/index.html",
        plans=plan_reports.plan_list(user),
        report=plan_reports.targeting_report(region, start, end),
        values={"from": start.isoformat(), "to": end.isoformat()},
        errors=errors,
        cancelled=cancelled,
        lang=request_lang(),
    )
    return page, status


def _form_page(
    status: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> tuple[str, int]:
    user = require_user()
    regions = (
        list(db.session.scalars(select(Region).order_by(Region.code)))
        if user.role == Role.ADMIN
        else []
    )
    errors = errors or {}
    fields = {"plan_date", "size", "random_share", "region"}
    page = render_template(
        "plans/new.html",
        values=values or {"plan_date": local_today(utcnow()).isoformat(), "random_share": "20"},
        errors=errors,
        other_errors=[e for name, found in errors.items() if name not in fields for e in found],
        regions=regions,
        lang=request_lang(),
    )
    return page, status


@bp.get("/plans/new")
@roles_required(*SUPERVISORS)
def new_plan() -> tuple[str, int]:
    return _form_page(200)


@bp.post("/plans/new")
@roles_required(*SUPERVISORS)
def create_plan() -> Response | tuple[str, int]:
    user = require_user()
    typed = _typed()
    try:
        data = schema.NewPlanIn().load(typed)
    except ValidationError as exc:
        return _form_page(422, typed, schema.field_errors(exc))
    # Admins choose the district; a supervisor plans for their own (naming another is 404).
    region_id = data["region"] if data["region"] is not None else user.region_id
    if region_id is None:
        return _form_page(422, typed, {"region": [schema.message("choice")]})
    if db.session.get(Region, region_id) is None or not may_plan_in(user, region_id):
        raise AppError("NOT_FOUND")
    try:
        plan = plans.draw_plan(
            user,
            region_id,
            data["plan_date"],
            data["size"],
            schema.share(data["random_share"]),
            utcnow(),
        )
    except AppError as exc:
        if exc.problem.code != "VALIDATION_FAILED" or not exc.errors:
            raise
        return _form_page(422, typed, schema.keyed_errors(dict(exc.errors)))
    return redirect(url_for("plans.detail", plan_id=plan.id), 303)


def _detail_page(plan_id: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    user = require_user()
    plan = plan_or_404(user, plan_id)
    today = local_today(utcnow())
    page = render_template(
        "plans/detail.html",
        plan=plan,
        region=db.session.get(Region, plan.region_id),
        rows=plan_reports.plan_rows(plan),
        publishable=plans.publishable(plan, today),
        cancellable=plans.cancellable(plan, today),
        lang=request_lang(),
        **extra,
    )
    return page, status


@bp.get("/plans/<int:plan_id>")
@roles_required(*SUPERVISORS)
def detail(plan_id: int) -> tuple[str, int]:
    return _detail_page(plan_id, done=request.args.get("done"))


@bp.get("/plans/<int:plan_id>/verify")
@roles_required(*SUPERVISORS)
def verify(plan_id: int) -> tuple[str, int]:
    plan = plan_or_404(require_user(), plan_id)
    return _detail_page(plan.id, verified=plans.verify(plan))


@bp.post("/plans/<int:plan_id>/publish")
@roles_required(*SUPERVISORS)
def publish(plan_id: int) -> Response | tuple[str, int]:
    user = require_user()
    plan = plan_or_404(user, plan_id)
    try:
        plans.publish(plan, utcnow(), user)
    except AppError as exc:
        if exc.problem.code != "PLAN_NOT_FINISHED":
            raise
        return _detail_page(plan.id, exc.problem.status, refusal=message_for(exc.problem))
    return redirect(url_for("plans.detail", plan_id=plan.id, done="published"), 303)


@bp.post("/plans/<int:plan_id>/cancel")
@roles_required(*SUPERVISORS)
def cancel(plan_id: int) -> Response | tuple[str, int]:
    user = require_user()
    plan = plan_or_404(user, plan_id)
    try:
        plans.cancel(user, plan, utcnow())
    except AppError as exc:
        if exc.problem.code != "PLAN_LOCKED":
            raise
        return _detail_page(plan.id, exc.problem.status, refusal=message_for(exc.problem))
    return redirect(url_for("plans.index", cancelled=1), 303)
