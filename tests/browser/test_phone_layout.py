"""The app on a phone (412 × 915 CSS px) and a portrait tablet (800 × 1280).

On a phone the status bar and the sticky preview bar together must leave the form most of
the screen (under 20 % of the height), and nothing may be wider than the viewport: the
merchant dropdown, whose options are long ("name · stall · market"), used to be cut off.
Set ``FIELD_SCREENSHOTS=/some/dir`` to keep PNGs of every measured screen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from inspect_app.extensions import db
from tests.browser.conftest import MARKET_AT, LiveServer, Stall, login
from tests.browser.helpers import fill_prepack_inspection, fill_scale_inspection

pytestmark = pytest.mark.browser

PHONE = {"width": 412, "height": 915}
PORTRAIT_TABLET = {"width": 800, "height": 1280}
MAX_CHROME_SHARE = 0.20

MEASURE = """() => {
  const box = (sel) => { const el = document.querySelector(sel);
    if (!el) return null; const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
      width: r.width }; };
  return { header: box('#status'), savebar: box('.savebar'), merchant: box('select[name=merchant]'),
    save: box('[data-testid=save-inspection]'),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    innerHeight: window.innerHeight };
}"""


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("FIELD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _chrome_share(m: dict[str, Any]) -> float:
    savebar = m["savebar"]["height"] if m["savebar"] else 0
    return float((m["header"]["height"] + savebar) / m["innerHeight"])


def _fits(m: dict[str, Any]) -> None:
    assert m["scrollWidth"] <= m["innerWidth"], m  # no sideways scrolling
    for key in ("merchant", "save"):
        if m[key]:
            assert m[key]["left"] >= 0 and m[key]["right"] <= m["innerWidth"], (key, m)


def _prepack_form(page: Any, stall: Stall) -> None:
    page.goto(f"/field/#/merchant/{stall.packer.id}")
    page.click("[data-testid=start-prepackaged_goods]")
    page.wait_for_selector("select[name=merchant]")


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (PORTRAIT_TABLET, "tablet")])
def test_status_and_preview_bars_leave_the_screen_to_the_form(
    browser: Any, live_server: LiveServer, stall: Stall, size: dict[str, int], name: str
) -> None:
    # A long merchant name, as the district's register has them.
    stall.packer.name = "呼和浩特市新城区东北粮油调味品批发零售商行（个体工商户）"
    db.session.commit()
    context = browser.new_context(
        base_url=live_server.url,
        viewport=size,
        is_mobile=size is PHONE,
        has_touch=True,
        locale="zh-CN",
        geolocation=MARKET_AT,
        permissions=["geolocation", "camera"],
    )
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, stall)
        home = page.evaluate(MEASURE)
        _fits(home)
        _shot(page, f"{name}-home")

        # The lot form: the merchant dropdown fits, the bars are small.
        _prepack_form(page, stall)
        empty = page.evaluate(MEASURE)
        _fits(empty)
        _shot(page, f"{name}-prepack-empty")
        fill_prepack_inspection(page, stall.packer.id, "500", "8", ["501"] * 8)
        expect(page.locator("[data-testid=preview-verdict]")).to_have_text("合格")
        filled = page.evaluate(MEASURE)
        _fits(filled)
        page.locator("select[name=merchant]").scroll_into_view_if_needed()
        _shot(page, f"{name}-prepack-filled")

        # A failing scale: findings in the preview, the worst case for its height.
        page.goto("/field/#/")
        page.fill("[data-testid=code-input]", stall.scale.code)
        page.click("[data-testid=code-find]")
        page.click("[data-testid=start-bazaar_scale]")
        page.wait_for_selector("[data-testid=save-inspection]")
        fill_scale_inspection(page, [("500", "500"), ("10000", "10030")])
        page.check("input[name=seal][value=broken]")
        expect(page.locator("[data-testid=preview-verdict]")).to_have_text("不合格")
        failing = page.evaluate(MEASURE)
        _fits(failing)
        _shot(page, f"{name}-scale-failing")

        # The findings: on a phone behind the "details" button of the bar, on a tablet shown.
        findings = page.locator("[data-testid=preview-findings]")
        toggle = page.locator("[data-testid=preview-details-toggle]")
        if size is PHONE:
            expect(findings).to_be_hidden()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            expect(findings).to_be_visible()
            expect(findings).to_contain_text("S4")
            _shot(page, f"{name}-scale-details-open")
            toggle.click()
            expect(findings).to_be_hidden()
        else:
            expect(toggle).to_be_hidden()
            expect(findings).to_be_visible()

        # English is longer: the bars must still fit.
        page.click("[data-testid=lang-toggle]")
        expect(page.locator("[data-testid=preview-verdict]")).to_have_text("Fail")
        english = page.evaluate(MEASURE)
        _fits(english)
        _shot(page, f"{name}-scale-failing-en")

        shares = {
            "home": home["header"]["height"] / home["innerHeight"],
            "prepack_empty": _chrome_share(empty),
            "prepack_filled": _chrome_share(filled),
            "scale_failing": _chrome_share(failing),
            "scale_failing_en": _chrome_share(english),
        }
        print(name, {k: round(v, 3) for k, v in shares.items()})
        if size is PHONE:
            assert max(shares.values()) < MAX_CHROME_SHARE, shares
        # Every action stays reachable: the save button is on screen, above the fold.
        assert failing["save"]["bottom"] <= failing["innerHeight"]
        assert errors == []
    finally:
        context.close()
