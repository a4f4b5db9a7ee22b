"""The merchant's side of a finding (docs/merchant-portal.md): each order in plain words with
its deadline, history and evidence, acknowledging it, replying to an inspection (right of
reply, 21 days) and signing the yearly honesty commitment.

Who: merchant users, for their own merchant only (another merchant's order or inspection is
404, ``scoping.merchant_order_or_404`` / ``merchant_inspection_or_404``); every other role 403
(staff read orders on their own pages, web/district_orders.py). The merchant's home page is
``merchants.detail``, which lists the orders, replies and commitment for staff too. Uploading
evidence and serving its files are in web/merchant_evidence.py.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from inspect_app import registry
from inspect_app.auth import require_user, roles_required
from inspect_app.domain.traffic_light import local_today
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import AppError
from inspect_app.models import Inspection, Order
from inspect_app.models.enforcement import MAX_TEXT, EvidenceKind
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import merchant_portal as schema
from inspect_app.services import commitments, merchant_portal, orders, replies, scoping

bp = Blueprint("merchant_portal", __name__, url_prefix="/merchant")

#: The flash categories of the portal's notices: done, and refused.
DONE, REFUSED = "portal", "portal_refused"
#: Refusals shown on the page they concern (anything else is raised to the error page).
_REPLY_REFUSALS = ("REPLY_EXISTS", "REPLY_WINDOW_CLOSED", "INSPECTION_SUPERSEDED")


@bp.app_template_global()
def violation_basis(code: str) -> str:
    """The legal basis of a finding code in the page's language ("" if the code is unknown)."""
    violation = registry.forms().violations.get(code)
    if violation is None:
        return ""
    return violation.legal_basis.en if request_lang() == "en" else violation.legal_basis.zh


@bp.app_template_global()
def merchant_reply(inspection_id: int) -> Any:
    """The merchant's reply to an inspection, for the staff's inspection page."""
    return replies.for_inspection(inspection_id)


def evidence_form_context() -> dict[str, Any]:
    limit = int(current_app.config["EVIDENCE_MAX_BYTES"])
    return {
        "kinds": [k.value for k in EvidenceKind],
        "file_mb": limit // (1024 * 1024),
        "file_max_bytes": limit,
    }


def order_page(
    order: Order,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> tuple[str, int]:
    """The merchant's page of one order; the upload form shows ``values`` and ``errors``."""
    errors = errors or {}
    page = render_template(
        "web/merchant_order.html",
        order=order,
        active=merchant_portal.is_active(order),
        today=local_today(),
        values=values or {},
        errors=errors,
        page_errors=[e for name, found in errors.items() if name == "_schema" for e in found],
        max_text=MAX_TEXT,
        lang=request_lang(),
        **evidence_form_context(),
    )
    return page, status


@bp.get("/orders/<int:order_id>")
@roles_required(Role.MERCHANT)
def order(order_id: int) -> tuple[str, int]:
    return order_page(scoping.merchant_order_or_404(require_user(), order_id))


@bp.post("/orders/<int:order_id>/acknowledge")
@roles_required(Role.MERCHANT)
def acknowledge(order_id: int) -> Response:
    user = require_user()
    found = scoping.merchant_order_or_404(user, order_id)
    try:
        orders.acknowledge(user, found, utcnow())
    except AppError as exc:
        if exc.problem.code != "ORDER_NOT_ACTIVE":
            raise
        flash(message_for(exc.problem), REFUSED)
    else:
        flash(_("You acknowledged the order. The district's supervisors see it."), DONE)
    return redirect(url_for("merchant_portal.order", order_id=found.id), 303)


# ---------------------------------------------------------------- inspections and replies


def _inspection_page(
    inspection: Inspection,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    refusal: AppError | None = None,
) -> tuple[str, int]:
    now = utcnow()
    superseded = replies.is_superseded(inspection)
    page = render_template(
        "web/merchant_inspection.html",
        inspection=inspection,
        orders=merchant_portal.orders_of_inspection(inspection),
        reply=replies.for_inspection(inspection.id),
        window_closes=replies.window_closes(inspection),
        window_open=replies.window_open(inspection, now) and not superseded,
        superseded=superseded,
        values=values or {},
        errors=errors or {},
        refusal=refusal,
        refusal_message=message_for(refusal.problem) if refusal else None,
        max_text=MAX_TEXT,
        lang=request_lang(),
    )
    return page, status


@bp.get("/inspections/<int:inspection_id>")
@roles_required(Role.MERCHANT)
def inspection(inspection_id: int) -> tuple[str, int]:
    return _inspection_page(scoping.merchant_inspection_or_404(require_user(), inspection_id))


@bp.post("/inspections/<int:inspection_id>/reply")
@roles_required(Role.MERCHANT)
def reply(inspection_id: int) -> Response | tuple[str, int]:
    user = require_user()
    found = scoping.merchant_inspection_or_404(user, inspection_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data: dict[str, Any] = schema.ReplyIn().load(typed)
    except ValidationError as exc:
        return _inspection_page(found, 422, typed, schema.field_errors(exc))
    try:
        replies.write(user, found, data["body"], utcnow())
    except AppError as exc:
        if exc.problem.code not in _REPLY_REFUSALS:
            raise
        return _inspection_page(found, exc.problem.status, typed, refusal=exc)
    flash(_("Your reply is kept with the inspection record."), DONE)
    target = url_for("merchant_portal.inspection", inspection_id=found.id)
    return redirect(f"{target}#reply", 303)


# ---------------------------------------------------------------- the honesty commitment


def _commitment_page(
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> tuple[str, int]:
    user = require_user()
    assert user.merchant_id is not None  # a merchant user (the route's role)
    now = utcnow()
    lang = request_lang()
    page = render_template(
        "web/commitment.html",
        wording=commitments.wording(lang),
        version=commitments.TEXT_VERSION,
        year=commitments.local_year(now),
        signed=commitments.current(user.merchant_id, now),
        history=commitments.history(user.merchant_id),
        values=values or {},
        errors=errors or {},
        lang=lang,
    )
    return page, status


@bp.get("/commitment")
@roles_required(Role.MERCHANT)
def commitment() -> tuple[str, int]:
    return _commitment_page()


@bp.post("/commitment")
@roles_required(Role.MERCHANT)
def sign_commitment() -> Response | tuple[str, int]:
    user = require_user()
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data: dict[str, Any] = schema.CommitmentIn().load(typed)
    except ValidationError as exc:
        return _commitment_page(422, typed, schema.field_errors(exc))
    try:
        commitments.sign(user, data["signatory"], utcnow())
    except AppError as exc:
        if exc.problem.code != "COMMITMENT_ALREADY_SIGNED":
            raise
        flash(message_for(exc.problem), REFUSED)
        return redirect(url_for("merchant_portal.commitment"), 303)
    flash(_("Thank you: this year's honesty commitment is signed."), DONE)
    return redirect(url_for("merchants.detail", merchant_id=user.merchant_id), 303)
