"""The supervisor's alert inbox fills itself: an alert stored while the page is open appears at
the top without a reload, is announced in the live region, and the header's count follows;
acknowledging it from the inserted item works (its form carries the session's CSRF token).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from inspect_app.extensions import db
from inspect_app.models import Instrument, User
from inspect_app.models.user import Role
from tests.web.enforcement_helpers import add_alert

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Poll every second, so the test waits one second, not ten."""
    return {**app_config, "ALERT_POLL_SECONDS": 1}


def sign_in(page: Any, user: User) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.test_password)  # type: ignore[attr-defined]
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/supervisor/")


def test_a_new_alert_appears_without_a_reload(
    page: Any,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
) -> None:
    scale = make_instrument()
    inspector = make_user(Role.INSPECTOR)
    supervisor = make_user(Role.SUPERVISOR)
    first = add_alert(scale, inspector, minutes_ago=10)
    sign_in(page, supervisor)
    page.goto("/alerts")
    expect(page.locator("[data-alert-count]")).to_have_text("1")
    items = page.locator("[data-testid=alert]")
    expect(items).to_have_count(1)

    # End the test's read transaction first: SQLite refuses to turn a read begun before the
    # server's last commit into a write.
    db.session.rollback()
    new = add_alert(scale, inspector)
    expect(items).to_have_count(2, timeout=10000)
    expect(items.first).to_have_attribute("id", f"alert-{new.id}")  # newest on top
    expect(page.locator("[data-alert-live]")).to_have_text("新警报：1 条")
    expect(page.locator("[data-alert-count]")).to_have_text("2")
    assert page.js_errors == []

    items.first.locator("[data-testid=acknowledge]").click()
    expect(page.locator("[data-testid=notice]")).to_contain_text(f"已确认警报 {new.id}")
    expect(page.locator(f"#alert-{new.id}")).to_have_count(0)  # no longer open
    expect(page.locator(f"#alert-{first.id}")).to_have_count(1)
    expect(page.locator("[data-alert-count]")).to_have_text("1")
