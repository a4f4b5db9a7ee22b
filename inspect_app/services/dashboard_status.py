"""The overview tiles that are states, not period counts: what needs attention today.

Each figure is one ``COUNT`` over an indexed column of its own table (order status and
region, report status and region, alert region), scoped by :mod:`.scoping` like the pages
that list the rows behind the tile.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select, true

from inspect_app.extensions import db
from inspect_app.models import Alert, Instrument, Merchant, Order, Report, User
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES, OrderStatus
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.report import ReportStatus
from inspect_app.services import scoping

#: Instruments no longer in use: their lapsed verification is not overdue.
OUT_OF_USE = (InstrumentStatus.RETIRED, InstrumentStatus.CONDEMNED, InstrumentStatus.SEIZED)


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


def status(user: User, today: date, region_id: int | None = None) -> dict[str, Any]:
    """Counts as of ``today`` (district calendar) in the user's districts, or one of them."""

    def narrowed(column: Any) -> ColumnElement[bool]:
        return column == region_id if region_id is not None else true()

    scope = scoping.region_clause(user, Merchant.region_id)
    overdue_verifications = _count(
        select(func.count(Instrument.id))
        .join(Merchant, Merchant.id == Instrument.merchant_id)
        .where(
            scope,
            narrowed(Merchant.region_id),
            Instrument.valid_until < today,
            Instrument.status.not_in(OUT_OF_USE),
        )
    )
    orders = select(func.count(Order.id)).where(
        scoping.staff_orders_clause(user), narrowed(Order.region_id)
    )
    return {
        "as_of": today,
        "overdue_verifications": overdue_verifications,
        "open_orders": _count(orders.where(Order.status.in_(ACTIVE_ORDER_STATUSES))),
        "overdue_orders": _count(orders.where(Order.status == OrderStatus.OVERDUE)),
        "open_reports": _count(
            select(func.count(Report.id)).where(
                scoping.reports_clause(user),
                narrowed(Report.region_id),
                Report.status == ReportStatus.RECEIVED,
            )
        ),
        "open_alerts": _count(
            select(func.count(Alert.id)).where(
                scoping.alerts_clause(user),
                narrowed(Alert.region_id),
                Alert.acknowledged_at.is_(None),
                Alert.withdrawn_at.is_(None),
            )
        ),
    }
