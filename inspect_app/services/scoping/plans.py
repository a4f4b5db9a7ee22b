"""Scope of inspection plans (双随机): drawn by the district's supervisors, pulled by their
inspectors."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import (
    Plan,
    PlanItem,
    User,
)
from inspect_app.models.user import Role
from inspect_app.services.scoping.core import region_clause, sees_region

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
