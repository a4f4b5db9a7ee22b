"""Paths and judges for the review, alert and order API rows of the authorisation matrix
(tests/web/test_authorisation_matrix.py, under "enforcement API")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import Alert, Inspection
from inspect_app.models.alert import AlertKind
from inspect_app.models.user import Role


def _supervises(role: Role, rel: str) -> bool:
    return role == Role.ADMIN or (role == Role.SUPERVISOR and rel != "other_district")


def review_path(w: Any, rel: str) -> str:
    uuid = db.session.scalar(
        select(Inspection.uuid).where(Inspection.merchant_id == w.merchants[rel].id).limit(1)
    )
    return f"/api/v1/inspections/{uuid}/review"


def review_body(_w: Any, _rel: str) -> dict[str, Any]:
    return {"decision": "approve"}


def judge_review(_w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    """A decision is taken once: the first allowed caller gets 200, later ones 409."""
    if not _supervises(role, rel):
        return None if response.status_code == 404 else f"got {response.status_code}, not 404"
    code = (response.get_json() or {}).get("code")
    if response.status_code == 200 or (response.status_code, code) == (
        409,
        "REVIEW_ALREADY_DECIDED",
    ):
        return None
    return f"review answered {response.status_code} {code}"


def alerts_path(w: Any, _rel: str) -> str:
    """One alert per relation's merchant, made the first time the list is asked for."""
    for rel, merchant in w.merchants.items():
        exists = db.session.scalar(select(Alert.id).where(Alert.merchant_id == merchant.id))
        if exists is None:
            db.session.add(
                Alert(
                    kind=AlertKind.SEVERE_FINDING,
                    severity=4,
                    region_id=merchant.region_id,
                    merchant_id=merchant.id,
                    instrument_id=w.instruments[rel].id,
                )
            )
    db.session.commit()
    return "/api/v1/alerts"


def judge_alerts(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"alerts answered {response.status_code}"
    listed = w.merchants[rel].id in {a["merchant_id"] for a in response.get_json()["alerts"]}
    if listed != _supervises(role, rel):
        return f"alert of {rel} {'listed' if listed else 'missing'}"
    return None


def orders_path(w: Any, rel: str) -> str:
    return f"/api/v1/orders?merchant={w.merchants[rel].id}"
