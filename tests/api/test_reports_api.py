"""``GET /api/v1/reports``: the district's reports for supervisors, every report for admins,
403 for everyone else; newest first, paged."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, Region, Report, User
from inspect_app.models.report import ReportCategory, ReportStatus
from inspect_app.models.user import Role
from inspect_app.services import reports

FIELDS = {
    "id",
    "tracking_code",
    "status",
    "category",
    "instrument_id",
    "merchant_id",
    "claimed_weight_g",
    "found_weight_g",
    "description",
    "has_photo",
    "reporter_phone",
    "created_at",
    "closed_at",
    "outcome_reason",
    "linked_inspection_uuid",
}


@pytest.fixture
def two_districts(
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> tuple[list[Report], Report]:
    far_region = make_region()
    far = make_merchant(region_id=far_region.id, market_id=make_market(region_id=far_region.id).id)
    scale = make_instrument()
    new = reports.NewReport(
        ReportCategory.SHORT_WEIGHT,
        claimed_weight_g=Decimal("1000.0"),
        found_weight_g=Decimal("950.0"),
        description="少了一两",
        reporter_phone="13912345678",
    )
    own = [reports.create_report(scale, new) for _ in range(3)]
    other = reports.create_report(make_instrument(far), new)
    db.session.commit()
    return own, other


def test_a_supervisor_lists_their_districts_reports_newest_first(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    two_districts: tuple[list[Report], Report],
) -> None:
    own, other = two_districts
    response = client.get("/api/v1/reports", headers=token_for(make_user(Role.SUPERVISOR)))
    assert response.status_code == 200
    body = response.get_json()
    assert [r["id"] for r in body] == [r.id for r in reversed(own)]
    first = body[0]
    assert set(first) == FIELDS
    assert first["reporter_phone"] == "13912345678"
    assert (first["claimed_weight_g"], first["found_weight_g"]) == ("1000.0", "950.0")
    assert first["status"] == "received" and first["category"] == "short_weight"
    assert first["closed_at"] is None and first["has_photo"] is False
    assert other.id not in {r["id"] for r in body}


def test_an_admin_lists_every_district(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    two_districts: tuple[list[Report], Report],
) -> None:
    own, other = two_districts
    body = client.get("/api/v1/reports", headers=token_for(make_user(Role.ADMIN))).get_json()
    assert {r["id"] for r in body} == {r.id for r in [*own, other]}


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MERCHANT])
def test_other_roles_are_refused(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    role: Role,
) -> None:
    response = client.get("/api/v1/reports", headers=token_for(make_user(role)))
    assert response.status_code == 403
    assert response.get_json()["code"] == "FORBIDDEN"
    assert client.get("/api/v1/reports").status_code == 401


def test_pages_and_status_filter(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    two_districts: tuple[list[Report], Report],
) -> None:
    own, _other = two_districts
    supervisor = make_user(Role.SUPERVISOR)
    reports.close_report(supervisor, own[0], ReportStatus.DISMISSED, "复秤无误")
    db.session.commit()
    headers = token_for(supervisor)
    page = client.get("/api/v1/reports?limit=2", headers=headers).get_json()
    assert [r["id"] for r in page] == [own[2].id, own[1].id]
    rest = client.get(f"/api/v1/reports?limit=2&before_id={own[1].id}", headers=headers)
    [closed] = rest.get_json()
    assert closed["id"] == own[0].id and closed["status"] == "dismissed"
    assert closed["outcome_reason"] == "复秤无误" and closed["closed_at"] is not None
    only_open = client.get("/api/v1/reports?status=open", headers=headers).get_json()
    assert [r["id"] for r in only_open] == [own[2].id, own[1].id]
    only_closed = client.get("/api/v1/reports?status=closed", headers=headers).get_json()
    assert [r["id"] for r in only_closed] == [own[0].id]


@pytest.mark.parametrize(
    "query", ["status=everything", "limit=0", "limit=501", "limit=x", "before_id=-1", "sort=id"]
)
def test_a_bad_query_is_422(
    client: FlaskClient,
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    query: str,
) -> None:
    response = client.get(f"/api/v1/reports?{query}", headers=token_for(make_user(Role.ADMIN)))
    assert response.status_code == 422
    assert response.get_json()["code"] == "VALIDATION_FAILED"
