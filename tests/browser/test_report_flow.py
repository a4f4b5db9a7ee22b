"""A shopper's report, from the label's page to the supervisor's queue, in Chromium.

On a phone (412 × 915, Chinese): open ``/q/<token>``, follow "report a problem", fill the
form with a photo, send it, land on the status page with a tracking code. Then the district's
supervisor signs in, finds the report in the queue with the photo and the phone number, and
closes it; the reporter's page then shows the outcome. Set ``REPORT_SCREENSHOTS=/some/dir`` to
keep PNGs of each screen.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer, Stall, new_context

pytestmark = pytest.mark.browser

PHONE = {"width": 412, "height": 915}


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("REPORT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(out, format="JPEG")
    return out.getvalue()


def _fits(page: Any) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width  # no sideways scrolling on a phone


def test_a_report_reaches_the_supervisors_queue(
    browser: Any,
    live_server: LiveServer,
    stall: Stall,
    make_user: Callable[..., User],
) -> None:
    supervisor = make_user(Role.SUPERVISOR, password="supervisor-pw-1", locale="zh_CN")
    db.session.commit()
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True
    )
    phone.set_default_timeout(20000)
    try:
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        page.goto(f"/q/{stall.scale.qr_token}")
        page.get_by_role("link", name="投诉举报").click()
        page.wait_for_url(f"**/q/{stall.scale.qr_token}/report")
        expect(page.get_by_role("heading", level=1)).to_have_text("投诉举报")
        _fits(page)
        _shot(page, "report-form-phone")
        page.get_by_label("缺斤短两").check()
        page.get_by_label("摊位秤显示的重量（千克）").fill("1.5")
        page.get_by_label("公平秤复秤重量（千克）").fill("1.35")
        page.get_by_label("情况描述").fill("称了三斤青椒，公平秤只有两斤七两。")
        huge = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (5 * 2**20 + 1)}
        page.set_input_files("#f-photo", files=[huge])  # the page warns before sending it
        expect(page.locator("#photo-size")).to_contain_text("照片超过 5 MB")
        assert page.eval_on_selector("#f-photo", "input => input.files.length") == 0
        page.set_input_files(
            "#f-photo", files=[{"name": "scale.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        expect(page.locator("#photo-size")).to_be_empty()
        page.get_by_label("您的手机号码（选填）").fill("139 1234 5678")
        page.get_by_test_id("report-submit").click()
        page.wait_for_url("**/reports/*")
        expect(page.get_by_test_id("report-status")).to_have_text("已受理")
        code = page.get_by_test_id("tracking-code").inner_text()
        assert len(code) >= 20
        body = page.content()
        assert "少了 150 g" in body and "已保存（不含位置信息）" in body
        assert "13912345678" not in body
        _fits(page)
        _shot(page, "report-status-phone")
        status_url = page.url
        assert errors == []
    finally:
        phone.close()

    desk = new_context(browser, live_server)
    try:
        page = desk.new_page()
        page.goto("/login")
        page.fill("input[name=username]", supervisor.username)
        page.fill("input[name=password]", "supervisor-pw-1")
        page.click("button[type=submit].primary")
        page.wait_for_url("**/supervisor/")
        page.get_by_role("link", name="消费者投诉举报").click()
        page.wait_for_url("**/supervisor/reports")
        item = page.get_by_test_id("queue-report").filter(has_text=stall.scale.code)
        expect(item).to_contain_text("13912345678")
        expect(item).to_contain_text("称了三斤青椒")
        thumbnail = item.locator("img.rep-thumb")
        expect(thumbnail).to_be_visible()
        assert thumbnail.evaluate("img => img.naturalWidth") == 640
        _shot(page, "report-queue-tablet")
        page.set_viewport_size(PHONE)
        _fits(page)
        _shot(page, "report-queue-phone")
        item.get_by_label("已安排检查").check()
        item.get_by_test_id("close-report").click()
        expect(page.get_by_role("status")).to_contain_text("举报已办结")
        closed = page.get_by_test_id("queue-report").filter(has_text=stall.scale.code)
        expect(closed.get_by_test_id("queue-status")).to_contain_text("已安排检查")
        page.goto(status_url)
        expect(page.get_by_test_id("report-status")).to_have_text("已安排检查")
    finally:
        desk.close()
