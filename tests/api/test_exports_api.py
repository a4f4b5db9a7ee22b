"""Exports parse (csv module, openpyxl, GeoJSON structure), match the database row for row,
stay inside the caller's districts, and are recorded in the audit log."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Finding, Inspection, Merchant, User
from tests.api.dashboard_history import (
    FIRST_OF_FEBRUARY,
    LAST_OF_JANUARY,
    History,
    history_fixture,  # noqa: F401
)
from tests.api.naive_summary import naive_summary

SHANGHAI = ZoneInfo("Asia/Shanghai")
JANUARY = "from=2026-01-01&to=2026-01-31"


def _current(region_id: int, start: date, end: date) -> dict[str, Inspection]:
    """The current inspections of a district whose local capture day is in the period."""
    superseded = set(db.session.scalars(select(Inspection.supersedes_id)))
    rows = db.session.scalars(
        select(Inspection)
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(Merchant.region_id == region_id)
    )
    return {
        i.uuid: i
        for i in rows
        if i.id not in superseded and start <= i.captured_at.astimezone(SHANGHAI).date() <= end
    }


def _get(client: FlaskClient, headers: dict[str, str], name: str, query: str = JANUARY) -> Any:
    response = client.get(f"/api/v1/exports/{name}?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.is_streamed
    return response


def test_inspections_csv_has_one_row_per_current_inspection(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    response = _get(client, token_for(history.supervisor), "inspections.csv")
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert (
        'filename="inspections_2026-01-01_2026-01-31.csv"'
        in response.headers["Content-Disposition"]
    )
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = _current(history.region.id, date(2026, 1, 1), date(2026, 1, 31))
    assert {r["uuid"] for r in rows} == set(expected) and len(rows) == len(expected)
    assert not {i.uuid for i in history.superseded} & {r["uuid"] for r in rows}
    by_uuid = {r["uuid"]: r for r in rows}
    for uuid, inspection in expected.items():
        row = by_uuid[uuid]
        codes = sorted(f.code for f in inspection.findings)
        assert row["findings"] == ";".join(codes)
        assert row["verdict"] == inspection.verdict.value and row["form"] == inspection.form_key
        assert row["date"] == inspection.captured_at.astimezone(SHANGHAI).date().isoformat()
        assert (row["lat"], row["lon"]) == (
            ("", "") if inspection.lat is None else (str(inspection.lat), str(inspection.lon))
        )
        assert row["district_code"] == history.region.code
    # 23:59:59 on 31 January (Shanghai) is in January; midnight starts February.
    uuids = {r["uuid"] for r in rows}
    edge = {i.captured_at: i.uuid for i in history.inspections}
    assert edge[LAST_OF_JANUARY] in uuids and edge[FIRST_OF_FEBRUARY] not in uuids
    # A name that a spreadsheet would run as a formula is written as text.
    names = {r["merchant"] for r in rows}
    assert '\'=HYPERLINK("http://x")' in names and '=HYPERLINK("http://x")' not in names


def test_findings_csv_and_geojson_have_one_entry_per_finding(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.supervisor)
    expected = _current(history.region.id, date(2026, 1, 1), date(2026, 1, 31))
    findings = [(i.uuid, f.code) for i in expected.values() for f in i.findings]
    rows = list(
        csv.DictReader(
            io.StringIO(_get(client, headers, "findings.csv").get_data().decode("utf-8-sig"))
        )
    )
    assert sorted((r["inspection_uuid"], r["code"]) for r in rows) == sorted(findings)
    assert {r["severity"] for r in rows} <= {"S0", "S1", "S2", "S3", "S4"}
    geo = _get(client, headers, "findings.geojson")
    assert geo.mimetype == "application/geo+json"
    document = json.loads(geo.get_data())
    assert document["type"] == "FeatureCollection"
    located = [
        (i.uuid, f.code, i.lon, i.lat)
        for i in expected.values()
        if i.lat is not None
        for f in i.findings
    ]
    assert len(located) < len(findings)  # some findings have no geotag and are left out
    got = []
    for feature in document["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        got.append((props["inspection_uuid"], props["code"], lon, lat))
        assert "lat" not in props and "lon" not in props
    assert sorted(got) == sorted(located)


def test_xlsx_exports_hold_the_same_rows_as_the_csv(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.admin)
    query = "from=2025-12-01&to=2026-03-31"
    for stem in ("inspections", "findings"):
        text = _get(client, headers, f"{stem}.csv", query).get_data().decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(text)))
        response = _get(client, headers, f"{stem}.xlsx", query)
        assert response.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).worksheets[0]
        assert sheet.title == stem
        xlsx_rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        # The CSV guards formulas with an apostrophe; the workbook stores them as text cells.
        unguarded = [[c[1:] if c[:2] == "'=" else c for c in row] for row in csv_rows]
        assert [_trimmed(r) for r in xlsx_rows] == [_trimmed(r) for r in unguarded]
        assert len(xlsx_rows) > 1


def _trimmed(row: list[str]) -> list[str]:
    """A row without its trailing empty cells (a read-only workbook leaves them out)."""
    while row and row[-1] == "":
        row = row[:-1]
    return row


def test_another_districts_rows_are_never_exported(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    far = _current(history.far.id, date(2025, 12, 1), date(2026, 3, 31))
    assert far
    query = "from=2025-12-01&to=2026-03-31"
    for name in ("inspections.csv", "findings.csv", "findings.geojson"):
        body = (
            _get(client, token_for(history.supervisor), name, query).get_data().decode("utf-8-sig")
        )
        assert not [uuid for uuid in far if uuid in body], name
        assert history.far.code not in body


def test_each_export_is_recorded_with_its_filter_and_row_count(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.supervisor)
    _get(client, headers, "inspections.csv").get_data()
    _get(
        client, headers, "findings.geojson", JANUARY + f"&market={history.markets[0].id}"
    ).get_data()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.entity_id) for e in entries] == [
        (history.supervisor.id, "inspections.csv"),
        (history.supervisor.id, "findings.geojson"),
    ]
    first, second = (e.detail for e in entries)
    january = naive_summary([history.region.id], date(2026, 1, 1), date(2026, 1, 31))
    assert first == {
        "from": "2026-01-01",
        "to": "2026-01-31",
        "region": None,
        "market": None,
        "form": None,
        "districts": [history.region.id],
        "rows": january["inspections"],
    }
    located = db.session.scalar(
        select(func.count(Finding.id))
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(
            Inspection.uuid.in_(_current(history.region.id, date(2026, 1, 1), date(2026, 1, 31))),
            Inspection.lat.is_not(None),
        )
        .join(Merchant, Merchant.id == Inspection.merchant_id)
        .where(Merchant.market_id == history.markets[0].id)
    )
    assert second["market"] == history.markets[0].id and second["rows"] == located


def test_refused_or_head_exports_record_nothing(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.supervisor)
    url = "/api/v1/exports/inspections.csv"
    assert client.get(f"{url}?from=2026-02-01&to=2026-01-01", headers=headers).status_code == 422
    head = client.head(f"{url}?{JANUARY}", headers=headers)
    assert (head.status_code, head.get_data()) == (200, b"")
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None
