"""The supervisors' queue of consumer reports: scope, the three outcomes, the photo."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import (
    AuditEntry,
    Inspection,
    Instrument,
    Market,
    Merchant,
    Region,
    Report,
    User,
)
from inspect_app.models.inspection import GeotagStatus, Verdict
from inspect_app.models.report import ReportCategory, ReportStatus
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import reports
from tests.conftest import csrf_from
from tests.web.reports_helpers import text

PHONE = "13912345678"


@dataclass
class Reports:
    own: Report
    far: Report
    scale: Instrument
    far_scale: Instrument
    inspector: User


def add_inspection(instrument: Instrument, inspector: User, days_ago: int = 1) -> Inspection:
    at = utcnow() - timedelta(days=days_ago)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key="bazaar_scale",
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=instrument.merchant_id,
        instrument_id=instrument.id,
        captured_at=at,
        received_at=at,
        geotag_status=GeotagStatus.OK,
        answers={},
        content_sha256="0" * 64,
        evaluation={},
        verdict=Verdict.FAIL,
    )
    db.session.add(inspection)
    db.session.commit()
    return inspection


@pytest.fixture
def world(
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Reports:
    far_region = make_region()
    far_merchant = make_merchant(
        region_id=far_region.id, market_id=make_market(region_id=far_region.id).id
    )
    scale, far_scale = make_instrument(), make_instrument(far_merchant)
    new = reports.NewReport(
        ReportCategory.SHORT_WEIGHT, description="少了二两", reporter_phone=PHONE
    )
    own = reports.create_report(scale, new)
    far = reports.create_report(far_scale, new)
    db.session.commit()
    return Reports(own, far, scale, far_scale, make_user(Role.INSPECTOR))


def close(client: FlaskClient, report: Report, **fields: str) -> Any:
    data = {"csrf_token": csrf_from(client, "/supervisor/reports"), **fields}
    return client.post(f"/supervisor/reports/{report.id}/close", data=data)


def fresh(report: Report) -> Report:
    db.session.commit()
    db.session.refresh(report)
    return report


def test_the_supervisor_home_links_the_queue(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.SUPERVISOR)
    assert 'href="/supervisor/reports"' in text(client.get("/supervisor/"))


def test_a_supervisor_sees_their_districts_reports_only(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    login_as(Role.SUPERVISOR)
    page = client.get("/supervisor/reports", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    body = text(page)
    assert world.scale.code in body and world.far_scale.code not in body
    assert PHONE in body and "少了二两" in body  # the supervisor may call the reporter
    assert f'action="/supervisor/reports/{world.own.id}/close"' in body
    assert f"/supervisor/reports/{world.far.id}/" not in body


def test_an_admin_sees_every_district(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    login_as(Role.ADMIN)
    body = text(client.get("/supervisor/reports"))
    assert world.scale.code in body and world.far_scale.code in body


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MERCHANT])
def test_other_roles_may_not_open_the_queue(
    client: FlaskClient, login_as: Callable[..., User], world: Reports, role: Role
) -> None:
    login_as(role)
    assert client.get("/supervisor/reports").status_code == 403
    assert client.get(f"/supervisor/reports/{world.own.id}/photo.jpg").status_code == 403


def test_another_districts_report_cannot_be_closed(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    login_as(Role.SUPERVISOR)
    assert close(client, world.far, outcome="inspection_planned").status_code == 404
    assert close(client, world.own, outcome="inspection_planned").status_code == 303
    assert fresh(world.far).status == ReportStatus.RECEIVED


def test_a_dismissal_needs_a_reason_which_the_reporter_reads(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    supervisor = login_as(Role.SUPERVISOR, locale="en")
    refused = close(client, world.own, outcome="dismissed", reason="   ")
    assert refused.status_code == 422
    assert "Give the reason for dismissing the report." in text(refused)
    assert fresh(world.own).status == ReportStatus.RECEIVED
    done = close(client, world.own, outcome="dismissed", reason="复秤时重量无误。")
    assert done.status_code == 303
    assert done.headers["Location"].startswith("/supervisor/reports?closed=")
    report = fresh(world.own)
    assert report.status == ReportStatus.DISMISSED
    assert report.outcome_reason == "复秤时重量无误。"
    assert report.closed_by_id == supervisor.id and report.closed_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.close")).one()
    assert entry.actor_id == supervisor.id and entry.detail["status"] == "dismissed"
    status = text(client.get(f"/reports/{report.tracking_code}?lang=en"))
    assert "Closed without action" in status and "复秤时重量无误。" in status
    assert supervisor.display_name not in status and supervisor.username not in status
    again = close(client, world.own, outcome="inspection_planned")
    assert again.status_code == 422 and "already closed" in text(again)


def test_a_planned_inspection_can_later_be_linked(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    login_as(Role.SUPERVISOR, locale="en")
    assert close(client, world.own, outcome="inspection_planned").status_code == 303
    report = fresh(world.own)
    assert report.status == ReportStatus.INSPECTION_PLANNED and report.outcome_reason is None
    page = text(client.get(f"/reports/{report.tracking_code}?lang=en"))
    assert "planned an inspection" in page
    inspection = add_inspection(world.scale, world.inspector)
    queue = text(client.get("/supervisor/reports"))
    assert f'value="{inspection.uuid}"' in queue  # offered for linking
    assert close(client, world.own, outcome="linked", inspection=inspection.uuid).status_code == 303
    report = fresh(world.own)
    assert report.status == ReportStatus.LINKED
    assert report.linked_inspection_id == inspection.id
    status = text(client.get(f"/reports/{report.tracking_code}?lang=en"))
    assert "An inspector checked this stall on" in status
    assert "found problems" in status
    assert world.inspector.display_name not in status and inspection.uuid not in status


def test_a_link_needs_one_of_the_stalls_own_inspections(
    client: FlaskClient,
    login_as: Callable[..., User],
    world: Reports,
    make_instrument: Callable[..., Instrument],
) -> None:
    login_as(Role.SUPERVISOR, locale="en")
    neighbour = add_inspection(make_instrument(), world.inspector)  # same district, other stall
    far = add_inspection(world.far_scale, world.inspector)
    for fields, message in (
        ({}, "Choose the inspection."),
        ({"inspection": neighbour.uuid}, "not one of this stall"),
        ({"inspection": far.uuid}, "not one of this stall"),
        ({"inspection": "x" * 37}, "not one of this stall"),
        ({"inspection": "not-a-uuid"}, "not one of this stall"),
    ):
        refused = close(client, world.own, outcome="linked", **fields)
        assert refused.status_code == 422, fields
        assert message in text(refused)
    assert fresh(world.own).status == ReportStatus.RECEIVED


@pytest.mark.parametrize(
    "fields",
    [{}, {"outcome": "received"}, {"outcome": "closed"}, {"outcome": "dismissed", "x": "1"}],
)
def test_a_bad_outcome_is_refused(
    client: FlaskClient, login_as: Callable[..., User], world: Reports, fields: dict[str, str]
) -> None:
    login_as(Role.SUPERVISOR)
    assert close(client, world.own, **fields).status_code == 422
    assert fresh(world.own).status == ReportStatus.RECEIVED


def test_the_photo_is_served_to_the_district_only(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    root = Path(app.config["ATTACHMENTS_DIR"]) / "reports"
    root.mkdir(parents=True)
    for report, byte in ((world.own, b"1"), (world.far, b"2")):
        sha = (byte * 64).decode()
        (root / f"{sha}.jpg").write_bytes(b"\xff\xd8 a jpeg " + byte)
        report.photo_sha256 = sha
    db.session.commit()
    login_as(Role.SUPERVISOR)
    served = client.get(f"/supervisor/reports/{world.own.id}/photo.jpg")
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, max-age=86400, immutable"
    assert client.get(f"/supervisor/reports/{world.far.id}/photo.jpg").status_code == 404
    assert re.search(
        rf'<img class="rep-thumb" src="/supervisor/reports/{world.own.id}/photo',
        text(client.get("/supervisor/reports")),
    )


def test_a_report_without_a_photo_has_none_to_serve(
    client: FlaskClient, login_as: Callable[..., User], world: Reports
) -> None:
    login_as(Role.ADMIN)
    assert client.get(f"/supervisor/reports/{world.own.id}/photo.jpg").status_code == 404
    assert client.get("/supervisor/reports/999999/photo.jpg").status_code == 404
