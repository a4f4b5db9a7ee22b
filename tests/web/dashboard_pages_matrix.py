"""Rows of the authorisation matrix (tests/web/test_authorisation_matrix.py) for the dashboard's
pages (web/dashboard.py, web/dashboard_lists.py) and the inspection page's photos
(web/inspection_detail.py). The dashboard API's rows are tests/web/dashboard_matrix.py.

Supervisors and admins only; others 403, anonymous to the sign-in page. Scoped through the
query string: the overview, map and trends name the relation's district (``region``), the lists
its market (``market``); another district's is 404 for a supervisor, fine for an admin. The
map's JSON is judged on its content too: a market of a district the caller does not see is
never in it. A photo is served to staff who see the inspection that references it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import Inspection, InspectionAttachment
from inspect_app.models.user import Role

SUPERVISORS = {Role.SUPERVISOR, Role.ADMIN}
STAFF = {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}


def _sees(role: Role, rel: str) -> bool:
    return role == Role.ADMIN or rel != "other_district"


def region_path(template: str) -> Callable[[Any, str], str]:
    return lambda w, rel: template.format(w.merchants[rel].region_id)


def market_path(template: str) -> Callable[[Any, str], str]:
    return lambda w, rel: template.format(w.markets[rel].id)


def photo_path(w: Any, rel: str) -> str:
    sha = w.photos[rel][0]
    uuid = db.session.scalar(
        select(Inspection.uuid)
        .join(InspectionAttachment, InspectionAttachment.inspection_id == Inspection.id)
        .where(InspectionAttachment.sha256 == sha)
    )
    return f"/inspections/{uuid}/photos/{sha}"


def judge_map(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if not _sees(role, rel):
        return (
            None
            if response.status_code == 404
            else f"another district answered {response.status_code}"
        )
    if response.status_code != 200:
        return f"map data answered {response.status_code}"
    shown = {m["id"] for m in response.get_json()["markets"]}
    far = w.markets["other_district"].id
    if role != Role.ADMIN and far in shown:
        return "another district's market is on the map"
    if w.markets[rel].id not in shown:
        return f"the market of {rel} is missing"
    return None


def rows(row: Callable[..., Any], call: Callable[..., Any]) -> dict[str, Any]:
    """The rows, built with the matrix module's own ``Row`` and ``Call``."""
    return {
        "dashboard.overview": row(
            call(False, "GET", region_path("/dashboard?region={}")), SUPERVISORS, scoped=True
        ),
        "dashboard.trends": row(
            call(False, "GET", region_path("/dashboard/trends?region={}")),
            SUPERVISORS,
            scoped=True,
        ),
        "dashboard.map_page": row(
            call(False, "GET", region_path("/dashboard/map?region={}")), SUPERVISORS, scoped=True
        ),
        "dashboard.map_data": row(
            call(False, "GET", region_path("/dashboard/map.json?region={}")),
            SUPERVISORS,
            scoped=True,
            judge=judge_map,
        ),
        "dashboard_lists.inspections": row(
            call(False, "GET", market_path("/dashboard/inspections?market={}")),
            SUPERVISORS,
            scoped=True,
        ),
        "dashboard_lists.findings": row(
            call(False, "GET", market_path("/dashboard/findings?market={}")),
            SUPERVISORS,
            scoped=True,
        ),
        "dashboard_lists.instruments": row(
            call(False, "GET", market_path("/dashboard/instruments?market={}")),
            SUPERVISORS,
            scoped=True,
        ),
        "dashboard_lists.merchants": row(
            call(False, "GET", market_path("/dashboard/merchants?market={}")),
            SUPERVISORS,
            scoped=True,
        ),
        "inspection_detail.photo": row(call(False, "GET", photo_path), STAFF, scoped=True),
    }
