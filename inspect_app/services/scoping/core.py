"""The core scope rules: regions, merchants, instruments, markets, inspections, attachments,
reports (see the package docstring for the rules in words)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    ChangeLogEntry,
    Inspection,
    InspectionAttachment,
    Instrument,
    Market,
    Merchant,
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
