"""A day offline: sign in, lose the network, inspect a scale and a lot, get it all home."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, Stall, login
from tests.browser.helpers import (
    fill_prepack_inspection,
    fill_scale_inspection,
    idb,
    open_instrument_by_code,
    save,
    stored,
    wait_outbox,
)

pytestmark = pytest.mark.browser


def test_inspections_made_offline_reach_the_server_with_the_same_verdict(
    page: Any, context: Any, live_server: LiveServer, stall: Stall
) -> None:
    login(page, stall)

    # The network goes: the server is gone and the browser is offline.
    live_server.stop()
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-testid=scan-button]")
    assert page.text_content("[data-testid=offline-ready]")

    # A stall scale, found by its printed code; its card comes from the local cache.
    open_instrument_by_code(page, stall.scale.code)
    card = page.text_content("[data-testid=instrument-card]") or ""
    assert "王记蔬菜" in card and "III" in card
    assert page.text_content("[data-testid=expiry]")
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    # 10 011 g at 10 000 g: +11 g against ±10 g in service (2 × 1 e): the scale fails.
    fill_scale_inspection(page, [("500", "500"), ("5000", "5005"), ("10000", "10011")])
    results = page.locator("[data-testid=point-result]")
    expect(results).to_have_count(3)
    expect(results.nth(2)).to_contain_text("+11 g")
    expect(results.nth(2)).to_contain_text("±10 g")
    expect(page.locator("[data-testid=preview-verdict]")).to_have_text("不合格")
    save(page)
    wait_outbox(page, 1)

    # A lot of 8 bags of 500 g from the grocer, found through the merchant list.
    page.click("[data-testid=merchants-link]")
    page.fill("[data-testid=merchant-search]", "粮油")
    page.click(f"[data-merchant='{stall.packer.id}']")
    page.click("[data-testid=start-prepackaged_goods]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_prepack_inspection(
        page, stall.packer.id, "500", "8", ["501", "500", "499", "502", "500", "498", "503", "500"]
    )
    expect(page.locator("[data-testid=plan-note]")).to_contain_text("T = 15 g")
    expect(page.locator("[data-testid=preview-verdict]")).to_have_text("合格")
    save(page)
    wait_outbox(page, 2)
    expect(page.locator("[data-testid=outbox-oldest]")).to_be_visible()

    previews = {row["uuid"]: row["preview"]["verdict"] for row in idb(page, "outbox")}
    assert sorted(previews.values()) == ["fail", "pass"]
    assert stored(list(previews)) == []

    # The network comes back: the app sends both without being asked.
    live_server.start()
    context.set_offline(False)
    wait_outbox(page, 0)
    rows = stored(list(previews))
    assert len(rows) == 2
    for row in rows:
        assert row.verdict.value == previews[row.uuid]
        assert row.client_verdict == previews[row.uuid]
        assert row.verdict_discrepancy is False
    page.wait_for_function(
        "() => /同步成功/.test(document.querySelector('[data-testid=sync-status]').textContent)"
    )

    # The history shows the server's verdicts, replacing the previews.
    page.goto("/field/#/outbox")
    verdicts = page.locator("[data-testid=server-verdict]")
    expect(verdicts).to_have_count(2)
    assert sorted(verdicts.all_text_contents()) == ["不合格", "合格"]
    assert page.js_errors == []  # type: ignore[attr-defined]
