"""The dashboard's lists as a supervisor uses them: every filter narrows to exactly the rows it
names, pages walk every row once in both directions, a changed page link is refused, another
district's rows never appear, and a bad period or filter says what is wrong."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.user import Role
from inspect_app.services import dashboard_lists, dashboard_registry
from tests.web import dashboard_helpers as dh
from tests.web.dashboard_helpers import SHANGHAI, History

ROW = re.compile(r'<tr data-testid="row" data-uuid="([^"]+)"(?: data-finding="(\d+)")?')
ROW_ID = re.compile(r'<tr data-testid="row" data-id="(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next"')


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


def walk(client: FlaskClient, path: str) -> list[str]:
    """Every row key of a list, following "next page" to the end."""
    keys: list[str] = []
    url: str | None = path
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = response.get_data(as_text=True)
        for match in ROW.finditer(text):
            keys.append(match.group(2) or match.group(1))
        keys.extend(ROW_ID.findall(text))
        found = NEXT.search(text)
        url = html.unescape(found.group(1)) if found else None
        pages += 1
        assert pages < 200
    return keys


def period_of(days: int = 60) -> tuple[Any, Any, str]:
    end = dh.today()
    start = end - timedelta(days=days - 1)
    return start, end, f"from={start.isoformat()}&to={end.isoformat()}"


def local_day(inspection: Any) -> Any:
    return inspection.captured_at.astimezone(SHANGHAI).date()


def test_every_filter_narrows_to_exactly_its_rows(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    start, end, span = period_of(60)
    rows = history.in_days(start, end)
    market_of = {m.id: m.market_id for m in history.merchants}
    market = history.markets[1]
    s3 = [i for i in rows if any(f.severity == 3 for f in i.findings)]
    cases: dict[str, list[Any]] = {
        "": rows,
        f"&market={market.id}": [i for i in rows if market_of[i.merchant_id] == market.id],
        "&form=prepackaged_goods": [i for i in rows if i.form_key == "prepackaged_goods"],
        "&verdict=fail": [i for i in rows if i.verdict.value == "fail"],
        "&verdict=pass": [i for i in rows if i.verdict.value == "pass"],
        "&severity=S3": s3,
        "&code=SCALE_CHEATING_DEVICE": [
            i for i in rows if any(f.code == "SCALE_CHEATING_DEVICE" for f in i.findings)
        ],
        "&grade=B": [i for i in rows if history.grades.get(i.merchant_id) == "B"],
        f"&market={market.id}&verdict=fail&severity=S2": [
            i
            for i in rows
            if market_of[i.merchant_id] == market.id
            and i.verdict.value == "fail"
            and any(f.severity == 2 for f in i.findings)
        ],
    }
    assert len(rows) > 20 and s3, "the history must give the filters something to narrow"
    for query, expected in cases.items():
        shown = walk(client, f"/dashboard/inspections?{span}{query}")
        assert sorted(shown) == sorted(i.uuid for i in expected), query
        assert len(shown) == len(set(shown))
    # Findings: the same filters select findings (severity and code select the finding itself).
    findings = [f for i in rows for f in i.findings]
    finding_cases = {
        "": findings,
        "&severity=S3": [f for f in findings if f.severity == 3],
        "&code=SCALE_NON_LEGAL_UNIT": [f for f in findings if f.code == "SCALE_NON_LEGAL_UNIT"],
        "&form=bazaar_scale": [f for f in findings if f.inspection.form_key == "bazaar_scale"],
        f"&market={market.id}": [f for f in findings if market_of[f.merchant_id] == market.id],
        "&grade=A": [f for f in findings if history.grades.get(f.merchant_id) == "A"],
    }
    for query, expected_findings in finding_cases.items():
        shown = walk(client, f"/dashboard/findings?{span}{query}")
        assert sorted(shown) == sorted(str(f.id) for f in expected_findings), query


def test_the_period_is_calendar_days_in_the_district(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    one = history.current()[3]
    day = local_day(one)
    shown = walk(client, f"/dashboard/inspections?from={day}&to={day}")
    assert one.uuid in shown
    assert sorted(shown) == sorted(i.uuid for i in history.in_days(day, day))
    # The default is the last 30 days, today included.
    start = dh.today() - timedelta(days=29)
    assert sorted(walk(client, "/dashboard/inspections")) == sorted(
        i.uuid for i in history.in_days(start, dh.today())
    )


@pytest.mark.parametrize("descending", [True, False])
def test_pages_walk_every_row_once_in_order(
    client: FlaskClient,
    login_as: Callable[..., User],
    history: History,
    monkeypatch: pytest.MonkeyPatch,
    descending: bool,
) -> None:
    monkeypatch.setattr(dashboard_lists, "PAGE_SIZE", 4)
    monkeypatch.setattr(dashboard_registry, "PAGE_SIZE", 3)
    login_as(Role.SUPERVISOR)
    start, end, span = period_of(70)
    direction = "desc" if descending else "asc"
    rows = history.in_days(start, end)
    shown = walk(client, f"/dashboard/inspections?{span}&dir={direction}")
    by_uuid = {i.uuid: i for i in rows}
    assert len(shown) == len(set(shown)) == len(rows)
    keys = [(by_uuid[u].captured_at, by_uuid[u].id) for u in shown]
    assert keys == sorted(keys, reverse=descending)
    findings = walk(client, f"/dashboard/findings?{span}&dir={direction}")
    assert sorted(findings) == sorted(str(f.id) for i in rows for f in i.findings)
    assert len(findings) == len(set(findings))
    # The registry lists, on each of their orders (valid_until and grade have NULLs).
    mine = [i for i in history.instruments if i.merchant_id in {m.id for m in history.merchants}]
    for sort in ("code", "valid_until"):
        ids = walk(client, f"/dashboard/instruments?sort={sort}&dir={direction}")
        assert sorted(ids) == sorted(str(i.id) for i in mine), sort
        assert len(ids) == len(set(ids))
        if sort == "valid_until":
            by_id = {str(i.id): i for i in mine}
            dated = [by_id[k].valid_until for k in ids if by_id[k].valid_until is not None]
            assert dated == sorted(dated, reverse=descending)
            nulls = [n for n, k in enumerate(ids) if by_id[k].valid_until is None]
            assert nulls == [len(ids) - 1]  # never verified: last, either way
    for sort in ("name", "grade"):
        ids = walk(client, f"/dashboard/merchants?sort={sort}&dir={direction}")
        assert sorted(ids) == sorted(str(m.id) for m in history.merchants), sort
        assert len(ids) == len(set(ids))
    graded = walk(client, f"/dashboard/merchants?sort=grade&dir={direction}")
    letters = [history.grades.get(int(k)) for k in graded]
    present = [g for g in letters if g]
    assert present == sorted(present, reverse=descending)
    assert letters[-1] is None and letters[0] is not None  # not graded yet: last, either way


def test_a_changed_page_link_is_refused(
    client: FlaskClient,
    login_as: Callable[..., User],
    history: History,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dashboard_lists, "PAGE_SIZE", 4)
    login_as(Role.SUPERVISOR)
    _start, _end, span = period_of(60)
    first = client.get(f"/dashboard/inspections?{span}").get_data(as_text=True)
    link = html.unescape(NEXT.search(first).group(1))  # type: ignore[union-attr]
    cursor = re.search(r"after=([^&]+)", link).group(1)  # type: ignore[union-attr]
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    findings = client.get(f"/dashboard/findings?{span}").get_data(as_text=True)
    other_list = re.search(  # a cursor of the findings list
        r"after=([^&]+)",
        html.unescape(NEXT.search(findings).group(1)),  # type: ignore[union-attr]
    ).group(1)  # type: ignore[union-attr]
    for bad in (flipped, "garbage", other_list, cursor + "x", "e30.abc"):
        response = client.get(f"/dashboard/inspections?{span}&after={bad}")
        assert response.status_code == 400, bad
        assert 'data-code="CURSOR_INVALID"' in response.get_data(as_text=True)
    # A good cursor used with the other direction is refused too.
    response = client.get(f"/dashboard/inspections?{span}&dir=asc&after={cursor}")
    assert response.status_code == 400
    assert client.get(f"/dashboard/inspections?{span}&after={'x' * 500}").status_code == 422
    assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-03-01&to=2026-02-01", 422, "PERIOD_INVERTED"),
        ("from=2010-01-01&to=2020-01-01", 422, "PERIOD_TOO_LONG"),
        ("from=2010-01-01&to=2019-12-31", 200, None),
        ("to=1800-01-01", 422, "VALIDATION_FAILED"),
        ("from=2026-13-01", 422, "VALIDATION_FAILED"),
        ("colour=red", 422, "VALIDATION_FAILED"),
        ("severity=S9", 422, "VALIDATION_FAILED"),
        ("verdict=maybe", 422, "VALIDATION_FAILED"),
        ("code=drop table", 422, "VALIDATION_FAILED"),
        ("sort=merchant", 422, "VALIDATION_FAILED"),
        ("market=99999999999", 422, "VALIDATION_FAILED"),
        ("market=999999", 404, None),
    ],
)
def test_bad_filters_say_what_is_wrong(
    client: FlaskClient, login_as: Callable[..., User], query: str, status: int, code: str | None
) -> None:
    login_as(Role.SUPERVISOR)
    for path in ("/dashboard/inspections", "/dashboard/findings"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == status, (path, query)
        if code:
            assert f'data-code="{code}"' in response.get_data(as_text=True)
    for path in ("/dashboard", "/dashboard/trends", "/dashboard/map", "/dashboard/map.json"):
        if (
            "severity" in query
            or "verdict" in query
            or "code=" in query
            or "sort" in query
            or "market" in query
        ):
            assert client.get(f"{path}?{query}").status_code == 422  # not a field of these pages
            continue
        assert client.get(f"{path}?{query}").status_code == status, (path, query)
    bad = client.get("/dashboard/map.json?from=2026-03-01&to=2026-02-01")
    assert bad.status_code == 422 and bad.get_json()["code"] == "PERIOD_INVERTED"
    assert client.get("/dashboard/instruments?verification=soon").status_code == 422
    assert client.get("/dashboard/merchants?from=2026-01-01").status_code == 422


def test_another_districts_rows_never_appear(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    _start, _end, span = period_of(70)
    far = {i.uuid for i in history.current(history.far)}
    assert far
    for path in ("/dashboard/inspections", "/dashboard/findings"):
        for query in ("", "&severity=S4", "&grade=D"):
            text = client.get(f"{path}?{span}{query}").get_data(as_text=True)
            assert not far & set(ROW.findall(text) and [m[0] for m in ROW.findall(text)])
    far_merchants = {str(m.id) for m in history.far_merchants}
    assert not far_merchants & set(walk(client, "/dashboard/merchants"))
    far_instruments = {
        str(i.id) for i in history.instruments if i.merchant_id in {int(m) for m in far_merchants}
    }
    assert not far_instruments & set(walk(client, "/dashboard/instruments"))
    far_id = history.far.id
    for path in (
        "/dashboard/inspections",
        "/dashboard/findings",
        "/dashboard/merchants",
        "/dashboard/instruments",
    ):
        assert client.get(f"{path}?market={history.far_market.id}").status_code == 404
        assert client.get(f"{path}?region={far_id}").status_code == 404
    for path in ("/dashboard", "/dashboard/map", "/dashboard/map.json", "/dashboard/trends"):
        assert client.get(f"{path}?region={far_id}").status_code == 404
    markets = client.get(f"/dashboard/map.json?{span}").get_json()["markets"]
    assert history.far_market.id not in {m["id"] for m in markets}


def test_an_admin_sees_every_district_or_the_one_named(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.ADMIN)
    _start, _end, span = period_of(70)
    everyone = set(walk(client, f"/dashboard/inspections?{span}"))
    far = {i.uuid for i in history.current(history.far)}
    assert far <= everyone
    only_far = set(walk(client, f"/dashboard/inspections?{span}&region={history.far.id}"))
    assert only_far == far


def test_instruments_overdue_follow_the_tile_rule(
    client: FlaskClient, login_as: Callable[..., User], history: History
) -> None:
    login_as(Role.SUPERVISOR)
    mine = {m.id for m in history.merchants}
    today = dh.today()
    overdue = {
        str(i.id)
        for i in history.instruments
        if i.merchant_id in mine
        and i.valid_until is not None
        and i.valid_until < today
        and i.status != InstrumentStatus.RETIRED
    }
    assert overdue
    assert set(walk(client, "/dashboard/instruments?verification=overdue")) == overdue
    unknown = {
        str(i.id) for i in history.instruments if i.merchant_id in mine and i.valid_until is None
    }
    assert set(walk(client, "/dashboard/instruments?verification=unknown")) == unknown
    graded = {str(m.id) for m in history.merchants if history.grades.get(m.id) == "C"}
    assert set(walk(client, "/dashboard/merchants?grade=C")) == graded
