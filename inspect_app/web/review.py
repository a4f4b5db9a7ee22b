"""Review on the web: an inspection's page for the district's staff, the supervisors' queue of
received inspections, and the approve / return form (docs/enforcement-pages.md).

Who: staff of the merchant's district read an inspection (admins any; merchant users 403,
another district 404); supervisors of the district and admins decide (inspectors 403). A
decision is :func:`inspect_app.services.review.decide`; a refused one (no reason to return,
already decided, superseded) shows the page again with the problem beside the form and
nothing written.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import AppError
from inspect_app.models import Inspection
from inspect_app.models.enforcement import MAX_TEXT, ReviewDecision
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import supervision as schema
from inspect_app.services import review, scoping, supervision
from inspect_app.web import inspection_detail

bp = Blueprint("review", __name__)

STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
#: Refusals of ``review.decide`` the page explains beside the form (anything else is raised).
_SHOWN_REFUSALS = ("REVIEW_REASON_REQUIRED", "REVIEW_ALREADY_DECIDED", "INSPECTION_SUPERSEDED")
#: The flash category of this page's notices.
NOTICE = "review"


def _page(
    inspection: Inspection,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    refusal: str | None = None,
) -> tuple[str, int]:
    user = require_user()
    facts = supervision.inspection_facts(inspection)
    page = render_template(
        "supervision/inspection.html",
        inspection=inspection,
        facts=facts,
        may_review=scoping.may_review(user, inspection)
        and inspection.review_state.value == "received"
        and facts.corrected_by is None,
        values=values or {},
        errors=errors or {},
        refusal=refusal,
        max_text=MAX_TEXT,
        lang=request_lang(),
        detail=inspection_detail.context(inspection, facts.merchant),
    )
    return page, status


@bp.get("/inspections/<uuid>")
@roles_required(*STAFF)
def inspection(uuid: str) -> tuple[str, int]:
    return _page(scoping.staff_inspection_or_404(require_user(), uuid))


@bp.post("/inspections/<uuid>/review")
@roles_required(*SUPERVISORS)
def decide(uuid: str) -> Response | tuple[str, int]:
    user = require_user()
    found = scoping.inspection_for_review_or_404(user, uuid)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data: dict[str, Any] = schema.ReviewIn().load(typed)
    except ValidationError as exc:
        return _page(found, 422, typed, schema.field_errors(exc))
    decision = ReviewDecision(data["decision"])
    try:
        review.decide(user, found, decision, data["reason"], utcnow())
    except AppError as exc:
        if exc.problem.code not in _SHOWN_REFUSALS:
            raise
        return _page(found, exc.problem.status, typed, refusal=message_for(exc.problem))
    if decision == ReviewDecision.APPROVE:
        flash(_("Inspection approved: its findings now count."), NOTICE)
    else:
        flash(_("Inspection returned to the inspector with your reason."), NOTICE)
    return redirect(url_for("review.inspection", uuid=found.uuid), 303)


@bp.get("/supervisor/review")
@roles_required(*SUPERVISORS)
def queue() -> str:
    user = require_user()
    query: dict[str, Any] = schema.PageQueryIn().load(request.args.to_dict())
    page = supervision.review_queue(user, cursor=query["after"])
    return render_template(
        "supervision/review_queue.html",
        page=page,
        merchants=supervision.merchants(i.merchant_id for i in page.rows),
        total=supervision.received_count(user),
        first_page=query["after"] is None,
    )
