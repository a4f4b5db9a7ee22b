"""Read models for the supervisors' pages: the review queue, the alert inbox, district orders.

Scope comes from :mod:`inspect_app.services.scoping` (``region_clause``, ``alerts_clause``,
``staff_orders_clause``). Lists are keyset-paginated on ``(time, id)`` newest first: a cursor is
the id of the last row shown, so a page never repeats or skips a row when new ones arrive
(alerts and inspections keep arriving while a supervisor reads). The decisions themselves are
the lead's services (``review.decide``, ``alerts.acknowledge``/``assign``,
``orders.decide_evidence``); this module only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased, selectinload

from inspect_app.extensions import db
from inspect_app.models import (
    Alert,
    Inspection,
    InspectionReview,
    Merchant,
    Order,
    OrderEvidence,
    User,
)
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES, OrderStatus
from inspect_app.models.inspection import ReviewState
from inspect_app.models.user import Role
from inspect_app.services import scoping

T = TypeVar("T")

#: Rows per page of the review queue and the alert inbox; orders shown at once.
REVIEW_PAGE = 30
INBOX_PAGE = 50
ORDERS_SHOWN = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    #: The cursor of the next page (the last row's id), or None on the last page.
    next_cursor: int | None


def _page(rows: list[T], limit: int, last_id: int | None) -> Page[T]:
    """``rows`` fetched with ``limit + 1``: the extra row only says that there is a next page."""
    more = len(rows) > limit
    return Page(rows[:limit], last_id if more else None)


def _before(
    time_col: InstrumentedAttribute[datetime],
    id_col: InstrumentedAttribute[int],
    cursor_time: datetime,
    cursor_id: int,
) -> ColumnElement[bool]:
    """Rows after the cursor row in ``(time desc, id desc)`` order."""
    return or_(time_col < cursor_time, and_(time_col == cursor_time, id_col < cursor_id))


def people(ids: Iterable[int | None]) -> dict[int, User]:
    """Users by id, in one query (for "acknowledged by", "decided by", history lines)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def merchants(ids: Iterable[int]) -> dict[int, Merchant]:
    """Merchants by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {m.id: m for m in db.session.scalars(select(Merchant).where(Merchant.id.in_(wanted)))}


def inspection_uuids(ids: Iterable[int | None]) -> dict[int, str]:
    """Inspection uuids by id (the inspection page's address), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Inspection.id, Inspection.uuid).where(Inspection.id.in_(wanted))
    )
    return {row.id: row.uuid for row in rows}


# ---------------------------------------------------------------- review


def _not_superseded() -> ColumnElement[bool]:
    correction = aliased(Inspection)
    return ~exists(select(correction.id).where(correction.supersedes_id == Inspection.id))


