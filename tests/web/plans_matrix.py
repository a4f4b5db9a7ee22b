"""Rows of the authorisation matrix (tests/web/test_authorisation_matrix.py) for inspection
plans: the supervisors' pages (supervisors of the district, admins anywhere; others 403;
another district's plan 404) and the public list of published plans (anyone).

A plan of each relation is drawn on first use: ``own`` and ``other_merchant`` in the users'
district (a plan belongs to a district, not a merchant), ``other_district`` in the far one.
Calls that change a plan get a plan of their own, so every allowed caller succeeds in turn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from werkzeug.test import TestResponse

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Plan
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import plans
from tests.plan_helpers import at

SUPERVISORS = {Role.SUPERVISOR, Role.ADMIN}
PUBLIC = "public"


def _days(w: Any) -> Iterator[int]:
    """Fresh plan dates for this world (a district has one plan a day)."""
    if not hasattr(w, "plan_days"):
        w.plan_days = itertools.count(1)
    return w.plan_days  # type: ignore[no-any-return]


def _draw(w: Any, rel: str, *, past: bool = False) -> Plan:
    region_id = w.merchants[rel].region_id
    offset = next(_days(w))
    if past:  # dated before today, drawn back then: publishable now
        day = local_today() - timedelta(days=offset)
        now = at(day, 7)
    else:
        day, now = local_today() + timedelta(days=offset), utcnow()
    plan = plans.draw_plan(w.users[Role.ADMIN], region_id, day, 1, Decimal(0), now)
    db.session.commit()
    return plan


def _plan(w: Any, rel: str) -> Plan:
    if not hasattr(w, "plans"):
        w.plans = {}
    if rel not in w.plans:
        w.plans[rel] = _draw(w, rel)
    return w.plans[rel]  # type: ignore[no-any-return]


def detail_path(w: Any, rel: str) -> str:
    return f"/plans/{_plan(w, rel).id}"


def verify_path(w: Any, rel: str) -> str:
    return f"/plans/{_plan(w, rel).id}/verify"


def publish_path(w: Any, rel: str) -> str:
    return f"/plans/{_draw(w, rel, past=True).id}/publish"


def cancel_path(w: Any, rel: str) -> str:
    return f"/plans/{_draw(w, rel).id}/cancel"


def new_plan(w: Any, rel: str) -> dict[str, Any]:
    """A plan for the relation's district on a fresh date (supervisors may name their own)."""
    day = local_today() + timedelta(days=next(_days(w)))
    region = w.merchants[rel].region_id
    return {"plan_date": day.isoformat(), "size": "1", "random_share": "0", "region": str(region)}


def judge_created(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    sees = role == Role.ADMIN or rel != "other_district"
    if sees:
        location = response.headers.get("Location", "")
        ok = response.status_code == 303 and location.startswith("/plans/")
        return None if ok else f"drawing answered {response.status_code} {location}"
    return (
        None if response.status_code == 404 else f"another district answered {response.status_code}"
    )


def judge_public(_w: Any, _role: Role, _rel: str, response: TestResponse) -> str | None:
    return None if response.status_code == 200 else f"public list answered {response.status_code}"


def rows(
    row: Callable[..., Any], call: Callable[..., Any], csrf_form: Callable[..., Any]
) -> dict[str, Any]:
    """The rows, built with the matrix module's own ``Row`` and ``Call``."""

    def fixed(path: str) -> Callable[[Any, str], str]:
        return lambda _w, _rel: path

    return {
        "plans.index": row(call(False, "GET", fixed("/plans")), SUPERVISORS),
        "plans.new_plan": row(call(False, "GET", fixed("/plans/new")), SUPERVISORS),
        "plans.create_plan": row(
            call(False, "POST", fixed("/plans/new"), new_plan, form=True),
            SUPERVISORS,
            scoped=True,
            judge=judge_created,
        ),
        "plans.detail": row(call(False, "GET", detail_path), SUPERVISORS, scoped=True),
        "plans.verify": row(call(False, "GET", verify_path), SUPERVISORS, scoped=True),
        "plans.publish": row(
            call(False, "POST", publish_path, csrf_form, form=True), SUPERVISORS, scoped=True
        ),
        "plans.cancel": row(
            call(False, "POST", cancel_path, csrf_form, form=True), SUPERVISORS, scoped=True
        ),
        "public_plans.index": row(
            call(False, "GET", fixed("/public/plans")), PUBLIC, judge=judge_public
        ),
    }
