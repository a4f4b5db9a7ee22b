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

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import ChangeLogEntry, Inspection, Instrument, Merchant, User
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


def may_inspect(user: User, merchant: Merchant) -> bool:
    """Whether ``user`` may record an inspection of ``merchant``."""
    return user.role in (Role.INSPECTOR, Role.ADMIN) and sees_region(user, merchant.region_id)


def may_cite_instrument(user: User, merchant: Merchant, instrument: Instrument) -> bool:
    """An inspection of ``merchant`` may cite only that merchant's own instruments."""
    return may_inspect(user, merchant) and instrument.merchant_id == merchant.id


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
