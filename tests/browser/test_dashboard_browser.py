"""The dashboard in a real browser: the tiles, a filtered list reached from a tile, the map with
its markers (no tile server: the markers still show, over the district's outline), and a chart
with its table one click away. Under the strict CSP, with no script error."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer
from tests.web import dashboard_helpers as dh
from tests.web.dashboard_helpers import History


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


def sign_in(page: Any, user: User) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.test_password)  # type: ignore[attr-defined]
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/supervisor/")


def test_tiles_lead_to_filtered_lists_and_the_map_and_charts_work(
    browser: Any, live_server: LiveServer, history: History, make_user: Callable[..., User]
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1024, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    sign_in(page, supervisor)
    # The supervisor's home links to the dashboard.
    page.click("a[href='/dashboard']")
    page.wait_for_url("**/dashboard")
    assert page.text_content("[data-testid=district-name]") == history.region.name_zh
    end = dh.today()
    rows = history.in_days(end - timedelta(days=29), end)
    failed = [i for i in rows if i.verdict.value == "fail"]
    tile = page.locator("[data-testid=tile-failed]")
    assert tile.locator("[data-testid=tile-value]").text_content() == str(len(failed))
    # A tile opens the filtered list behind it: the failed inspections of the period.
    tile.click()
    page.wait_for_url(re.compile(r".*/dashboard/inspections\?.*verdict=fail.*"))
    shown = page.locator("[data-testid=row]")
    assert shown.count() == len(failed)
    assert {shown.nth(n).get_attribute("data-uuid") for n in range(shown.count())} == {
        i.uuid for i in failed
    }
    assert page.input_value("#f-verdict") == "fail"
    # Filter further with the form: the state stays in the URL.
    page.select_option("#f-severity", "S4")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url(re.compile(r".*severity=S4.*"))
    expected = [i for i in failed if any(f.severity == 4 for f in i.findings)]
    assert page.locator("[data-testid=row]").count() == len(expected)
    # The map: markets and findings over the outline, without any tile server.
    page.goto(f"/dashboard/map?from={end - timedelta(days=59)}&to={end}")
    page.wait_for_selector("#dash-map[data-ready=true]")
    markers = page.locator(".leaflet-marker-icon[data-market]")
    assert markers.count() == len(history.markets)
    assert markers.first.is_visible()
    located = [i for i in history.in_days(end - timedelta(days=59), end) if i.lat is not None]
    assert any(i.findings for i in located)
    dots = page.locator("path.dash-point, .marker-cluster")
    assert dots.count() > 0
    assert page.locator("path.dash-outline").count() == 1
    markers.first.click()
    popup = page.locator(".dash-popup")
    popup.wait_for()
    assert "合格率" in (popup.text_content() or "")
    assert outside == []
    # An inspection's page shows its geotag on a small map.
    page.goto(f"/inspections/{located[0].uuid}")
    page.wait_for_selector("[data-testid=geotag-map][data-ready=true]")
    assert page.locator("[data-testid=geotag-map] path.dash-geotag").count() == 1
    # Trends: a chart, and its table one click away.
    page.goto(f"/dashboard/trends?from={end - timedelta(days=59)}&to={end}")
    chart = page.locator("[data-testid=chart-findings] svg")
    assert chart.is_visible() and chart.get_attribute("role") == "img"
    table = page.locator("[data-testid=table-findings] table")
    assert not table.is_visible()
    page.click("[data-testid=table-findings] summary")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 9
    assert errors == []
    context.close()
