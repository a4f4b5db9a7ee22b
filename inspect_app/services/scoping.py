"""Who may see or change what: every scope rule, in one place.

* Admins see and change every region.
* Supervisors and inspectors see their own region; only inspectors (and admins) record
  inspections, and an inspector corrects only inspections they recorded themselves.
* A merchant user sees only its own merchant.
* An instrument cited by an inspection belongs to the inspection's merchant (a merchant using
  another stall's scale is a finding on the form, not a cross-link).

Views, the sync services, the labels and the attachments ask here; nothing else decides scope.
An object outside the caller's scope is reported as not found (``NOT_FOUND``, or the
``*_UNKNOWN`` refusal of a sync item), so ids and tokens cannot be probed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    Alert,
    ChangeLogEntry,
    Inspection,
    InspectionAttachment,
    Instrument,
    Market,
    Merchant,
    Order,
    OrderEvidence,
    Plan,
    PlanItem,
    Report,
    User,
)
from inspect_app.models.user import Role


def region_clause(user: User, region_column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A WHERE clause limiting ``region_column`` to the regions ``user`` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.region_id is None:
        return false()
    return region_column == user.region_id


def sees_region(user: User, region_id: int | None) -> bool:
    """Whether ``user``'s staff scope covers ``region_id`` (merchant users cover none)."""
    if user.role == Role.ADMIN:
        return True
    return user.role != Role.MERCHANT and region_id is not None and region_id == user.region_id


def can_see_merchant(user: User, merchant: Merchant) -> bool:
    if user.role == Role.MERCHANT:
        return user.merchant_id == merchant.id
    return sees_region(user, merchant.region_id)


def merchant_or_404(user: User, merchant_id: int) -> Merchant:
    """A merchant the user may see; anything else is ``NOT_FOUND`` (never reveal existence)."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not can_see_merchant(user, merchant):
        raise AppError("NOT_FOUND")
    return merchant


def instrument_or_404(user: User, instrument_id: int) -> Instrument:
    """An instrument whose merchant the user may see; otherwise ``NOT_FOUND``."""
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or not can_see_merchant(user, instrument.merchant):
        raise AppError("NOT_FOUND")
    return instrument


def market_or_404(user: User, market_id: int) -> Market:
    """A market in a region the user's staff scope covers (admins any); else ``NOT_FOUND``.

    Merchant users see no market page (their role is refused before this is asked).
    """
    market = db.session.get(Market, market_id)
    if market is None or not sees_region(user, market.region_id):
        raise AppError("NOT_FOUND")
    return market


def may_register_in(user: User, region_id: int | None) -> bool:
    """Registering or editing markets, merchants and instruments: admins in every region,
    supervisors in their own; inspectors and merchant users nowhere (docs/registry.md)."""
    return user.role in (Role.ADMIN, Role.SUPERVISOR) and sees_region(user, region_id)


def may_import_registry(user: User) -> bool:
    """Importing a registry file: whoever may register (admins, supervisors); each row must
    then name a market where :func:`may_register_in` holds (docs/registry-import.md)."""
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def sees_contact_details(user: User, merchant: Merchant) -> bool:
    """A merchant's contact person and phone: staff of its district (admins any), nobody else
    (not the merchant user's own pages either, nor pull, nor any public page)."""
    return user.role != Role.MERCHANT and sees_region(user, merchant.region_id)


def may_inspect(user: User, merchant: Merchant) -> bool:
    """Whether ``user`` may record an inspection of ``merchant``."""
    return user.role in (Role.INSPECTOR, Role.ADMIN) and sees_region(user, merchant.region_id)


def may_cite_instrument(user: User, merchant: Merchant, instrument: Instrument) -> bool:
    """An inspection of ``merchant`` may cite only that merchant's own instruments."""
    return may_inspect(user, merchant) and instrument.merchant_id == merchant.id


def may_replace_label(user: User, instrument: Instrument) -> bool:
    """Replacing a label (a new QR token; the old label stops working): admins anywhere,
    supervisors in their district. Inspectors print labels but do not invalidate them."""
    return user.role in (Role.ADMIN, Role.SUPERVISOR) and sees_region(
        user, instrument.merchant.region_id
    )


def may_supersede(user: User, original: Inspection) -> bool:
    """Corrections: inspectors correct their own records in their region; admins any.

    Owning the record (not just sharing its region) is what makes a correction of one's own
    record impossible to block: nobody else can supersede it first.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.INSPECTOR or original.inspector_id != user.id:
        return False
    merchant = db.session.get(Merchant, original.merchant_id)
    return merchant is not None and sees_region(user, merchant.region_id)


def change_log_clause(user: User) -> ColumnElement[bool]:
    """The reference-data changes ``user`` may pull: their region's and the global ones."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.MERCHANT or user.region_id is None:
        return false()
    return or_(ChangeLogEntry.region_id == user.region_id, ChangeLogEntry.region_id.is_(None))


def may_upload_attachment(user: User, sha256: str) -> bool:
    """Photos must be expected: an inspector uploads only a photo that one of their own
    inspections references (admins any photo), so the endpoint is not a free file host.

    Asked before anything says whether the photo is already stored: another region's photo
    cannot be probed by PUTting its sha256 (the answer is that of a photo nobody took).
    """
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.INSPECTOR:
        return False
    expected = db.session.scalar(
        select(InspectionAttachment.id)
        .join(Inspection)
        .where(InspectionAttachment.sha256 == sha256, Inspection.inspector_id == user.id)
        .limit(1)
    )
    return expected is not None


def may_view_attachment(user: User, sha256: str) -> bool:
    """Staff of a region in which an inspection references the photo (admins any) may view it;
    merchant users none."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.MERCHANT or user.region_id is None:
        return False
    seen = db.session.scalar(
        select(InspectionAttachment.id)
        .join(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(InspectionAttachment.sha256 == sha256, Merchant.region_id == user.region_id)
        .limit(1)
    )
    return seen is not None


def sees_report(user: User, report: Report) -> bool:
    """Consumer reports: admins see all, a supervisor their district's, nobody else (a
    reporter's phone number is for the district's supervisors; docs/reports.md)."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and sees_region(user, report.region_id)


