"""The district's orders (docs/enforcement-pages.md): a list filtered by status, overdue first,
and each order's page with its history and the merchant's evidence, where a supervisor
accepts or rejects each piece.

Who: staff of the district read (admins any; merchant users 403, they have their own
pages; another district's order 404); supervisors of the district and admins decide on
evidence (inspectors 403). Accepting closes the order, and a certificate renews the
instrument's verification (:func:`inspect_app.services.orders.decide_evidence`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.domain.traffic_light import local_today
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import AppError
from inspect_app.models import Order
from inspect_app.models.enforcement import MAX_TEXT
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import supervision as schema
from inspect_app.services import orders, scoping, supervision

bp = Blueprint("district_orders", __name__)

STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
#: The flash category of the order page's notices.
NOTICE = "orders"
#: Refusals of ``orders.decide_evidence`` shown on the page (anything else is raised).
_SHOWN_REFUSALS = ("EVIDENCE_ALREADY_DECIDED", "ORDER_NOT_ACTIVE")


@bp.get("/orders")
@roles_required(*STAFF)
def order_list() -> str:
    user = require_user()
    query: dict[str, Any] = schema.OrdersQueryIn().load(request.args.to_dict())
    found = supervision.district_orders(user, query["status"])
    return render_template(
        "supervision/orders.html",
        orders=found[: supervision.ORDERS_SHOWN],
        more=len(found) > supervision.ORDERS_SHOWN,
        status=query["status"],
        filters=schema.ORDER_FILTERS,
        today=local_today(),
    )


def _page(
    order: Order,
    status: int = 200,
    failed: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    refusal: str | None = None,
) -> tuple[str, int]:
    user = require_user()
    ids = [e.actor_id for e in order.events]
    ids += [e.uploaded_by_id for e in order.evidence] + [e.decided_by_id for e in order.evidence]
    page = render_template(
        "supervision/order.html",
        order=order,
        people=supervision.people(ids),
        may_decide=scoping.may_decide_evidence(user, order),
        failed=failed,
        values=values or {},
        errors=errors or {},
        refusal=refusal,
        max_text=MAX_TEXT,
        today=local_today(),
        lang=request_lang(),
    )
    return page, status


@bp.get("/orders/<int:order_id>")
@roles_required(*STAFF)
def order(order_id: int) -> tuple[str, int]:
    return _page(scoping.staff_order_or_404(require_user(), order_id))


@bp.post("/evidence/<int:evidence_id>/decision")
@roles_required(*SUPERVISORS)
def decide_evidence(evidence_id: int) -> Response | tuple[str, int]:
    user = require_user()
    evidence = scoping.evidence_for_decision_or_404(user, evidence_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data: dict[str, Any] = schema.EvidenceDecisionIn().load(typed)
    except ValidationError as exc:
        return _page(evidence.order, 422, evidence.id, typed, schema.field_errors(exc))
    accept = data["decision"] == "accept"
    now = utcnow()
    try:
        orders.decide_evidence(user, evidence, accept, data["reason"], now, local_today(now))
    except AppError as exc:
        if exc.problem.code not in _SHOWN_REFUSALS:
            raise
        refusal = message_for(exc.problem)
        return _page(evidence.order, exc.problem.status, evidence.id, typed, refusal=refusal)
    if accept:
        flash(_("Evidence accepted: the order is closed."), NOTICE)
    else:
        flash(_("Evidence rejected: the merchant sees your reason."), NOTICE)
    target = url_for("district_orders.order", order_id=evidence.order_id)
    return redirect(f"{target}#evidence-{evidence.id}", 303)
