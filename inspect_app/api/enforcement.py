"""Review decisions, the alert list and a merchant's orders (``/api/v1``).

* ``POST /inspections/<uuid>/review``: supervisors of the inspection's district and admins;
  other roles 403, another district's (or an unknown) inspection 404.
* ``GET /alerts``: supervisors (their district) and admins, newest first.
* ``GET /orders?merchant=<id>``: staff of the merchant's district, admins, and the merchant's
  own user; any other merchant is 404.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.extensions import db
from inspect_app.models import Inspection
from inspect_app.models.enforcement import ReviewDecision
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas.common import json_body, load
from inspect_app.schemas.enforcement import (
    AlertsOut,
    AlertsQueryIn,
    OrdersOut,
    OrdersQueryIn,
    ReviewIn,
    ReviewOut,
)
from inspect_app.services import alerts, orders, review, scoping


@bp.post("/inspections/<uuid>/review")
@token_required(Role.SUPERVISOR, Role.ADMIN)
def review_inspection(uuid: str) -> Response:
    user = require_user()
    inspection = scoping.inspection_for_review_or_404(user, uuid)
    data = load(ReviewIn(), json_body())
    decision = review.decide(
        user, inspection, ReviewDecision(data["decision"]), data["reason"], utcnow()
    )
    return jsonify(
        ReviewOut().dump(
            {
                "uuid": inspection.uuid,
                "review_state": inspection.review_state.value,
                "decision": decision.decision.value,
                "reason": decision.reason,
                "reviewed_at": decision.created_at,
                "reviewed_by": user.id,
            }
        )
    )


@bp.get("/alerts")
@token_required(Role.SUPERVISOR, Role.ADMIN)
def list_alerts() -> Response:
    query = AlertsQueryIn().load(request.args.to_dict())
    rows = alerts.inbox(
        require_user(),
        limit=query["limit"],
        open_only=query["status"] == "open",
        before_id=query["before_id"],
    )
    ids = {a.inspection_id for a in rows if a.inspection_id is not None}
    uuids: dict[int, str] = {
        row.id: row.uuid
        for row in db.session.execute(
            select(Inspection.id, Inspection.uuid).where(Inspection.id.in_(ids))
        )
    }
    return jsonify(
        AlertsOut().dump(
            {
                "alerts": [
                    {
                        "id": a.id,
                        "kind": a.kind.value,
                        "severity": a.severity,
                        "merchant_id": a.merchant_id,
                        "instrument_id": a.instrument_id,
                        "inspection_uuid": uuids.get(a.inspection_id) if a.inspection_id else None,
                        "created_at": a.created_at,
                        "acknowledged_at": a.acknowledged_at,
                    }
                    for a in rows
                ]
            }
        )
    )


@bp.get("/orders")
@token_required(*Role)
def list_orders() -> Response:
    query = OrdersQueryIn().load(request.args.to_dict())
    merchant = scoping.merchant_or_404(require_user(), query["merchant"])
    rows = orders.merchant_orders(merchant.id)
    return jsonify(
        OrdersOut().dump(
            {
                "orders": [
                    {
                        "id": o.id,
                        "kind": o.kind.value,
                        "status": o.status.value,
                        "instrument_id": o.instrument_id,
                        "finding_code": o.finding_code,
                        "due_date": o.due_date,
                        "created_at": o.created_at,
                    }
                    for o in rows
                ]
            }
        )
    )
