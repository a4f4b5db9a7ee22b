"""Paths and judges for the dashboard and export rows of the authorisation matrix
(tests/web/test_authorisation_matrix.py, under "dashboards and exports").

The world holds one inspection per relation's merchant, captured a minute ago: two in the
users' own district (own, other_merchant), one in the other. Supervisors must see exactly
their district's two, admins all three, in the summary and in every export; nobody else
gets an answer (403 by role). The path function brings the read models up to date from the
raw rows the first time it is asked (the matrix pushes over HTTP, whichever ingest is wired).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import Inspection
from inspect_app.models.user import Role
from inspect_app.services import rollup_check


def _period() -> str:
    today = date.today()
    return f"from={today - timedelta(days=7)}&to={today + timedelta(days=1)}"


def _rebuilt(path: str) -> str:
    if rollup_check.verify():
        rollup_check.rebuild()
        db.session.commit()
    return path


def path(endpoint: str) -> Any:
    return lambda _w, _rel: _rebuilt(f"/api/v1/{endpoint}?{_period()}")


def status_path(_w: Any, _rel: str) -> str:
    return "/api/v1/dashboard/status"


def _expected(w: Any, role: Role) -> set[str]:
    rels = ("own", "other_merchant", "other_district")
    seen = rels if role == Role.ADMIN else rels[:2]
    return {
        uuid
        for rel in seen
        for uuid in db.session.scalars(
            select(Inspection.uuid).where(Inspection.merchant_id == w.merchants[rel].id)
        )
    }


def judge_summary(w: Any, role: Role, _rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"summary answered {response.status_code}"
    counted = response.get_json()["inspections"]
    wanted = len(_expected(w, role))
    return None if counted == wanted else f"summary counts {counted}, expected {wanted}"


def _uuids(response: TestResponse) -> set[str]:
    body = response.get_data()
    kind = response.mimetype
    if kind == "text/csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        return {r.get("uuid") or r["inspection_uuid"] for r in rows}
    if kind.endswith("spreadsheetml.sheet"):
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        header, *rows = list(sheet.iter_rows(values_only=True))
        return {str(r[0]) for r in rows}
    features = json.loads(body)["features"]
    return {f["properties"]["inspection_uuid"] for f in features}


def _judge(w: Any, role: Role, response: TestResponse, exact: bool) -> str | None:
    if response.status_code != 200:
        return f"export answered {response.status_code}"
    got, wanted = _uuids(response), _expected(w, role)
    if not got <= wanted:
        return f"rows of another district: {sorted(got - wanted)}"
    if exact and got != wanted:
        return f"missing rows: {sorted(wanted - got)}"
    return None


def judge_inspections(w: Any, role: Role, _rel: str, response: TestResponse) -> str | None:
    """A row for every inspection of the caller's districts, none of another's."""
    return _judge(w, role, response, exact=True)


def judge_findings(w: Any, role: Role, _rel: str, response: TestResponse) -> str | None:
    """Rows only for findings of the caller's districts (inspections without any have none)."""
    return _judge(w, role, response, exact=False)


SUPERVISION = {Role.SUPERVISOR, Role.ADMIN}
EXPORTS = (
    ("inspections.csv", judge_inspections),
    ("inspections.xlsx", judge_inspections),
    ("findings.csv", judge_findings),
    ("findings.xlsx", judge_findings),
    ("findings.geojson", judge_findings),
)


def rows(row: Any, call: Any) -> dict[str, Any]:
    """The matrix rows of the dashboard API and the exports (``Row``, ``Call`` passed in)."""
    out = {
        "api.dashboard_summary": row(
            call(True, "GET", path("dashboard/summary")), SUPERVISION, judge=judge_summary
        ),
        "api.dashboard_state": row(call(True, "GET", status_path), SUPERVISION),
    }
    for name, judge in EXPORTS:
        out[f"api.export_{name.replace('.', '_')}"] = row(
            call(True, "GET", path(f"exports/{name}")), SUPERVISION, judge=judge
        )
    return out
