"""sync/pull carries "today's plan" to each inspector's tablet: their own visits of today's and
later plans, with the reasons in both languages, ticked when an inspection is synced, and
tombstones for what is not (or no longer) theirs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Merchant, Plan, Region, User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import plans
from tests.plan_helpers import add_inspection, at


def _pull(client: FlaskClient, headers: dict[str, str], cursor: str = "0") -> Any:
    response = client.get(f"/api/v1/sync/pull?cursor={cursor}&limit=1000", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _items(page: Any) -> dict[int, dict[str, Any]]:
    return {c["id"]: c for c in page["changes"] if c["entity"] == "plan_item"}


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "boss": make_user(Role.SUPERVISOR),
        "a": make_user(Role.INSPECTOR),
        "b": make_user(Role.INSPECTOR),
    }


@pytest.fixture
def plan(region: Region, people: dict[str, User], make_merchant: Callable[..., Merchant]) -> Plan:
    for _ in range(6):
        make_merchant()
    drawn = plans.draw_plan(
        people["boss"], region.id, local_today(), 4, Decimal("0.5"), utcnow(), seed="pull"
    )
    db.session.commit()
    return drawn


def test_each_inspector_pulls_only_their_own_visits(
    client: FlaskClient,
    plan: Plan,
    people: dict[str, User],
    token_for: Callable[[User], dict[str, str]],
    make_user: Callable[..., User],
    make_region: Callable[..., Region],
) -> None:
    mine = {i.id for i in plan.items if i.inspector_id == people["a"].id}
    theirs = {i.id for i in plan.items} - mine
    assert mine and theirs  # two inspectors, four visits: two each
    got = _items(_pull(client, token_for(people["a"])))
    assert {i for i, c in got.items() if c["op"] == "upsert"} == mine
    assert {i for i, c in got.items() if c["op"] == "delete"} == theirs
    assert all(got[i]["data"] is None for i in theirs)
    item = next(i for i in plan.items if i.id in mine)
    data = got[item.id]["data"]
    assert data["merchant"] == item.merchant_id
    assert data["plan_date"] == local_today().isoformat()
    assert data["selection"] == item.selection.value
    assert data["done_at"] is None
    assert [r["code"] for r in data["reasons"]] == item.reasons
    assert all(r["zh"] and r["en"] for r in data["reasons"])
    # a supervisor's tablet holds no visits; another district hears nothing of them
    assert all(
        c["op"] == "delete" for c in _items(_pull(client, token_for(people["boss"]))).values()
    )
    far = make_user(Role.INSPECTOR, region_id=make_region().id)
    assert _items(_pull(client, token_for(far))) == {}


def test_reasons_read_in_either_language(
    client: FlaskClient,
    plan: Plan,
    people: dict[str, User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    got = _items(_pull(client, token_for(people["a"])))
    random_pick = [
        c for c in got.values() if c["op"] == "upsert" and c["data"]["selection"] == "random"
    ]
    risk_pick = [
        c for c in got.values() if c["op"] == "upsert" and c["data"]["selection"] == "risk"
    ]
    for change in random_pick:
        assert change["data"]["reasons"] == []
    for change in risk_pick:
        assert {"code": "never_inspected", "zh": "从未检查", "en": "Never inspected"} in change[
            "data"
        ]["reasons"]


def test_a_synced_inspection_ticks_the_visit_on_the_next_pull(
    client: FlaskClient,
    plan: Plan,
    people: dict[str, User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    headers = token_for(people["a"])
    cursor = _pull(client, headers)["cursor"]
    item = next(i for i in plan.items if i.inspector_id == people["a"].id)
    merchant = db.session.get(Merchant, item.merchant_id)
    assert merchant is not None
    inspection = add_inspection(merchant, people["b"], utcnow())
    plans.tick_off([inspection], utcnow())
    db.session.commit()
    got = _items(_pull(client, headers, cursor))
    assert list(got) == [item.id]
    assert got[item.id]["data"]["done_at"] is not None


def test_past_plans_leave_the_tablet_and_a_cancelled_plan_sends_tombstones(
    client: FlaskClient,
    region: Region,
    plan: Plan,
    people: dict[str, User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    yesterday = local_today() - timedelta(days=1)
    old = plans.draw_plan(
        people["boss"], region.id, yesterday, 2, Decimal(0), at(yesterday, 7), seed="old"
    )
    tomorrow = plans.draw_plan(
        people["boss"], region.id, local_today() + timedelta(days=1), 2, Decimal(0), utcnow()
    )
    db.session.commit()
    headers = token_for(people["a"])
    got = _items(_pull(client, headers))
    assert all(got[i.id]["op"] == "delete" for i in old.items)
    upcoming = {i.id for i in tomorrow.items if i.inspector_id == people["a"].id}
    assert {i for i in upcoming if got[i]["op"] == "upsert"} == upcoming
    cursor = _pull(client, headers)["cursor"]
    ids = {i.id for i in tomorrow.items}
    plans.cancel(people["boss"], tomorrow, utcnow())
    db.session.commit()
    after = _items(_pull(client, headers, cursor))
    assert set(after) == ids and all(c["op"] == "delete" for c in after.values())
