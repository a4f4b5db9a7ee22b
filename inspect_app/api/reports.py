"""``GET /api/v1/reports``: consumer reports for the district's supervisors (admins: all).

Newest first, a page at a time (``limit``, then ``before_id`` = the last id received). The
reporter's phone number is included: only supervisors and admins may call this endpoint, and
they are who it is for (docs/reports.md). Other roles get 403.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.models.user import Role
from inspect_app.schemas.reports import ReportOut, ReportsQueryIn
from inspect_app.services import reports


@bp.get("/reports")
@token_required(Role.SUPERVISOR, Role.ADMIN)
def list_reports() -> Response:
    query = ReportsQueryIn().load(request.args.to_dict())
    rows = reports.list_for(require_user(), **query)
    out = ReportOut(many=True).dump(
        [
            {
                "id": r.id,
                "tracking_code": r.tracking_code,
                "status": r.status.value,
                "category": r.category.value,
                "instrument_id": r.instrument_id,
                "merchant_id": r.merchant_id,
                "claimed_weight_g": r.claimed_weight_g,
                "found_weight_g": r.found_weight_g,
                "description": r.description,
                "has_photo": r.photo_sha256 is not None,
                "reporter_phone": r.reporter_phone,
                "created_at": r.created_at,
                "closed_at": r.closed_at,
                "outcome_reason": r.outcome_reason,
                "linked_inspection_uuid": linked,
            }
            for r, linked in rows
        ]
    )
    return jsonify(out)
