"""Scope of the enforcement pages: review, alerts, district orders and the merchant portal."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    Alert,
    Inspection,
    Merchant,
    Order,
    OrderEvidence,
    User,
)
from inspect_app.models.user import Role
from inspect_app.services.scoping.core import region_clause, sees_region

# ---------------------------------------------------------------- supervision pages (issue 10)
#
# Review, alerts and orders as the district's staff see them on the web pages
# (web/review.py, web/alert_inbox.py, web/district_orders.py). Staff of the district read;
# supervisors of the district (admins anywhere) decide. Out of scope is ``NOT_FOUND``.


def staff_inspection_or_404(user: User, uuid: str) -> Inspection:
    """An inspection of a merchant in the staff user's district (admins any); merchant users
    and other districts get ``NOT_FOUND``."""
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
    if inspection is None or user.role == Role.MERCHANT:
        raise AppError("NOT_FOUND")
    merchant = db.session.get(Merchant, inspection.merchant_id)
    if merchant is None or not sees_region(user, merchant.region_id):
        raise AppError("NOT_FOUND")
    return inspection


def may_review(user: User, inspection: Inspection) -> bool:
    """Approving or returning an inspection: supervisors of its district, admins any."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return False
    merchant = db.session.get(Merchant, inspection.merchant_id)
    return merchant is not None and sees_region(user, merchant.region_id)


def inspection_for_review_or_404(user: User, uuid: str) -> Inspection:
    """An inspection :func:`may_review` allows (callers refuse other roles with 403 first);
    another district's, or an unknown uuid, is ``NOT_FOUND``."""
    inspection = staff_inspection_or_404(user, uuid)
    if not may_review(user, inspection):
        raise AppError("NOT_FOUND")
    return inspection


def alerts_clause(user: User) -> ColumnElement[bool]:
    """The alerts ``user`` sees: their district's for supervisors, all for admins, none else."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return false()
    return region_clause(user, Alert.region_id)


def alert_or_404(user: User, alert_id: int) -> Alert:
    """An alert of the supervisor's district (admins any); anything else ``NOT_FOUND``."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise AppError("NOT_FOUND")
    if not sees_region(user, alert.region_id):
        raise AppError("NOT_FOUND")
    return alert


def may_be_assigned(assignee: User, alert: Alert) -> bool:
    """Who an alert may be assigned to: an active supervisor or inspector of its district."""
    return (
        assignee.is_active
        and assignee.role in (Role.SUPERVISOR, Role.INSPECTOR)
        and assignee.region_id == alert.region_id
    )


def staff_orders_clause(user: User) -> ColumnElement[bool]:
    """The orders staff see on the district pages: their district's (admins all)."""
    if user.role == Role.MERCHANT:
        return false()
    return region_clause(user, Order.region_id)


def staff_order_or_404(user: User, order_id: int) -> Order:
    """An order of the staff user's district (admins any); anything else ``NOT_FOUND``."""
    order = db.session.get(Order, order_id)
    if order is None or user.role == Role.MERCHANT or not sees_region(user, order.region_id):
        raise AppError("NOT_FOUND")
    return order


def may_decide_evidence(user: User, order: Order) -> bool:
    """Accepting or rejecting a merchant's evidence: supervisors of the district, admins any."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN) and sees_region(user, order.region_id)


def evidence_for_decision_or_404(user: User, evidence_id: int) -> OrderEvidence:
    """Evidence whose order :func:`may_decide_evidence` allows; anything else ``NOT_FOUND``."""
    evidence = db.session.get(OrderEvidence, evidence_id)
    if evidence is None:
        raise AppError("NOT_FOUND")
    order = db.session.get(Order, evidence.order_id)
    if order is None or not may_decide_evidence(user, order):
        raise AppError("NOT_FOUND")
    return evidence


# ---------------------------------------------------------------- merchant portal (issue 10)
#
# The merchant's side of a finding (web/merchant_portal.py, web/merchant_evidence.py): a
# merchant user acts on its own merchant's orders and inspections only; anything else, another
# merchant's included, is ``NOT_FOUND``. Evidence files are also served to the district's staff
# (admins any), who decide on them.


def merchant_order_or_404(user: User, order_id: int) -> Order:
    """An order of the merchant user's own merchant (acknowledge, upload evidence)."""
    order = db.session.get(Order, order_id)
    if order is None or user.role != Role.MERCHANT or order.merchant_id != user.merchant_id:
        raise AppError("NOT_FOUND")
    return order


def merchant_inspection_or_404(user: User, inspection_id: int) -> Inspection:
    """An inspection of the merchant user's own merchant (read it, reply to it)."""
    inspection = db.session.get(Inspection, inspection_id)
    if (
        inspection is None
        or user.role != Role.MERCHANT
        or inspection.merchant_id != user.merchant_id
    ):
        raise AppError("NOT_FOUND")
    return inspection


def evidence_file_or_404(user: User, evidence_id: int) -> OrderEvidence:
    """An evidence file the user may open: the order's own merchant user, staff of the order's
    district (admins any); anything else ``NOT_FOUND``."""
    evidence = db.session.get(OrderEvidence, evidence_id)
    order = db.session.get(Order, evidence.order_id) if evidence is not None else None
    if evidence is None or order is None:
        raise AppError("NOT_FOUND")
    if user.role == Role.MERCHANT:
        allowed = order.merchant_id == user.merchant_id
    else:
        allowed = sees_region(user, order.region_id)
    if not allowed:
        raise AppError("NOT_FOUND")
    return evidence
