"""``GET /api/v1/merchants/<id>/credit``: a merchant's honesty grade (docs/credit.md).

For admins, staff of the merchant's district and the merchant's own user; anyone else gets
404 (``scoping.merchant_or_404``: ids cannot be probed). The body is the current stored
snapshot; the ``Credit-Snapshot`` header names it, so the grade can be explained later from
its inputs. A merchant with no snapshot yet gets the grade computed now from the same
records, not stored (``Credit-Snapshot: none``): reading never writes.
"""

from __future__ import annotations

from flask import Response, jsonify

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.models.types import utcnow
from inspect_app.schemas.credit import CreditOut
from inspect_app.services import credit
from inspect_app.services.scoping import merchant_or_404


@bp.get("/merchants/<int:merchant_id>/credit")
@token_required()
def merchant_credit(merchant_id: int) -> Response:
    merchant = merchant_or_404(require_user(), merchant_id)
    shown = credit.published(merchant.id, utcnow())
    response = jsonify(
        CreditOut().dump(
            {
                "score": shown.score,
                "grade": shown.grade,
                "capped_by": shown.capped_by,
                "reasons": list(shown.reasons),
                "rule_version": shown.rule_version,
                "computed_at": shown.computed_at,
            }
        )
    )
    response.headers["Credit-Snapshot"] = str(shown.snapshot_id or "none")
    return response
