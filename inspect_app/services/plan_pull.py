"""Plan items on the inspector's tablet ("today's plan", offline): the ``plan_item`` pull entity.

Each inspector pulls only the items assigned to them (``scoping.own_plan_items_clause``) of
plans dated today or later. Anything else in the page (another inspector's item, a past plan,
a cancelled plan's item) goes out as a tombstone, so a tablet drops what is no longer its own.
The reasons come as ``[{"code", "zh", "en"}]`` so the tablet shows them in either language
without a catalogue of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from inspect_app.domain.risk_reasons import describe_all
from inspect_app.extensions import db
from inspect_app.models import Plan, PlanItem, User
from inspect_app.services.scoping import own_plan_items_clause


def load_plan_items(user: User, today: date | None, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The pull ``data`` of the caller's own items among ``ids`` (plans from ``today`` on)."""
    query = (
        select(PlanItem, Plan.plan_date)
        .join(Plan, PlanItem.plan_id == Plan.id)
        .where(PlanItem.id.in_(ids), own_plan_items_clause(user))
    )
    if today is not None:
        query = query.where(Plan.plan_date >= today)
    return {
        item.id: {
            "plan": item.plan_id,
            "plan_date": plan_date.isoformat(),
            "rank": item.rank,
            "merchant": item.merchant_id,
            "selection": item.selection.value,
            "reasons": describe_all(item.reasons),
            "done_at": None if item.done_at is None else item.done_at.isoformat(),
        }
        for item, plan_date in db.session.execute(query)
    }
