"""The dashboard's overview, map and trends as a supervisor reads them: each tile's figure is the
direct count of the rows behind it, and its link opens the list that holds exactly those rows;
the map's markets carry the same figures; the trends' tables add up; the tile server is allowed
by the page's CSP only when one is configured."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.user import Role
from tests.web import dashboard_helpers as dh
from tests.web.dashboard_helpers import History
from tests.web.test_dashboard_lists import walk

TILE = re.compile(
    r'<a class="dash-tile[^"]*" href="([^"]+)" data-testid="tile-([a-zA-Z0-9-]+)">.*?'
    r'data-testid="tile-value">([^<]+)<',
    re.S,
)


@pytest.fixture
def history(
    region: Region,
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> History:
    return dh.build(region, make_region, make_market, make_merchant, make_instrument, make_user)


def tiles(text: str) -> dict[str, tuple[str, str]]:
    return {name: (html.unescape(href), value.strip()) for href, name, value in TILE.findall(text)}


def test_tiles_are_the_direct_counts_and_open_their_rows(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    end = dh.today()
    start = end - timedelta(days=29)
    page = client.get("/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert history.region.name_zh in text  # the district's name
    shown = tiles(text)
    rows = history.in_days(start, end)
    failed = [i for i in rows if i.verdict.value == "fail"]
    assert shown["inspections"][1] == str(len(rows))
    assert shown["failed"][1] == str(len(failed))
    rate = (len(rows) - len(failed)) / len(rows) * 100
    assert shown["pass-rate"][1] == f"{rate:.1f}%"
    assert set(walk(client, shown["inspections"][0])) == {i.uuid for i in rows}
    assert set(walk(client, shown["failed"][0])) == {i.uuid for i in failed}
    for n in range(5):
        href, value = shown[f"findings-S{n}"]
        expected = [f for i in rows for f in i.findings if f.severity == n]
        assert value == str(len(expected)), n
        assert sorted(walk(client, href)) == sorted(str(f.id) for f in expected)
    # The previous period of equal length is beside each figure.
    before = history.in_days(start - timedelta(days=30), start - timedelta(days=1))
    assert f"{len(before)} (" in text
    # States: overdue verifications open the instruments behind them.
    mine = {m.id for m in history.merchants}
    overdue = [
        i
        for i in history.instruments
        if i.merchant_id in mine
        and i.valid_until is not None
        and i.valid_until < end
        and i.status not in (InstrumentStatus.RETIRED,)
    ]
    href, value = shown["overdue-verifications"]
    assert value == str(len(overdue))
    assert sorted(walk(client, href)) == sorted(str(i.id) for i in overdue)
    assert shown["open-orders"][0] == "/orders"
    assert shown["overdue-orders"][0] == "/orders?status=overdue"
    assert shown["open-reports"][0] == "/supervisor/reports"
    assert shown["open-alerts"][0] == "/alerts"
    # Exports of the period carry its dates.
    assert f"/api/v1/exports/inspections.csv?from={start}&amp;to={end}" in text


def test_a_chosen_period_is_compared_with_the_one_before(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    end = dh.today() - timedelta(days=10)
    start = end - timedelta(days=19)
    text = client.get(f"/dashboard?from={start}&to={end}").get_data(as_text=True)
    shown = tiles(text)
    assert shown["inspections"][1] == str(len(history.in_days(start, end)))
    assert f"from={start}" in shown["inspections"][0] and f"to={end}" in shown["inspections"][0]
    previous_start = start - timedelta(days=20)
    assert f"{previous_start.isoformat()} – {(start - timedelta(days=1)).isoformat()}" in text


def test_the_map_data_gives_each_market_its_figures(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    end = dh.today()
    start = end - timedelta(days=59)
    data = client.get(f"/dashboard/map.json?from={start}&to={end}").get_json()
    rows = history.in_days(start, end)
    market_of = {m.id: m.market_id for m in history.merchants}
    by_id = {m["id"]: m for m in data["markets"]}
    assert set(by_id) == {m.id for m in history.markets}
    for market in history.markets:
        mine = [i for i in rows if market_of[i.merchant_id] == market.id]
        shown = by_id[market.id]
        assert shown["inspections"] == len(mine)
        assert shown["failed"] == sum(i.verdict.value == "fail" for i in mine)
        for n in range(5):
            count = sum(f.severity == n for i in mine for f in i.findings)
            assert shown["by_severity"][f"S{n}"] == count
        assert shown["list_url"].startswith("/dashboard/inspections?")
    located = [f for i in rows if i.lat is not None for f in i.findings]
    assert len(data["points"]) == data["located_findings"] == len(located)
    assert not data["truncated"]
    assert all(p["url"].startswith("/inspections/") for p in data["points"])
    [outline] = data["outlines"]
    assert outline["kind"] == "hull" and len(outline["ring"]) >= 3
    lats = [p[0] for p in outline["ring"]]
    assert all(min(lats) < m.lat < max(lats) for m in history.markets)


def test_trends_tables_add_up_to_the_period(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    end = dh.today()
    start = end - timedelta(days=59)
    text = client.get(f"/dashboard/trends?from={start}&to={end}").get_data(as_text=True)
    for key in ("pass-rate", "findings", "markets"):
        assert f'data-testid="chart-{key}"' in text
    assert text.count("<details") >= 3 and 'role="img"' in text
    table = text.split('data-testid="table-findings"')[1].split("</table>")[0]
    totals = [
        int(cells[-1])
        for cells in re.findall(r"<tr><th scope=\"row\">[^<]+</th>((?:<td>\d+</td>)+)</tr>", table)
        for cells in [re.findall(r"\d+", cells)]
    ]
    rows = history.in_days(start, end)
    assert sum(totals) == sum(len(i.findings) for i in rows)
    assert "<script" not in text.split("<main>")[1]


def test_english_pages_speak_english(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    client.post("/lang/en", data={"csrf_token": _csrf(client)})
    for path in ("/dashboard", "/dashboard/trends", "/dashboard/map", "/dashboard/inspections"):
        text = client.get(path).get_data(as_text=True)
        assert "Period" in text and "时段" not in text, path


def _csrf(client: FlaskClient) -> str:
    text = client.get("/dashboard").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def tiled_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    config = {
        **app_config,
        "MAP_TILE_URL": "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}",
    }
    tiled = create_app(config)
    with tiled.app_context():
        yield tiled
        db.session.remove()


def test_the_tile_server_is_allowed_only_when_configured(
    client: FlaskClient, tiled_app: Flask
) -> None:
    plain = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in plain
    tiled = tiled_app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in tiled
