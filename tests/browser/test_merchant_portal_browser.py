"""The merchant on a phone (390 × 844): signs in, sees the red condemnation in plain words,
acknowledges it, sends a photo of the repaired scale, and signs the honesty commitment that the
stall's public page then shows. Content-Security-Policy enforced (no script errors)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.enforcement import OrderStatus
from inspect_app.models.user import Role
from tests import evidence_samples as samples
from tests.browser.conftest import LiveServer
from tests.web.enforcement_helpers import add_order, fresh

PHONE = {"width": 390, "height": 844}


def test_the_merchant_acts_on_a_condemnation_from_a_phone(
    browser: Any,
    live_server: LiveServer,
    tmp_path: Path,
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> None:
    merchant = make_merchant(name="王记蔬菜")
    scale = make_instrument(merchant, code="NM-0150-000123")
    user = make_user(Role.MERCHANT, merchant_id=merchant.id, password="merchant-pw-1")
    order = add_order(scale, make_user(Role.INSPECTOR))
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "merchant-pw-1")
    page.click("main button[type=submit]")

    card = page.locator("[data-testid=order][data-kind=condemn]")
    card.wait_for()
    assert "禁止使用" in card.inner_text() and "该计量器具不得用于贸易结算" in card.inner_text()
    assert "使用作弊装置或作弊程序的计量器具" in card.inner_text()  # what was wrong
    assert "请立即停止使用该计量器具" in card.inner_text()  # what to do
    colour = card.locator(".mp-tag").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(138, 16, 16)"  # the red tag
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    card.locator("[data-testid=order-link]").click()
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("[data-testid=notice]")
    photo = tmp_path / "repaired.jpg"
    photo.write_bytes(samples.photo(size=(1200, 900)))
    page.set_input_files("#f-file", str(photo))
    page.fill("#f-note", "已更换为新检定的电子秤")
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=evidence]")
    assert "已提交整改材料" in page.inner_text("[data-testid=order-status]")
    assert fresh(order).status == OrderStatus.EVIDENCE_SUBMITTED
    image = page.locator("[data-testid=evidence-file]").get_attribute("href")
    served = page.request.get(str(image))
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"

    page.click("text=返回我的摊位")
    page.click("[data-testid=commitment-link]")
    page.check("input[name=agree]")
    page.fill("#f-signatory", "王五")
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=commitment-status].mp-signed")
    public = context.new_page()
    public.goto(f"/q/{scale.qr_token}")
    assert "诚信计量承诺书" in public.inner_text("[data-testid=commitment]")
    assert "王五" not in public.content()
    assert errors == []
    context.close()