def reports_clause(user: User) -> ColumnElement[bool]:
    """:func:`sees_report` as a WHERE clause on ``report``."""
    if user.role == Role.ADMIN:
        return true()
    if user.role != Role.SUPERVISOR or user.region_id is None:
        return false()
    return Report.region_id == user.region_id


def report_or_404(user: User, report_id: int) -> Report:
    """A consumer report the user may see and close; anything else is ``NOT_FOUND``."""
    report = db.session.get(Report, report_id)
    if report is None or not sees_report(user, report):
        raise AppError("NOT_FOUND")
    return report


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


# ---------------------------------------------------------------- inspection plans (issue 11)
#
# Plans (web/plans.py) belong to the district's supervisors (admins: every district): they
# draw, read, verify, publish and cancel them; inspectors and merchant users are refused by
# role (403). Another district's plan is ``NOT_FOUND``. A tablet pulls only the plan items
# assigned to its inspector. Published plans are public, without personal data
# (web/public_plans.py).


def may_plan_in(user: User, region_id: int | None) -> bool:
    """Drawing a plan for a district: its supervisors, admins any district."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN) and sees_region(user, region_id)


def plans_clause(user: User) -> ColumnElement[bool]:
    """The plans ``user`` lists: their district's for supervisors, all for admins, else none."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return false()
    return region_clause(user, Plan.region_id)


def plan_or_404(user: User, plan_id: int) -> Plan:
    """A plan :func:`may_plan_in` allows; anything else ``NOT_FOUND``."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not may_plan_in(user, plan.region_id):
        raise AppError("NOT_FOUND")
    return plan


def own_plan_items_clause(user: User) -> ColumnElement[bool]:
    """Plan items on a tablet: those assigned to the signed-in person, nobody else's (admins
    and supervisors are never assigned, so they pull none)."""
    return PlanItem.inspector_id == user.id
