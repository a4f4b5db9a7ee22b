"""Who may see what: the region and merchant scope rules, in one place.

Admins see every region; supervisors and inspectors see their own region; a merchant user
sees only its own merchant.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import InstrumentedAttribute

from inspect_app.models import Merchant, User
from inspect_app.models.user import Role


def region_clause(user: User, region_column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A WHERE clause limiting ``region_column`` to the regions ``user`` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.region_id is None:
        return false()
    return region_column == user.region_id


def can_see_merchant(user: User, merchant: Merchant) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.MERCHANT:
        return user.merchant_id == merchant.id
    return user.region_id == merchant.region_id
