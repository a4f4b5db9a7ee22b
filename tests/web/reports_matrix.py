"""Paths, bodies and judges for the consumer-report rows of the authorisation matrix
(tests/web/test_authorisation_matrix.py, under "consumer reports")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models.user import Role


def _sees(role: Role, rel: str) -> bool:
    """Reports: admins all, supervisors their district's (the matrix's own rule for staff)."""
    return role == Role.ADMIN or (role == Role.SUPERVISOR and rel != "other_district")


def form_path(w: Any, rel: str) -> str:
    return f"/q/{w.instruments[rel].qr_token}/report"


def status_path(w: Any, rel: str) -> str:
    return f"/reports/{w.reports[rel].tracking_code}"


def close_path(w: Any, rel: str) -> str:
    return f"/supervisor/reports/{w.reports[rel].id}/close"


def photo_path(w: Any, rel: str) -> str:
    """The report's photo, put in place the first time it is asked for."""
    report = w.reports[rel]
    if report.photo_sha256 is None:
        sha = f"{report.id:064d}"
        folder = Path(w.app.config["ATTACHMENTS_DIR"]) / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sha}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not decoded when served")
        report.photo_sha256 = sha
        db.session.commit()
    return f"/supervisor/reports/{report.id}/photo.jpg"


def report_body(_w: Any, _rel: str) -> dict[str, Any]:
    return {"category": "short_weight", "claimed_weight": "1", "found_weight": "0.9"}


def close_body(_w: Any, _rel: str) -> dict[str, Any]:
    """A planned inspection may be planned again, so every allowed caller succeeds in turn."""
    return {"outcome": "inspection_planned"}


def public_page(_w: Any, _role: Role, _rel: str, response: TestResponse) -> str | None:
    """Every label's form and every tracking code's page work for everyone."""
    return None if response.status_code == 200 else f"answered {response.status_code}"


def judge_submitted(_w: Any, _role: Role, _rel: str, response: TestResponse) -> str | None:
    location = response.headers.get("Location", "")
    if response.status_code == 303 and location.startswith("/reports/"):
        return None
    return f"a report answered {response.status_code} {location}"


def judge_listed(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"list answered {response.status_code}"
    listed = w.reports[rel].id in {r["id"] for r in response.get_json()}
    if listed != _sees(role, rel):
        return f"report of {rel} {'listed' if listed else 'missing'}"
    return None
