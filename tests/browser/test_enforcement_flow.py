"""A cheating scale, from the stall to the supervisor, the merchant and back to the tablet.

The inspector finds a remote-controlled scale with the network off and saves the inspection
on the tablet; when the network returns the app sends it by itself. The district supervisor,
who has had the alert inbox open all along, sees the alert appear without reloading. The
merchant signs in, sees the red condemnation order and sends a photo as evidence. On the
tablet, the next pull shows the scale condemned, with its order, offline as well.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer, Stall, login, new_context
from tests.browser.helpers import (
    api,
    choose,
    fill_scale_inspection,
    idb,
    open_instrument_by_code,
    save,
    stored,
    token,
    wait_outbox,
)
from tests.payloads import item, scale_answers

pytestmark = pytest.mark.browser

#: The inbox asks for new alerts every 10 s; a minute is the promise to supervisors.
ALERT_WITHIN_MS = 60_000


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "grey").save(out, format="JPEG")
    return out.getvalue()


def _web_login(page: Any, user: User, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def _last_sync(page: Any) -> dict[str, Any] | None:
    """The outcome of the tablet's last sync run, as the app stored it."""
    last: dict[str, Any] | None = page.evaluate(
        "async () => (await (await import('/static/field/db.js')).kvGet('last_sync')) || null"
    )
    return last


def _wait_for_sync_after(page: Any, before: dict[str, Any] | None) -> None:
    """Wait until a sync run newer than ``before`` has ended well (pushed, uploaded, pulled).

    The status line may already say "synced" from an earlier run, so it cannot tell; a run
    still failing offline when the network came back is passed over.
    """
    deadline = time.monotonic() + 30
    while True:
        last = _last_sync(page)
        if last is not None and last != before and last["ok"]:
            return
        assert time.monotonic() < deadline, f"no sync run ended well: {last}"
        page.wait_for_timeout(200)


def _errors(page: Any) -> list[str]:
    """Script errors and failed loads of ``page`` (the browser's own favicon probe aside:
    the web pages declare no icon)."""
    errors: list[str] = []

    def console(msg: Any) -> None:
        where = msg.location.get("url", "")
        if msg.type == "error" and not where.endswith("/favicon.ico"):
            errors.append(f"{msg.text} {where}")

    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", console)
    return errors


