"""Paths, bodies and judges for the supervisors' pages' rows of the authorisation matrix
(tests/web/test_authorisation_matrix.py, under "review, alerts and district orders").

The World has no inspections, orders or alerts of its own to spare, so these are made here,
one per relation, on first use (tests/web/enforcement_helpers.py). A call that decides
something (approve, acknowledge, accept evidence) gets a fresh object each time: every allowed
caller then meets an undecided one, and the matrix judges who may, not who was first.
"""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from inspect_app.models import Alert, Inspection, Instrument, Order, User
from inspect_app.models.user import Role
from tests.web.enforcement_helpers import add_alert, add_evidence, add_inspection, add_order


def _sees(role: Role, rel: str) -> bool:
    """Alerts: admins all, supervisors their district's; nobody else has an inbox."""
    return role == Role.ADMIN or (role == Role.SUPERVISOR and rel != "other_district")


def _made(w: Any) -> dict[str, Any]:
    made: dict[str, Any] = w.__dict__.setdefault("_enforcement_rows", {})
    return made


def _inspector(w: Any, rel: str) -> User:
    """An inspector of the relation's district (region B's for other_district)."""
    person: User = (
        w.people["other_district"] if rel == "other_district" else w.users[Role.INSPECTOR]
    )
    return person


def _instrument(w: Any, rel: str) -> Instrument:
    instrument: Instrument = w.instruments[rel]
    return instrument


def _once(w: Any, key: str, rel: str, make: Any) -> Any:
    made = _made(w)
    if (key, rel) not in made:
        made[key, rel] = make()
    return made[key, rel]


def inspection_path(w: Any, rel: str) -> str:
    found: Inspection = _once(
        w, "inspection", rel, lambda: add_inspection(_instrument(w, rel), _inspector(w, rel))
    )
    return f"/inspections/{found.uuid}"


def review_path(w: Any, rel: str) -> str:
    fresh = add_inspection(_instrument(w, rel), _inspector(w, rel))
    return f"/inspections/{fresh.uuid}/review"


def approve(_w: Any, _rel: str) -> dict[str, Any]:
    return {"decision": "approve"}


def _alert(w: Any, rel: str) -> Alert:
    alert: Alert = _once(
        w, "alert", rel, lambda: add_alert(_instrument(w, rel), _inspector(w, rel))
    )
    return alert


def acknowledge_path(w: Any, rel: str) -> str:
    fresh = add_alert(_instrument(w, rel), _inspector(w, rel))
    return f"/alerts/{fresh.id}/acknowledge"


def assign_path(w: Any, rel: str) -> str:
    return f"/alerts/{_alert(w, rel).id}/assign"


def assign_body(w: Any, rel: str) -> dict[str, Any]:
    """The relation's own district's inspector: a valid choice for whoever sees the alert."""
    return {"assignee": str(_inspector(w, rel).id)}


def order_path(w: Any, rel: str) -> str:
    order: Order = _once(
        w, "order", rel, lambda: add_order(_instrument(w, rel), _inspector(w, rel))
    )
    return f"/orders/{order.id}"


def evidence_path(w: Any, rel: str) -> str:
    order = add_order(_instrument(w, rel), _inspector(w, rel))
    merchant_user = w.users[Role.MERCHANT] if rel == "own" else w.people["other_merchant"]
    evidence = add_evidence(order, merchant_user)
    return f"/evidence/{evidence.id}/decision"


def accept(_w: Any, _rel: str) -> dict[str, Any]:
    return {"decision": "accept"}


def feed_path(w: Any, rel: str) -> str:
    """The feed from the start (``since=0``), once the relation's alert exists."""
    _alert(w, rel)
    return "/alerts/feed?since=0&show=all"


def judge_feed(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"feed answered {response.status_code}"
    listed = _alert(w, rel).id in {a["id"] for a in response.get_json()["alerts"]}
    if listed != _sees(role, rel):
        return f"alert of {rel} {'listed' if listed else 'missing'}"
    return None
