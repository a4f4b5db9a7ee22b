"""Registry forms: markets, merchants and instruments, one by one (happy paths, bad input,
scope, what reaches the tablets)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import (
    AuditEntry,
    ChangeLogEntry,
    Instrument,
    Market,
    Merchant,
    Region,
    User,
)
from inspect_app.models.user import Role
from tests.conftest import csrf_from

MARKET = {
    "code": "xc-new",
    "name_zh": "新市场",
    "name_en": "New Market",
    "lat": "40.85",
    "lon": "111.68",
    "geofence_radius_m": "150",
}
MERCHANT = {
    "name": "王记蔬菜摊",
    "kind": "stall",
    "stall_no": "B-07",
    "uscc": "91350100M000100Y43",
    "contact_name": "王芳",
    "contact_phone": "138 0000 1111",
}
SCALE = {
    "code": "nm-0102-900001",
    "kind": "price_computing_scale",
    "make": "凯丰",
    "model": "ACS-15",
    "serial": "K123",
    "accuracy_class": "III",
    "max_capacity": "15000",
    "min_capacity": "40",
    "e_value": "5",
    "d_value": "5",
    "certificate_no": "JD-2025-1",
    "verifying_body": "呼和浩特市计量测试所",
    "verified_at": "2025-03-01",
    "valid_until": "2026-02-28",
}


def post(client: FlaskClient, path: str, data: dict[str, str], lang: str = "en") -> Any:
    token = csrf_from(client, "/markets/")
    return client.post(path, data={**data, "csrf_token": token}, headers={"Accept-Language": lang})


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def changes(entity: str, entity_id: int) -> int:
    query = select(func.count()).where(
        ChangeLogEntry.entity == entity, ChangeLogEntry.entity_id == entity_id
    )
    return int(db.session.scalar(query) or 0)


# ---------------------------------------------------------------- markets


def test_a_supervisor_registers_a_market_in_their_region(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.SUPERVISOR)
    form = client.get("/markets/new")
    assert form.status_code == 200 and 'name="region_id"' not in page(form)
    response = post(client, "/markets/new", MARKET)
    assert response.status_code == 302, page(response)
    market = db.session.scalar(select(Market).where(Market.code == "XC-NEW"))
    assert market is not None and market.region_id == user.region_id
    assert response.headers["Location"] == f"/markets/{market.id}?saved=1"
    assert (market.name_en, market.geofence_radius_m) == ("New Market", 150)
    assert changes("market", market.id) == 1
    [entry] = audited("market.create")
    assert (entry.actor_id, entry.entity_id) == (user.id, str(market.id))
    shown = page(client.get(response.headers["Location"], headers={"Accept-Language": "en"}))
    assert "<h1>New Market</h1>" in shown and "Saved." in shown
    assert f'href="/markets/{market.id}/labels.pdf"' in shown


def test_an_admin_chooses_the_region(
    client: FlaskClient, login_as: Callable[..., User], make_region: Callable[..., Region]
) -> None:
    login_as(Role.ADMIN)
    other = make_region()
    assert 'name="region_id"' in page(client.get("/markets/new"))
    missing = post(client, "/markets/new", MARKET)
    assert missing.status_code == 422 and "Choose a region." in page(missing)
    assert count(Market) == 0
    response = post(client, "/markets/new", {**MARKET, "region_id": str(other.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Market.region_id).where(Market.code == "XC-NEW")) == other.id


@pytest.mark.parametrize(
    ("field", "value", "en", "zh"),
    [
        ("code", "XC NEW!", "capital letters, digits and single hyphens", "大写字母、数字"),
        ("code", "", "Required.", "必填。"),
        ("name_zh", "", "Required.", "必填。"),
        ("name_en", "x" * 201, "At most 200 characters.", "最多 200 个字符。"),
        ("lat", "91", "Between -90 and 90.", "须在 -90 至 90 之间。"),
        ("lon", "111,68", "Enter a number", "请输入数值"),
        ("geofence_radius_m", "0", "Between 1 and 5000.", "须在 1 至 5000 之间。"),
        ("geofence_radius_m", "150.5", "Enter a whole number.", "请输入整数。"),
        ("name_zh", "市\x07场", "Control characters are not allowed.", "不得包含控制字符。"),
    ],
)
def test_a_bad_market_field_is_shown_beside_its_input_and_nothing_is_written(
    client: FlaskClient,
    login_as: Callable[..., User],
    field: str,
    value: str,
    en: str,
    zh: str,
) -> None:
    login_as(Role.SUPERVISOR)
    data = {**MARKET, field: value}
    for lang, message in (("en", en), ("zh-CN", zh)):
        response = post(client, "/markets/new", data, lang)
        text = page(response)
        assert response.status_code == 422
        error = text.split(f'id="err-{field}"', 1)[1].split("</p>", 1)[0]
        assert message in error, error
        assert 'aria-invalid="true"' in text
        if field != "name_en" and value and "\x07" not in value:
            assert f'value="{value}"' in text  # the form keeps what was typed
        assert 'value="New Market"' in text or field == "name_en"
    assert count(Market) == 0
    assert count(ChangeLogEntry) == 0


def test_a_market_code_is_registered_once(
    client: FlaskClient, login_as: Callable[..., User], make_market: Callable[..., Market]
) -> None:
    make_market(code="XC-NEW")
    login_as(Role.SUPERVISOR)
    response = post(client, "/markets/new", MARKET)
    assert response.status_code == 422
    assert "This code is already registered." in page(response)
    assert count(Market) == 1


def test_editing_a_market_keeps_its_code_and_reaches_the_change_log(
    client: FlaskClient, login_as: Callable[..., User], make_market: Callable[..., Market]
) -> None:
    market = make_market()
    user = login_as(Role.SUPERVISOR)
    form = page(client.get(f"/markets/{market.id}/edit"))
    assert f'value="{market.name_zh}"' in form and 'name="code"' not in form
    data = {k: v for k, v in MARKET.items() if k != "code"} | {"geofence_radius_m": "300"}
    response = post(client, f"/markets/{market.id}/edit", data)
    assert response.status_code == 302
    db.session.refresh(market)
    assert (market.name_en, market.geofence_radius_m) == ("New Market", 300)
    assert changes("market", market.id) == 2
    [entry] = audited("market.update")
    assert entry.actor_id == user.id and "geofence_radius_m" in entry.detail["changed"]
    refused = post(client, f"/markets/{market.id}/edit", {**data, "code": "OTHER"})
    assert refused.status_code == 422
    assert "This field is not part of the form." in page(refused)
    db.session.refresh(market)
    assert market.code != "OTHER"


# ---------------------------------------------------------------- merchants


def test_a_merchant_is_registered_at_a_market_with_its_contact(
    client: FlaskClient, login_as: Callable[..., User], make_market: Callable[..., Market]
) -> None:
    market = make_market()
    login_as(Role.SUPERVISOR)
    response = post(client, f"/markets/{market.id}/merchants/new", MERCHANT)
    assert response.status_code == 302, page(response)
    merchant = db.session.scalar(select(Merchant).where(Merchant.stall_no == "B-07"))
    assert merchant is not None
    assert (merchant.market_id, merchant.region_id) == (market.id, market.region_id)
    assert (merchant.contact_name, merchant.uscc) == ("王芳", "91350100M000100Y43")
    assert changes("merchant", merchant.id) == 1
    assert audited("merchant.create")
    shown = page(client.get(f"/markets/{market.id}"))
    assert "王记蔬菜摊" in shown and "138 0000 1111" in shown  # district staff see the contact


@pytest.mark.parametrize(
    ("field", "value", "en", "zh"),
    [
        ("name", "", "Required.", "必填。"),
        ("kind", "butcher", "Choose one of the options.", "请从选项中选择。"),
        ("uscc", "91350100M000100Y44", "The last character does not match", "校验码不符"),
        ("uscc", "9135010OM000100Y43", "18 digits and capital letters", "18 位数字和大写字母"),
        ("contact_phone", "call me", "Digits, spaces and + - ( ) only.", "只能包含数字"),
        ("stall_no", "A-01", "Another merchant of this market has this stall number.", "摊位号"),
    ],
)
def test_a_bad_merchant_field_is_refused(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    field: str,
    value: str,
    en: str,
    zh: str,
) -> None:
    neighbour = make_merchant(stall_no="A-01")
    login_as(Role.SUPERVISOR)
    before = count(Merchant)
    path = f"/markets/{neighbour.market_id}/merchants/new"
    for lang, message in (("en", en), ("zh-CN", zh)):
        response = post(client, path, {**MERCHANT, field: value}, lang)
        assert response.status_code == 422
        error = page(response).split(f'id="err-{field}"', 1)[1].split("</p>", 1)[0]
        assert message in error, error
    assert count(Merchant) == before


def test_a_merchant_moves_within_its_region_only(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_market: Callable[..., Market],
    make_region: Callable[..., Region],
) -> None:
    # A stored code that predates the check (the demo's are random) may stay as it is.
    merchant = make_merchant(uscc="911500000000000001")
    elsewhere = make_market()
    far = make_market(region_id=make_region().id)
    login_as(Role.SUPERVISOR)
    form = page(client.get(f"/merchants/{merchant.id}/edit"))
    assert 'value="13800000000"' in form  # the contact, for district staff
    data = {
        "name": merchant.name,
        "kind": "stall",
        "stall_no": merchant.stall_no or "",
        "uscc": "911500000000000001",
        "contact_name": "张三",
        "contact_phone": "13800000000",
    }
    refused = post(client, f"/merchants/{merchant.id}/edit", {**data, "market_id": str(far.id)})
    assert refused.status_code == 422
    assert "Choose a market of the merchant's region." in page(refused)
    moved = post(client, f"/merchants/{merchant.id}/edit", {**data, "market_id": str(elsewhere.id)})
    assert moved.status_code == 302, page(moved)
    db.session.refresh(merchant)
    assert merchant.market_id == elsewhere.id
    assert audited("merchant.update")[0].detail == {"changed": ["market_id"]}


# ---------------------------------------------------------------- instruments


def test_a_new_instrument_reaches_the_tablets(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    merchant = make_merchant()
    headers = token_for(make_user(Role.INSPECTOR))
    first = client.get("/api/v1/sync/pull?cursor=0&limit=500", headers=headers).get_json()
    login_as(Role.SUPERVISOR)
    response = post(client, f"/merchants/{merchant.id}/instruments/new", SCALE)
    assert response.status_code == 302, page(response)
    assert response.headers["Location"] == f"/markets/{merchant.market_id}?saved=1"
    instrument = db.session.scalar(select(Instrument).where(Instrument.code == "NM-0102-900001"))
    assert instrument is not None and instrument.merchant_id == merchant.id
    assert instrument.status.value == "in_service" and len(instrument.qr_token) >= 22
    assert audited("instrument.create")
    pulled = client.get(
        f"/api/v1/sync/pull?cursor={first['cursor']}&limit=500", headers=headers
    ).get_json()
    [change] = [c for c in pulled["changes"] if c["entity"] == "instrument"]
    assert change["data"]["code"] == "NM-0102-900001"
    assert (change["data"]["accuracy_class"], change["data"]["max"]) == ("III", "15000")


@pytest.mark.parametrize(
    ("changes_", "field", "en", "zh"),
    [
        ({"e_value": "20000"}, "e_value", "e must not be above Max.", "e 不能大于 Max。"),
        ({"min_capacity": "15000"}, "min_capacity", "Min must be below Max.", "Min 必须小于 Max。"),
        ({"d_value": "10"}, "d_value", "d must not be above e", "d 不能大于 e"),
        (
            {"accuracy_class": "II"},
            "accuracy_class",
            "not covered by the rule pack",
            "规则包不涵盖",
        ),
        (
            {"accuracy_class": ""},
            "accuracy_class",
            "A scale needs its accuracy class.",
            "准确度等级",
        ),
        ({"max_capacity": ""}, "max_capacity", "A scale needs its Max.", "衡器须填写 Max。"),
        ({"max_capacity": "15 kg"}, "max_capacity", "Enter a number", "请输入数值"),
        ({"max_capacity": "0"}, "max_capacity", "Max must be above 0.", "Max 必须大于 0。"),
        ({"e_value": "0.00001"}, "e_value", "at most 4 decimals", "最多 4 位小数"),
        ({"max_capacity": "1e12"}, "max_capacity", "too large", "过大"),
        ({"valid_until": "2025-02-28"}, "valid_until", "before the verification date", "早于"),
        ({"verified_at": "2025-02-30"}, "verified_at", "Enter a date as YYYY-MM-DD.", "日期"),
        ({"code": "NM 0102"}, "code", "capital letters, digits", "大写字母"),
        ({"kind": "focimeter"}, "accuracy_class", "Only scales carry an accuracy class", "仅衡器"),
        ({"kind": "balance"}, "kind", "Choose one of the options.", "请从选项中选择。"),
    ],
)
def test_a_bad_instrument_row_is_refused_in_both_languages(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    changes_: dict[str, str],
    field: str,
    en: str,
    zh: str,
) -> None:
    merchant = make_merchant()
    login_as(Role.SUPERVISOR)
    data = SCALE | changes_
    for lang, message in (("en", en), ("zh-CN", zh)):
        response = post(client, f"/merchants/{merchant.id}/instruments/new", data, lang)
        assert response.status_code == 422
        text = page(response)
        error = text.split(f'id="err-{field}"', 1)[1].split("</p>", 1)[0]
        assert message in error, error
        assert 'value="凯丰"' in text  # what was typed stays
    assert count(Instrument) == 0
    assert count(AuditEntry) == 1  # the sign-in only


def test_an_instrument_code_is_registered_once(
    client: FlaskClient, login_as: Callable[..., User], make_instrument: Callable[..., Instrument]
) -> None:
    existing = make_instrument(code="NM-0102-900001")
    login_as(Role.SUPERVISOR)
    response = post(client, f"/merchants/{existing.merchant_id}/instruments/new", SCALE)
    assert response.status_code == 422
    assert "This code is already registered." in page(response)
    assert count(Instrument) == 1


def test_editing_an_instrument_touches_the_change_log(
    client: FlaskClient, login_as: Callable[..., User], make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    login_as(Role.SUPERVISOR)
    form = page(client.get(f"/instruments/{instrument.id}/edit"))
    assert 'value="15000"' in form and 'name="code"' not in form
    data = {k: v for k, v in SCALE.items() if k != "code"}
    response = post(client, f"/instruments/{instrument.id}/edit", data)
    assert response.status_code == 302, page(response)
    db.session.refresh(instrument)
    assert str(instrument.valid_until) == "2026-02-28" and instrument.make == "凯丰"
    assert changes("instrument", instrument.id) == 2
    assert "valid_until" in audited("instrument.update")[0].detail["changed"]
    refused = post(client, f"/instruments/{instrument.id}/edit", {**data, "e_value": "20000"})
    assert refused.status_code == 422
    db.session.refresh(instrument)
    assert instrument.e_value == 5


# ---------------------------------------------------------------- scope


def test_a_supervisor_of_another_district_gets_404_and_writes_nothing(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    make_region: Callable[..., Region],
) -> None:
    instrument = make_instrument()
    merchant = instrument.merchant
    market_id = merchant.market_id
    login_as(Role.SUPERVISOR, region_id=make_region().id)
    for path in (
        f"/markets/{market_id}",
        f"/markets/{market_id}/edit",
        f"/markets/{market_id}/merchants/new",
        f"/merchants/{merchant.id}/edit",
        f"/merchants/{merchant.id}/instruments/new",
        f"/instruments/{instrument.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    before = (count(Market), count(Merchant), count(Instrument), count(ChangeLogEntry))
    attempts = [
        (f"/markets/{market_id}/merchants/new", MERCHANT),
        (f"/merchants/{merchant.id}/instruments/new", SCALE),
        (f"/merchants/{merchant.id}/edit", MERCHANT),
        (f"/instruments/{instrument.id}/edit", {k: v for k, v in SCALE.items() if k != "code"}),
        ("/markets/new", {**MARKET, "region_id": str(merchant.region_id)}),
    ]
    for path, data in attempts:
        assert post(client, path, data).status_code == 404, path
    assert (count(Market), count(Merchant), count(Instrument), count(ChangeLogEntry)) == before


def test_inspectors_read_the_market_page_without_edit_links(
    client: FlaskClient, login_as: Callable[..., User], make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    login_as(Role.INSPECTOR)
    shown = page(client.get(f"/markets/{instrument.merchant.market_id}"))
    assert instrument.code in shown and "/edit" not in shown and "/new" not in shown
    assert "labels.pdf" in shown
    assert client.get(f"/instruments/{instrument.id}/edit").status_code == 403


def test_the_markets_index_lists_only_the_users_region(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_market: Callable[..., Market],
    make_region: Callable[..., Region],
) -> None:
    mine = make_market(name_zh="本区市场")
    make_market(region_id=make_region().id, name_zh="外区市场")
    login_as(Role.SUPERVISOR)
    shown = page(client.get("/markets/", headers={"Accept-Language": "zh-CN"}))
    assert "本区市场" in shown and "外区市场" not in shown
    assert f"/markets/{mine.id}" in shown