def test_a_scale_condemned_offline_reaches_the_supervisor_the_merchant_and_the_tablet(
    browser: Any,
    context: Any,
    page: Any,
    live_server: LiveServer,
    stall: Stall,
    make_user: Callable[..., User],
) -> None:
    supervisor = make_user(Role.SUPERVISOR, password="supervisor-pw-1", locale="zh_CN")
    owner = make_user(
        Role.MERCHANT, password="merchant-pw-1", merchant_id=stall.merchant.id, locale="zh_CN"
    )
    db.session.commit()
    login(page, stall)

    # The supervisor opens the alert inbox before anything happens, and leaves it open.
    desk = new_context(browser, live_server)
    try:
        inbox = desk.new_page()
        inbox_errors = _errors(inbox)
        _web_login(inbox, supervisor, "supervisor-pw-1")
        inbox.goto("/alerts")
        expect(inbox.get_by_test_id("alert")).to_have_count(0)
        inbox.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

        # At the stall, with no network: the scale is in service and has no orders yet.
        context.set_offline(True)
        open_instrument_by_code(page, stall.scale.code)
        status = page.get_by_test_id("instrument-status")
        expect(status).to_have_attribute("data-status", "in_service")
        expect(page.get_by_test_id("orders-none")).to_be_visible()
        page.click("[data-testid=start-bazaar_scale]")
        page.wait_for_selector("[data-testid=save-inspection]")
        fill_scale_inspection(page, [("500", "500"), ("5000", "5005"), ("10000", "10005")])
        choose(page, "cheating_device_found", "true")
        page.check('input[name="cheating_methods"][value="remote_control"]')
        expect(page.locator("[data-testid=preview-verdict]")).to_have_text("不合格")
        save(page)
        wait_outbox(page, 1)
        uuids = [row["uuid"] for row in idb(page, "outbox")]
        assert stored(uuids) == []  # still only on the tablet

        # The network returns: the app sends the record without being asked.
        before = _last_sync(page)
        context.set_offline(False)
        wait_outbox(page, 0)
        _wait_for_sync_after(page, before)
        (record,) = stored(uuids)
        assert record.verdict.value == "fail"

        # The inbox shows the alert by itself, in the same document.
        alert = inbox.get_by_test_id("alert").filter(has_text=stall.merchant.name)
        expect(alert).to_be_visible(timeout=ALERT_WITHIN_MS)
        expect(alert).to_contain_text(stall.scale.code)
        assert inbox.evaluate("() => window.sameDocument === true")
        assert inbox_errors == []
    finally:
        desk.close()

    # The merchant signs in, sees the red order and sends a photo of the scale taken away.
    shop = new_context(browser, live_server)
    try:
        portal = shop.new_page()
        portal_errors = _errors(portal)
        _web_login(portal, owner, "merchant-pw-1")
        portal.wait_for_url(f"**/merchants/{stall.merchant.id}")
        order = portal.get_by_test_id("order").filter(has_text=stall.scale.code)
        expect(order).to_have_attribute("data-kind", "condemn")
        tag = order.locator(".mp-tag")
        expect(tag).to_contain_text("禁止使用")
        red, green, blue = tag.evaluate(
            "el => getComputedStyle(el).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"
        )
        assert red > 2 * max(green, blue), (red, green, blue)  # a red tag, not a blue one
        order.get_by_test_id("order-link").click()
        portal.set_input_files(
            "#f-file", files=[{"name": "scale.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        portal.fill("#f-note", "秤已停用并交回市场管理处")
        portal.get_by_test_id("upload").click()
        expect(portal.get_by_test_id("evidence")).to_have_count(1)
        expect(portal.get_by_test_id("order-status")).to_contain_text("待")  # waits for review
        assert portal_errors == []
    finally:
        shop.close()

    # Back on the tablet: the next pull brings the condemnation and the merchant's evidence.
    page.goto("/field/#/")
    page.wait_for_selector("[data-testid=scan-button]")
    before = _last_sync(page)
    page.click("[data-testid=sync-now]")
    _wait_for_sync_after(page, before)
    context.set_offline(True)  # what the tablet shows comes from its own cache
    open_instrument_by_code(page, stall.scale.code)
    status = page.get_by_test_id("instrument-status")
    expect(status).to_have_attribute("data-status", "condemned")
    expect(status).to_contain_text("禁用")
    (line,) = page.get_by_test_id("order").all()
    expect(line).to_have_attribute("data-kind", "condemn")
    expect(line.get_by_test_id("order-kind")).to_have_text("禁止使用")
    expect(line).to_contain_text("作弊装置")  # the finding's title from the catalogue
    expect(line.get_by_test_id("order-status")).to_have_text("商户已提交整改材料")
    expect(line.get_by_test_id("order-due")).to_be_visible()

    # And on the stall's page, found through the merchant list.
    page.click("[data-testid=instrument-merchant]")
    stall_orders = page.get_by_test_id("order")
    expect(stall_orders).to_have_count(1)
    expect(stall_orders.first).to_contain_text(stall.scale.code)
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_a_passing_reinspection_on_the_tablet_closes_the_order(
    page: Any, context: Any, live_server: LiveServer, stall: Stall
) -> None:
    # Last week's visit found a cheating device: the scale is condemned, its order open.
    visit = item(
        "bazaar_scale",
        scale_answers(
            stall.merchant.id,
            stall.scale.code,
            cheating_device_found=True,
            cheating_methods=["hidden_switch"],
        ),
        captured_at=(datetime.now(UTC) - timedelta(days=7)).isoformat(),
    )
    status_code, body = api(
        live_server.url,
        "POST",
        "/api/v1/sync/push",
        {"inspections": [visit]},
        token(live_server.url, stall.inspector.username, stall.password),
    )
    assert (status_code, body["results"][0]["status"]) == (200, "created")
    login(page, stall)

    # Offline at the stall: the tablet knows the order and says what closes it.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-testid=scan-button]")
    open_instrument_by_code(page, stall.scale.code)
    expect(page.get_by_test_id("instrument-status")).to_have_attribute("data-status", "condemned")
    expect(page.get_by_test_id("order")).to_have_count(1)
    expect(page.get_by_test_id("orders")).to_contain_text("复查时未再发现同一问题")
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_scale_inspection(page, [("500", "500"), ("5000", "5005"), ("10000", "10005")])
    expect(page.locator("[data-testid=preview-verdict]")).to_have_text("合格")
    save(page)
    wait_outbox(page, 1)

    # Online again: the re-inspection goes up, the order comes back closed.
    before = _last_sync(page)
    context.set_offline(False)
    wait_outbox(page, 0)
    _wait_for_sync_after(page, before)
    assert idb(page, "orders") == []
    page.goto("/field/#/outbox")
    expect(page.get_by_test_id("order-closed")).to_have_text(
        "✓ 本次检查已将整改令结案：禁止使用 · "
        "使用作弊装置或作弊程序的计量器具（遥控器、暗开关、按键作弊）"
    )
    open_instrument_by_code(page, stall.scale.code)
    expect(page.get_by_test_id("instrument-status")).to_have_attribute("data-status", "in_service")
    expect(page.get_by_test_id("orders-none")).to_be_visible()
    assert page.js_errors == []  # type: ignore[attr-defined]
