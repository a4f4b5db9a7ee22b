"""The inspector's tablet shows today's plan after sign-in: the stalls drawn for them, why each
is there, and a tick once an inspection of the stall is saved (before it is even sent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Merchant, User
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import plans
from tests.browser.conftest import Stall, login
from tests.browser.helpers import fill_scale_inspection, open_instrument_by_code, save

pytestmark = pytest.mark.browser


def test_the_home_screen_lists_todays_visits_and_why(
    page: Any, stall: Stall, make_user: Any
) -> None:
    supervisor: User = make_user(Role.SUPERVISOR)
    plan = plans.draw_plan(
        supervisor, stall.merchant.region_id, local_today(), 2, Decimal("0.5"), utcnow()
    )
    db.session.commit()
    assert {i.inspector_id for i in plan.items} == {stall.inspector.id}  # the only inspector
    login(page, stall)
    section = page.locator("[data-testid=todays-plan]")
    section.wait_for()
    names = {db.session.get(Merchant, i.merchant_id).name for i in plan.items}  # type: ignore[union-attr]
    items = section.locator("[data-testid=plan-item]")
    assert items.count() == 2
    assert {items.nth(n).locator("b").inner_text() for n in range(2)} == names
    whys = section.locator("[data-testid=plan-why]").all_inner_texts()
    assert any("随机抽取" in w for w in whys)  # the random pick says so
    assert any("从未检查" in w for w in whys)  # the risk pick says why
    assert section.locator("h2").inner_text().endswith("（已完成 0/2）")

    # An inspection of the vegetable stall, saved: the visit is ticked on the home screen,
    # from the tablet's own record (sent or still waiting), whatever the network does.
    open_instrument_by_code(page, stall.scale.code)
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_scale_inspection(page, [("500", "500"), ("5000", "5000"), ("10000", "10005")])
    save(page)
    ticked = section.locator(f"[data-testid=plan-item][data-merchant='{stall.merchant.id}']")
    ticked.locator("[data-testid=plan-tick]").filter(has_text="✓").wait_for()
    assert section.locator("h2").inner_text().endswith("（已完成 1/2）")
    other = section.locator(f"[data-testid=plan-item][data-merchant='{stall.packer.id}']")
    assert other.locator("[data-testid=plan-tick]").inner_text() == "○"
    assert page.js_errors == []
