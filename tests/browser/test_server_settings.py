"""What the tablet takes from the server (rule pack, time zone), what its status bar says after
the first download, and the name each tablet registers under."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models.user import Device
from tests.browser.conftest import LiveServer, Stall, login, new_context
from tests.browser.helpers import (
    fill_scale_inspection,
    idb,
    open_instrument_by_code,
    save,
    stored,
    wait_outbox,
)

pytestmark = pytest.mark.browser

KV = "async (key) => (await import('/static/field/db.js')).kvGet(key)"
STATUS = "[data-testid=sync-status]"


def _kv(page: Any, key: str) -> Any:
    return page.evaluate(KV, key)


def _hhmm(iso: str, zone: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def test_the_rule_pack_and_time_zone_are_the_servers_and_hold_offline(
    browser: Any, app: Flask, live_server: LiveServer, stall: Stall
) -> None:
    app.config["RULE_PACK"] = "oiml"
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    # A tablet whose own clock is set to New York: every time shown is still the district's.
    context = new_context(browser, live_server, timezone_id="America/New_York")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, stall)
        settings = _kv(page, "settings")
        assert (settings["rule_pack"], settings["time_zone"]) == ("oiml", "Asia/Shanghai")
        assert [p["id"] for p in idb(page, "packs")] == ["oiml"]
        device_zone = page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
        assert device_zone == "America/New_York"
        pulled = _kv(page, "pulled_at")
        text = page.text_content(STATUS) or ""
        assert _hhmm(pulled, "Asia/Shanghai") in text or "同步" in text, text
        assert "GMT+8" in text  # the device's zone differs, so the offset is said

        # Offline, after a reload: the preview judges with the stored pack.
        live_server.stop()
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("[data-testid=scan-button]")
        open_instrument_by_code(page, stall.scale.code)
        page.click("[data-testid=start-bazaar_scale]")
        page.wait_for_selector("[data-testid=save-inspection]")
        fill_scale_inspection(page, [("500", "500"), ("10000", "10005")])
        expect(page.locator("[data-testid=preview-verdict]")).to_have_text("合格")
        save(page)
        [saved] = idb(page, "outbox")
        assert saved["preview"]["rule_pack"].startswith("oiml@")
        # Once the sync attempt the save started has failed (offline), the times are back.
        page.wait_for_function(
            "() => /失败/.test(document.querySelector('[data-testid=sync-status]').textContent)"
        )
        text = page.text_content(STATUS) or ""
        assert re.search(r"\d\d:\d\d", text) and "GMT+8" in text, text

        # Back online: the server, judging with the same pack, agrees; the push is reported.
        live_server.start()
        context.set_offline(False)
        wait_outbox(page, 0)
        [row] = stored([saved["uuid"]])
        assert row.client_verdict == row.verdict.value == "pass"
        pushed = _kv(page, "pushed_at")
        page.wait_for_function(
            "t => document.querySelector('[data-testid=sync-status]').textContent.includes(t)",
            arg=f"{_hhmm(pushed, 'Asia/Shanghai')}",
        )
        expect(page.locator(STATUS)).to_contain_text("已上传记录")
        # The history shows the district's time too.
        page.goto(live_server.url + "/field/#/outbox")
        history = page.text_content("[data-testid=history-list]") or ""
        synced_at = idb(page, "history")[0]["synced_at"]
        assert _hhmm(synced_at, "Asia/Shanghai") in history, history

        # The server changes its pack: an ordinary sync run notices and swaps it.
        app.config["RULE_PACK"] = "cn"
        page.evaluate("async () => (await import('/static/field/sync.js')).syncNow('timer')")
        assert _kv(page, "settings")["rule_pack"] == "cn"
        assert [p["id"] for p in idb(page, "packs")] == ["cn"]
        assert errors == []
    finally:
        context.close()


def test_the_first_download_counts_and_is_never_called_never_synced(
    page: Any, live_server: LiveServer, stall: Stall
) -> None:
    # Record every text the sync status shows from the first page on (across navigations).
    page.add_init_script(
        """window.statusTexts = [];
        document.addEventListener('DOMContentLoaded', () => {
          new MutationObserver(() => {
            const el = document.querySelector('[data-testid=sync-status]');
            const text = el ? el.textContent : null;
            const seen = window.statusTexts;
            if (text && text !== seen[seen.length - 1]) seen.push(text);
          }).observe(document.body, { childList: true, subtree: true, characterData: true });
        });"""
    )
    login(page, stall)
    page.wait_for_function(
        "() => /同步成功/.test(document.querySelector('[data-testid=sync-status]').textContent)"
    )
    texts = page.evaluate("() => window.statusTexts")
    # Before sign-in nothing was ever downloaded; then the download at sign-in is reported as
    # such until the first sync run ends, and "never synced" does not come back.
    downloaded = [i for i, text in enumerate(texts) if "已下载数据" in text]
    assert downloaded, texts
    assert not any("尚未同步" in text for text in texts[downloaded[0] :]), texts
    assert texts[-1].endswith("同步成功"), texts


def test_each_tablet_gets_its_own_name_and_keeps_it(
    browser: Any, live_server: LiveServer, stall: Stall
) -> None:
    names = []
    for _ in range(2):
        context = new_context(browser, live_server)
        page = context.new_page()
        try:
            page.goto("/field/")
            field = page.locator("input[name=device_name]")
            name = field.input_value()
            # "平板 Linux 7KQ2": the word, the platform, four random characters.
            assert re.fullmatch(r"平板 \S+ [2-9A-HJKMNP-TV-Z]{4}", name), name
            page.reload()
            assert page.locator("input[name=device_name]").input_value() == name  # kept at once
            names.append(name)
            if len(names) == 2:
                # The inspector may still name it; the edited name is what the server gets.
                field.fill("王科长的平板")
                page.fill("input[name=username]", stall.inspector.username)
                page.fill("input[name=password]", stall.password)
                page.click("[data-testid=login-submit]")
                page.wait_for_selector("[data-testid=scan-button]", timeout=15000)
                assert _kv(page, "device_name") == "王科长的平板"
                page.click("[data-testid=sign-out]")
                page.wait_for_selector("[data-testid=login-submit]")
                expect(page.locator("input[name=device_name]")).to_have_value("王科长的平板")
            else:
                login(page, stall)
        finally:
            context.close()
    assert names[0] != names[1]
    db.session.rollback()
    mine = select(Device.name).where(Device.user_id == stall.inspector.id)
    registered = db.session.scalars(mine).all()
    assert names[0] in registered and "王科长的平板" in registered


def test_without_the_servers_pack_no_form_is_offered(page: Any, stall: Stall) -> None:
    login(page, stall)
    page.evaluate(
        "async () => (await import('/static/field/db.js'))"
        ".tx('packs', 'readwrite', (s) => s.packs.clear())"
    )
    open_instrument_by_code(page, stall.scale.code)
    page.click("[data-testid=start-bazaar_scale]")
    expect(page.locator("[data-testid=no-rule-pack]")).to_contain_text("判定规则")
    expect(page.locator("[data-testid=save-inspection]")).to_have_count(0)
