"""``GET /api/v1/dashboard/summary`` and ``/status``: the figures equal a naive aggregate of
the raw rows, never include another district, and every bad query is a 422 (or 404) with a
code and the field, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.auth import user_required
from inspect_app.extensions import csrf, db
from inspect_app.models import Instrument, Report, User
from inspect_app.models.report import ReportCategory
from inspect_app.models.user import Role
from tests.api.dashboard_history import History, history_fixture  # noqa: F401
from tests.api.naive_summary import naive_summary
from tests.conftest import csrf_from

PERIODS = [
    (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2026, 2, 1), date(2026, 2, 1)),
    (date(2025, 12, 15), date(2026, 3, 3)),
]


def summary(client: FlaskClient, headers: dict[str, str], query: str) -> Any:
    response = client.get(f"/api/v1/dashboard/summary?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_summary_equals_the_naive_aggregate_of_the_raw_rows(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
    start: date,
    end: date,
) -> None:
    for user, regions in (
        (history.supervisor, [history.region.id]),
        (history.far_supervisor, [history.far.id]),
        (history.admin, None),
    ):
        got = summary(client, token_for(user), f"from={start}&to={end}")
        want = naive_summary(regions, start, end)
        assert want["inspections"] > 0 or user is history.far_supervisor
        assert (got["inspections"], got["failed"]) == (want["inspections"], want["failed"])
        assert got["pass_rate"] == pytest.approx(want["pass_rate"])
        assert got["findings_by_severity"] == want["findings_by_severity"]
        assert got["findings"] == sum(want["findings_by_severity"].values())
        assert {
            k: [v["inspections"], v["failed"], v["findings"]] for k, v in got["by_form"].items()
        } == want["by_form"]
        assert {
            m["market_id"]: [m["inspections"], m["failed"], m["findings"]] for m in got["by_market"]
        } == want["by_market"]
        weeks = {
            date.fromisoformat(w["start"]): [w["inspections"], w["failed"], w["findings"]]
            for w in got["by_week"]
        }
        assert {k: v for k, v in weeks.items() if v != [0, 0, 0]} == want["by_week"]
        assert sum(w["days"] for w in got["by_week"]) == (end - start).days + 1
        previous = got["previous"]
        assert [previous["inspections"], previous["failed"], previous["findings"]] == want[
            "previous"
        ]
        assert previous["days"] == got["period"]["days"] == (end - start).days + 1


def test_a_day_is_the_districts_calendar_day(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    """23:59:59 on 31 January in Shanghai counts on the 31st, 00:00 on 1 February on the 1st,
    although both are 31 January in UTC."""
    headers = token_for(history.supervisor)
    market = history.markets[0].id
    jan = summary(client, headers, f"from=2026-01-31&to=2026-01-31&market={market}")
    feb = summary(client, headers, f"from=2026-02-01&to=2026-02-01&market={market}")
    want_jan = naive_summary([history.region.id], date(2026, 1, 31), date(2026, 1, 31))
    assert jan["inspections"] == want_jan["by_market"][market][0] >= 1
    assert (
        feb["inspections"]
        == naive_summary([history.region.id], date(2026, 2, 1), date(2026, 2, 1))["by_market"][
            market
        ][0]
        >= 1
    )
    assert jan["by_code"] is None  # the findings rollup has no market dimension


def test_filters_narrow_to_one_market_or_form_of_the_callers_district(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.supervisor)
    period = "from=2025-12-01&to=2026-03-31"
    whole = summary(client, headers, period)
    market = history.markets[1].id
    one = summary(client, headers, f"{period}&market={market}")
    [row] = [m for m in whole["by_market"] if m["market_id"] == market]
    assert one["inspections"] == row["inspections"] and [
        m["market_id"] for m in one["by_market"]
    ] == [market]
    form = summary(client, headers, f"{period}&form=optical_shop")
    assert form["inspections"] == whole["by_form"]["optical_shop"]["inspections"]
    assert list(form["by_form"]) == ["optical_shop"]
    region = summary(client, headers, f"{period}&region={history.region.id}")
    assert region["inspections"] == whole["inspections"]
    assert [r["code"] for r in whole["regions"]] == [history.region.code]


@pytest.mark.parametrize(
    ("query", "status", "code", "field"),
    [
        ("from=2026-01-01&to=2026-01-31&color=red", 422, "VALIDATION_FAILED", "color"),
        ("from=2026-02-01&to=2026-01-31", 422, "PERIOD_INVERTED", "to"),
        ("from=2016-01-01&to=2026-01-01", 422, "PERIOD_TOO_LONG", "to"),
        ("from=2016-01-02&to=2026-01-01", 200, None, None),
        ("from=2026-02-30&to=2026-03-01", 422, "VALIDATION_FAILED", "from"),
        ("from=2026-01-01&to=tomorrow", 422, "VALIDATION_FAILED", "to"),
        ("from=20260101&to=2026-01-02", 422, "VALIDATION_FAILED", "from"),
        ("to=2026-01-02", 422, "VALIDATION_FAILED", "from"),
        ("from=2026-01-01", 422, "VALIDATION_FAILED", "to"),
        ("from=0001-01-01&to=0001-01-02", 422, "VALIDATION_FAILED", "from"),
        ("from=9999-12-30&to=9999-12-31", 422, "VALIDATION_FAILED", "from"),
        ("from=1900-01-01&to=1900-01-01", 200, None, None),
        ("from=2026-01-01&to=2026-01-02&market=abc", 422, "VALIDATION_FAILED", "market"),
        ("from=2026-01-01&to=2026-01-02&market=99999999999", 422, "VALIDATION_FAILED", "market"),
        ("from=2026-01-01&to=2026-01-02&form=DROP TABLE", 422, "VALIDATION_FAILED", "form"),
        ("from=2026-01-01&to=2026-01-02&region=0", 422, "VALIDATION_FAILED", "region"),
    ],
)
def test_bad_queries_are_refused_with_a_code_and_the_field(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
    query: str,
    status: int,
    code: str | None,
    field: str | None,
) -> None:
    headers = token_for(history.supervisor)
    for endpoint in ("dashboard/summary", "exports/inspections.csv"):
        response = client.get(f"/api/v1/{endpoint}?{query}", headers=headers)
        assert response.status_code == status, (endpoint, response.get_data(as_text=True)[:300])
        if code is not None:
            body = response.get_json()
            assert body["code"] == code and field in body["errors"], body


def test_another_districts_market_or_district_is_not_found(
    client: FlaskClient,
    history: History,
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(history.supervisor)
    period = "from=2026-01-01&to=2026-01-31"
    for query in (f"market={history.far_market.id}", f"region={history.far.id}", "region=999999"):
        for endpoint in ("dashboard/summary", "exports/findings.geojson", "dashboard/status"):
            if endpoint.endswith("status"):
                if query.startswith("market"):
                    continue
                url = f"/api/v1/{endpoint}?{query}"
            else:
                url = f"/api/v1/{endpoint}?{period}&{query}"
            response = client.get(url, headers=headers)
            assert (response.status_code, response.get_json()["code"]) == (404, "NOT_FOUND"), url
    admin = summary(client, token_for(history.admin), f"{period}&region={history.far.id}")
    assert (
        admin["inspections"]
        == naive_summary([history.far.id], date(2026, 1, 1), date(2026, 1, 31))["inspections"]
    )


def test_a_signed_in_page_and_a_device_token_are_both_accepted(
    client: FlaskClient,
    history: History,
    login_as: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    make_user: Callable[..., User],
) -> None:
    url = "/api/v1/dashboard/summary?from=2026-01-01&to=2026-01-31"
    assert client.get(url).status_code == 401
    inspector = make_user(Role.INSPECTOR)
    assert client.get(url, headers=token_for(inspector)).status_code == 403
    login_as(Role.SUPERVISOR)
    by_session = client.get(url)
    assert by_session.status_code == 200
    assert (
        by_session.get_json() == client.get(url, headers=token_for(history.supervisor)).get_json()
    )
    # A header is judged as a token even with a session: a bad one is refused.
    bad = client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert (bad.status_code, bad.get_json()["code"]) == (401, "AUTH_TOKEN_INVALID")
    assert client.post(url).status_code == 405


@pytest.fixture
def write_probe(app: Flask) -> str:
    """A POST endpoint behind ``user_required``, exempt from the app-wide CSRF check like the
    API blueprint, registered before the first request."""

    @user_required(Role.SUPERVISOR)
    def probe() -> dict[str, bool]:
        return {"ok": True}

    csrf.exempt(probe)
    app.add_url_rule("/api/v1/_probe", "api_probe", probe, methods=["POST"])
    return "/api/v1/_probe"


def test_a_session_changes_nothing_without_the_csrf_token(
    write_probe: str,
    client: FlaskClient,
    login_as: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    user = login_as(Role.SUPERVISOR)
    refused = client.post(write_probe)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "CSRF_FAILED")
    token = csrf_from(client, "/account/password")
    assert client.post(write_probe, headers={"X-CSRFToken": token}).status_code == 200
    assert client.post(write_probe, headers=token_for(user)).status_code == 200


def test_status_counts_what_needs_attention_in_the_district(
    client: FlaskClient,
    history: History,
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    lapsed = {
        "valid_until": date.today() - timedelta(days=3),
        "verified_at": date.today() - timedelta(days=368),
    }
    make_instrument(history.merchants[0], **lapsed)
    make_instrument(history.merchants[2])
    make_instrument(history.far_merchant, **lapsed)
    scale = make_instrument(history.merchants[1])
    for merchant in (history.merchants[1], history.far_merchant):
        db.session.add(
            Report(
                instrument_id=scale.id,
                merchant_id=merchant.id,
                region_id=merchant.region_id,
                category=ReportCategory.SHORT_WEIGHT,
            )
        )
    db.session.commit()
    response = client.get("/api/v1/dashboard/status", headers=token_for(history.supervisor))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["overdue_verifications"], body["open_reports"]) == (1, 1)
    assert (body["open_orders"], body["overdue_orders"], body["open_alerts"]) == (0, 0, 0)
    admin = client.get("/api/v1/dashboard/status", headers=token_for(history.admin)).get_json()
    assert (admin["overdue_verifications"], admin["open_reports"]) == (2, 2)


QUERY_VALUES = st.one_of(
    st.text(max_size=12),
    st.dates().map(str),
    st.integers(-(2**70), 2**70).map(str),
)


@pytest.fixture
def supervisor_headers(
    make_user: Callable[..., User], token_for: Callable[[User], dict[str, str]]
) -> dict[str, str]:
    return token_for(make_user(Role.SUPERVISOR))


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    query=st.dictionaries(
        st.sampled_from(["from", "to", "region", "market", "form", "x"]), QUERY_VALUES, max_size=5
    )
)
def test_no_query_string_is_a_server_error(
    client: FlaskClient, supervisor_headers: dict[str, str], query: dict[str, str]
) -> None:
    for endpoint in ("dashboard/summary", "exports/findings.csv"):
        response = client.get(f"/api/v1/{endpoint}", query_string=query, headers=supervisor_headers)
        assert response.status_code in (200, 404, 422), (query, response.status_code)
        response.close()