def review_queue(
    user: User, cursor: int | None = None, limit: int = REVIEW_PAGE
) -> Page[Inspection]:
    """Received inspections of the user's district that nothing has corrected, newest first."""
    query = (
        select(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(
            Inspection.review_state == ReviewState.RECEIVED,
            scoping.region_clause(user, Merchant.region_id),
            _not_superseded(),
        )
        .order_by(Inspection.received_at.desc(), Inspection.id.desc())
        .limit(limit + 1)
        .options(selectinload(Inspection.findings))
    )
    if cursor is not None:
        last = db.session.get(Inspection, cursor)
        if last is not None:
            query = query.where(
                _before(Inspection.received_at, Inspection.id, last.received_at, last.id)
            )
    rows = list(db.session.scalars(query))
    return _page(rows, limit, rows[limit - 1].id if len(rows) > limit else None)


def received_count(user: User) -> int:
    count = db.session.scalar(
        select(func.count(Inspection.id))
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(
            Inspection.review_state == ReviewState.RECEIVED,
            scoping.region_clause(user, Merchant.region_id),
            _not_superseded(),
        )
    )
    return count or 0


@dataclass(frozen=True)
class InspectionFacts:
    """What the inspection page shows beside the record itself."""

    merchant: Merchant
    inspector: User | None
    reviews: list[InspectionReview]
    reviewers: dict[int, User]
    corrected_by: Inspection | None
    corrects: Inspection | None
    orders: list[Order]
    alerts: list[Alert]


def inspection_facts(inspection: Inspection) -> InspectionFacts:
    merchant = db.session.get(Merchant, inspection.merchant_id)
    assert merchant is not None  # a foreign key
    reviews = list(
        db.session.scalars(
            select(InspectionReview)
            .where(InspectionReview.inspection_id == inspection.id)
            .order_by(InspectionReview.id)
        )
    )
    corrected_by = db.session.scalar(
        select(Inspection).where(Inspection.supersedes_id == inspection.id)
    )
    corrects = (
        db.session.get(Inspection, inspection.supersedes_id) if inspection.supersedes_id else None
    )
    orders = list(
        db.session.scalars(
            select(Order).where(Order.inspection_id == inspection.id).order_by(Order.id)
        )
    )
    alerts = list(
        db.session.scalars(
            select(Alert).where(Alert.inspection_id == inspection.id).order_by(Alert.id)
        )
    )
    return InspectionFacts(
        merchant=merchant,
        inspector=db.session.get(User, inspection.inspector_id),
        reviews=reviews,
        reviewers=people(r.reviewer_id for r in reviews),
        corrected_by=corrected_by,
        corrects=corrects,
        orders=orders,
        alerts=alerts,
    )


# ---------------------------------------------------------------- alerts


def _open_alert() -> ColumnElement[bool]:
    """Open: neither acknowledged nor withdrawn (the header count and the "open" filter)."""
    return and_(Alert.acknowledged_at.is_(None), Alert.withdrawn_at.is_(None))


def _alerts(user: User, open_only: bool) -> ColumnElement[bool]:
    clause = scoping.alerts_clause(user)
    return and_(clause, _open_alert()) if open_only else clause


def inbox(
    user: User, *, open_only: bool, cursor: int | None = None, limit: int = INBOX_PAGE
) -> Page[Alert]:
    """The user's alerts newest first (open ones only, or all)."""
    query = (
        select(Alert)
        .where(_alerts(user, open_only))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit + 1)
        .options(selectinload(Alert.merchant), selectinload(Alert.instrument))
    )
    if cursor is not None:
        last = db.session.get(Alert, cursor)
        if last is not None:
            query = query.where(_before(Alert.created_at, Alert.id, last.created_at, last.id))
    rows = list(db.session.scalars(query))
    return _page(rows, limit, rows[limit - 1].id if len(rows) > limit else None)


def latest_alert_id(user: User) -> int:
    """The newest alert id the user sees (0 when none): where the inbox's feed starts."""
    return db.session.scalar(select(func.max(Alert.id)).where(scoping.alerts_clause(user))) or 0


def acknowledgement(alert_id: int) -> tuple[User | None, datetime | None]:
    """Who acknowledged the alert and when, as stored now (read afresh: another request may
    just have written it)."""
    alert = db.session.get(Alert, alert_id, populate_existing=True)
    if alert is None or alert.acknowledged_by_id is None:
        return None, None
    return db.session.get(User, alert.acknowledged_by_id), alert.acknowledged_at


def assignee(alert: Alert, user_id: int | None) -> User | None:
    """User ``user_id``, if the alert may be assigned to them (:func:`scoping.may_be_assigned`)."""
    if user_id is None:
        return None
    found = db.session.get(User, user_id)
    return found if found is not None and scoping.may_be_assigned(found, alert) else None


def assignable(region_ids: Iterable[int]) -> dict[int, list[User]]:
    """Per district: the active supervisors and inspectors an alert there may be assigned to
    (:func:`scoping.may_be_assigned`), by name."""
    wanted = set(region_ids)
    out: dict[int, list[User]] = {r: [] for r in wanted}
    if not wanted:
        return out
    users = db.session.scalars(
        select(User)
        .where(
            User.region_id.in_(wanted),
            User.is_active.is_(True),
            User.role.in_((Role.SUPERVISOR, Role.INSPECTOR)),
        )
        .order_by(User.role.desc(), User.display_name, User.id)
    )
    for u in users:
        assert u.region_id is not None
        out[u.region_id].append(u)
    return out


# ---------------------------------------------------------------- orders


def district_orders(user: User, status: str = "active", limit: int = ORDERS_SHOWN) -> list[Order]:
    """The district's orders for ``status`` (an order status, "active" or "all"): overdue
    first, then by deadline, earliest first; ``limit`` + 1 rows, so the page can say there
    are more."""
    query = select(Order).where(scoping.staff_orders_clause(user))
    if status == "active":
        query = query.where(Order.status.in_(ACTIVE_ORDER_STATUSES))
    elif status != "all":
        query = query.where(Order.status == OrderStatus(status))
    overdue_first = case((Order.status == OrderStatus.OVERDUE, 0), else_=1)
    return list(
        db.session.scalars(
            query.order_by(overdue_first, Order.due_date, Order.id)
            .limit(limit + 1)
            .options(selectinload(Order.merchant), selectinload(Order.instrument))
        )
    )


def pending_evidence(order: Order) -> list[OrderEvidence]:
    return [e for e in order.evidence if e.decision.value == "pending"]
