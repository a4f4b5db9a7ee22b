"""The supervisors' plan pages and the public list of published plans, as people use them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import create_app
from inspect_app.domain import risk_rules
from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Market, Merchant, Plan, Region, User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import plans
from tests.conftest import csrf_from
from tests.plan_helpers import add_inspection

PLAN_ID = re.compile(r"/plans/(\d+)$")


@pytest.fixture
def district(
    make_user: Callable[..., User],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
) -> dict[str, Any]:
    market = make_market(name_zh="新华市场", name_en="Xinhua Market")
    stalls = [
        make_merchant(market_id=market.id, name=f"诚信蔬菜{n}", stall_no=f"A-{n}") for n in range(6)
    ]
    inspectors = [
        make_user(Role.INSPECTOR, display_name="李晓明", username="lixm"),
        make_user(Role.INSPECTOR, display_name="王建国", username="wangjg"),
    ]
    return {"market": market, "stalls": stalls, "inspectors": inspectors}


def post_plan(client: FlaskClient, **fields: str) -> Any:
    data = {"plan_date": local_today().isoformat(), "size": "4", "random_share": "50"} | fields
    return client.post("/plans/new", data={**data, "csrf_token": csrf_from(client, "/plans/new")})


def test_a_supervisor_draws_a_plan_and_reads_who_goes_where_and_why(
    client: FlaskClient, login_as: Callable[..., User], district: dict[str, Any]
) -> None:
    login_as(Role.SUPERVISOR)
    form = client.get("/plans/new").get_data(as_text=True)
    assert 'name="random_share"' in form and 'value="20"' in form  # 20 % unless changed
    response = post_plan(client)
    assert response.status_code == 303
    plan_id = int(PLAN_ID.search(response.headers["Location"]).group(1))  # type: ignore[union-attr]
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    plan = db.session.get(Plan, plan_id)
    assert plan is not None and plan.seed in page
    for item in plan.items:
        merchant = db.session.get(Merchant, item.merchant_id)
        assert merchant is not None and merchant.name in page
    assert "李晓明" in page and "王建国" in page  # staff see who inspects
    assert page.count('<span class="plan-random">随机抽取</span>') == 2
    assert "从未检查" in page  # a risk pick says why
    verified = client.get(f"/plans/{plan_id}/verify").get_data(as_text=True)
    assert 'data-testid="verified"' in verified and "复现成功" in verified


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"size": "7"}, "size", "1 至 6"),
        ({"size": "lots"}, "size", "请填写整数"),
        ({"random_share": "150"}, "random_share", "0% 至 100%"),
        ({"plan_date": "2020-01-01"}, "plan_date", "该日期已过"),
        ({"plan_date": "tomorrow"}, "plan_date", "YYYY-MM-DD"),
    ],
)
def test_a_bad_plan_form_says_what_is_wrong_beside_the_field(
    client: FlaskClient,
    login_as: Callable[..., User],
    district: dict[str, Any],
    fields: dict[str, str],
    field: str,
    text: str,
) -> None:
    login_as(Role.SUPERVISOR)
    response = post_plan(client, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problem = re.search(rf'<p class="field-error" id="err-{field}">([^<]*)</p>', page)
    assert problem is not None and text in problem.group(1), page
    assert f'value="{fields[field]}"' in page  # what was typed stays
    assert db.session.scalar(select(Plan.id)) is None


def test_an_admin_chooses_the_district(
    client: FlaskClient, login_as: Callable[..., User], region: Region, district: dict[str, Any]
) -> None:
    login_as(Role.ADMIN)
    assert post_plan(client).status_code == 422
    response = post_plan(client, region=str(region.id))
    assert response.status_code == 303
    assert db.session.scalars(select(Plan)).one().region_id == region.id


def test_a_district_without_inspectors_is_told_so(
    client: FlaskClient, login_as: Callable[..., User], district: dict[str, Any]
) -> None:
    for person in district["inspectors"]:
        person.is_active = False
    db.session.commit()
    login_as(Role.SUPERVISOR)
    response = post_plan(client)
    assert response.status_code == 422
    assert "没有可分派的在岗检查人员" in response.get_data(as_text=True)


def _plan(region: Region, district: dict[str, Any], boss: User, day_offset: int = 0) -> Plan:
    plan = plans.draw_plan(
        boss,
        region.id,
        local_today() + timedelta(days=day_offset),
        3,
        Decimal("0.34"),
        utcnow(),
    )
    db.session.commit()
    return plan


def test_publishing_waits_for_the_inspections_then_the_public_sees_subjects_and_results(
    client: FlaskClient,
    login_as: Callable[..., User],
    region: Region,
    district: dict[str, Any],
) -> None:
    boss = login_as(Role.SUPERVISOR)
    plan = _plan(region, district, boss)
    token = csrf_from(client, f"/plans/{plan.id}")
    early = client.post(f"/plans/{plan.id}/publish", data={"csrf_token": token})
    assert early.status_code == 409
    assert "全部检查完成或计划日期过后" in early.get_data(as_text=True)
    failed_stall = plan.items[0].merchant_id
    for item in plan.items:
        merchant = db.session.get(Merchant, item.merchant_id)
        assert merchant is not None
        inspection = add_inspection(
            merchant, district["inspectors"][0], utcnow(), failed=item.merchant_id == failed_stall
        )
        plans.tick_off([inspection], utcnow())
    unpublished = _plan(region, district, boss, day_offset=1)
    db.session.commit()
    published = client.post(f"/plans/{plan.id}/publish", data={"csrf_token": token})
    assert published.status_code == 303
    anonymous = client.application.test_client()
    public = anonymous.get("/public/plans?lang=zh")
    assert public.status_code == 200
    assert "Set-Cookie" not in public.headers
    body = public.get_data(as_text=True)
    assert local_today().isoformat() in body and "新华市场" in body
    shown = {m.name for m in district["stalls"] if m.name in body}
    assert shown == {db.session.get(Merchant, i.merchant_id).name for i in plan.items}  # type: ignore[union-attr]
    assert body.count("不合格") == 1 and body.count("合格") == 3
    assert str(unpublished.plan_date) not in body
    # no person: no inspector, no contact, no phone, no priority or reason
    for secret in (
        "李晓明",
        "王建国",
        "lixm",
        "wangjg",
        "张三",
        "13800000000",
        "从未检查",
        plan.seed,
    ):
        assert secret not in body, secret
    english = anonymous.get("/public/plans?lang=en").get_data(as_text=True)
    assert "Xinhua Market" in english and "failed" in english


def test_the_public_page_is_rate_limited(app_config: dict[str, Any], client: FlaskClient) -> None:
    client.application.config["RATELIMIT_PUBLIC"] = "2 per minute"
    assert [client.get("/public/plans").status_code for _ in range(3)] == [200, 200, 429]


def test_a_plan_is_cancelled_before_it_starts(
    client: FlaskClient, login_as: Callable[..., User], region: Region, district: dict[str, Any]
) -> None:
    boss = login_as(Role.SUPERVISOR)
    plan = _plan(region, district, boss, day_offset=2)
    plan_id = plan.id
    response = client.post(
        f"/plans/{plan_id}/cancel", data={"csrf_token": csrf_from(client, f"/plans/{plan_id}")}
    )
    assert response.status_code == 303
    assert "撤销" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, plan_id) is None


def test_the_plans_page_reports_failure_rates_by_selection(
    client: FlaskClient, login_as: Callable[..., User], region: Region, district: dict[str, Any]
) -> None:
    boss = login_as(Role.SUPERVISOR)
    plan = _plan(region, district, boss)
    for item in plan.items:
        merchant = db.session.get(Merchant, item.merchant_id)
        assert merchant is not None
        failed = item.selection.value == "risk"
        plans.tick_off(
            [add_inspection(merchant, district["inspectors"][0], utcnow(), failed=failed)], utcnow()
        )
    db.session.commit()
    page = client.get("/plans").get_data(as_text=True)
    assert local_today().isoformat() in page
    risk_row = re.search(r"按风险</th><td>(\d+)</td><td>(\d+)</td>\s*<td>([\d.]+) %", page)
    random_row = re.search(r"随机抽取</th><td>(\d+)</td><td>(\d+)</td>\s*<td>([\d.]+) %", page)
    assert risk_row is not None and random_row is not None, page
    assert risk_row.groups() == ("2", "2", "100.0")
    assert random_row.groups() == ("1", "0", "0.0")
    bad = client.get("/plans?from=2026-02-01&to=2026-01-01")
    assert bad.status_code == 422


def test_inspectors_and_merchants_may_not_plan(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.INSPECTOR)
    assert client.get("/plans").status_code == 403
    assert client.get("/plans/new").status_code == 403


def test_a_bad_priority_rule_file_stops_the_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_config: dict[str, Any]
) -> None:
    text = (risk_rules.RULES_DIR / "v1.toml").read_text(encoding="utf-8")
    (tmp_path / "v1.toml").write_text(text.replace("per_open = 0.4\n", ""), encoding="utf-8")
    monkeypatch.setattr(risk_rules, "RULES_DIR", tmp_path)
    with pytest.raises(risk_rules.RiskRulesError, match=r"v1\.toml: likelihood\.orders\.per_open"):
        create_app(app_config)
