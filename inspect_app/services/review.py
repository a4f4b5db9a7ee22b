"""Review: a supervisor of the district approves an inspection or returns it with a reason.

Every inspection arrives ``received``. Only approved findings count for scores and
publication. Returning (``has_issues``) withdraws the orders and alerts the inspection caused
(they acted at once, at the stall); the inspector's answer is a correction, a new inspection
that supersedes it, which is reviewed in its turn. A decision is taken once: a second one, or
one on a record already replaced by its correction, is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Inspection, InspectionReview, User
from inspect_app.models.enforcement import MAX_TEXT, ReviewDecision
from inspect_app.models.inspection import ReviewState
from inspect_app.services import audit, credit, enforcement

STATE_AFTER: dict[ReviewDecision, ReviewState] = {
    ReviewDecision.APPROVE: ReviewState.APPROVED,
    ReviewDecision.RETURN: ReviewState.HAS_ISSUES,
}


def is_superseded(inspection: Inspection) -> bool:
    return (
        db.session.scalar(select(Inspection.id).where(Inspection.supersedes_id == inspection.id))
        is not None
    )


def decide(
    actor: User, inspection: Inspection, decision: ReviewDecision, reason: str, now: datetime
) -> InspectionReview:
    """Record the decision and apply it (the caller has checked the actor may review here)."""
    reason = reason.strip()
    if decision == ReviewDecision.RETURN and not reason:
        raise AppError("REVIEW_REASON_REQUIRED", {"reason": ["required to return"]})
    if len(reason) > MAX_TEXT:
        raise AppError("VALIDATION_FAILED", {"reason": [f"at most {MAX_TEXT} characters"]})
    if is_superseded(inspection):
        raise AppError("INSPECTION_SUPERSEDED")
    if inspection.review_state != ReviewState.RECEIVED:
        raise AppError("REVIEW_ALREADY_DECIDED")
    review = InspectionReview(
        inspection_id=inspection.id,
        decision=decision,
        reason=reason,
        reviewer_id=actor.id,
        created_at=now,
    )
    db.session.add(review)
    inspection.review_state = STATE_AFTER[decision]
    if decision == ReviewDecision.RETURN:
        enforcement.withdraw_caused_by(inspection, f"returned in review: {reason}", actor, now)
    # Approval makes the findings count; the grade follows before the decision commits.
    credit.mark_dirty(inspection.merchant_id, "review", now)
    db.session.flush()
    audit.record(
        actor,
        "inspection.review",
        "inspection",
        inspection.uuid,
        {"decision": decision.value, "reason": reason},
    )
    return review


def history(inspection: Inspection) -> list[InspectionReview]:
    return list(
        db.session.scalars(
            select(InspectionReview)
            .where(InspectionReview.inspection_id == inspection.id)
            .order_by(InspectionReview.id)
        )
    )
