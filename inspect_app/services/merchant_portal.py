"""Read model of the merchant's side of a finding: its orders, replies and commitment, as the
merchant's page shows them (to the merchant user and to the district's staff alike).

Orders come as ``orders.merchant_orders`` gives them: the ones needing action first (overdue,
open, waiting for a decision on evidence), then closed and withdrawn ones, newest first, so the
history stays in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.extensions import db
from inspect_app.models import Commitment, Inspection, MerchantReply, Order, OrderEvent
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES
from inspect_app.services import commitments, orders, replies


@dataclass(frozen=True)
class MerchantSide:
    """What the merchant's page shows beside its instruments and inspections."""

    orders: list[Order]
    replies: dict[int, MerchantReply]
    commitment: Commitment | None
    commitment_year: int


def merchant_side(merchant_id: int, inspections: list[Inspection], now: datetime) -> MerchantSide:
    return MerchantSide(
        orders=orders.merchant_orders(merchant_id),
        replies=replies.for_inspections(i.id for i in inspections),
        commitment=commitments.current(merchant_id, now),
        commitment_year=commitments.local_year(now),
    )


def is_active(order: Order) -> bool:
    return order.status in ACTIVE_ORDER_STATUSES


def days_left(order: Order, today: date) -> int:
    """Days until the deadline (0 on the day itself, negative once it has passed)."""
    return (order.due_date - today).days


def history(order: Order) -> list[OrderEvent]:
    """The order's history, oldest first."""
    return list(order.events)


def orders_of_inspection(inspection: Inspection) -> list[Order]:
    """The orders an inspection's findings caused (for its page)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.inspection_id == inspection.id)
            .order_by(Order.id)
            .options(selectinload(Order.instrument))
        )
    )
