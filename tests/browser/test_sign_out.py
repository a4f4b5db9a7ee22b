"""Signing out keeps the inspector's unsent work, and revokes the device token when online."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from inspect_app.models import User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer, Stall, login
from tests.browser.helpers import (
    api,
    fill_scale_inspection,
    idb,
    open_instrument_by_code,
    outbox_count,
    save,
    stored,
    wait_outbox,
)

pytestmark = pytest.mark.browser


def _kv(page: Any, key: str) -> Any:
    return page.evaluate("async (key) => (await import('/static/field/db.js')).kvGet(key)", key)


def test_sign_out_keeps_the_outbox_until_the_same_inspector_is_back(
    page: Any,
    context: Any,
    live_server: LiveServer,
    stall: Stall,
    make_user: Callable[..., User],
) -> None:
    colleague = make_user(Role.INSPECTOR, password="colleague-pw-1")
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    login(page, stall)

    # Offline at the stall: one inspection saved, then the inspector signs out.
    live_server.stop()
    context.set_offline(True)
    open_instrument_by_code(page, stall.scale.code)
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_scale_inspection(page, [("500", "500"), ("10000", "10005")])
    save(page)
    wait_outbox(page, 1)
    [saved] = idb(page, "outbox")
    page.click("[data-testid=sign-out]")
    page.wait_for_selector("[data-testid=login-submit]")
    # Warned first: what stays on the tablet, and that nobody else can sign in meanwhile.
    assert len(dialogs) == 1 and "1 条待上传" in dialogs[0]
    assert _kv(page, "session") is None
    assert _kv(page, "signed_out")["user"]["id"] == stall.inspector.id
    assert outbox_count(page) == 1
    assert [row["uuid"] for row in idb(page, "outbox")] == [saved["uuid"]]

    # The network is back, but nobody is signed in: nothing is sent under any name.
    live_server.start()
    context.set_offline(False)
    page.wait_for_timeout(3000)
    assert outbox_count(page) == 1
    assert stored([saved["uuid"]]) == []

    # A colleague cannot sign in while the first inspector's work waits on the tablet.
    page.fill("input[name=username]", colleague.username)
    page.fill("input[name=password]", "colleague-pw-1")
    page.click("[data-testid=login-submit]")
    expect(page.locator("[data-testid=login-error]")).to_contain_text(stall.inspector.display_name)
    assert _kv(page, "session") is None

    # The same inspector signs in again: the outbox is still there and goes home.
    login(page, stall)
    wait_outbox(page, 0)
    [row] = stored([saved["uuid"]])
    assert row.inspector_id == stall.inspector.id
    assert row.client_verdict == saved["preview"]["verdict"] == row.verdict.value

    # Signing out online with nothing pending: no warning, and the token stops working.
    old_token = _kv(page, "session")["token"]
    assert api(live_server.url, "GET", "/api/v1/me", token=old_token)[0] == 200
    page.click("[data-testid=sign-out]")
    page.wait_for_selector("[data-testid=login-submit]")
    assert len(dialogs) == 1
    assert _kv(page, "session") is None
    assert api(live_server.url, "GET", "/api/v1/me", token=old_token)[0] == 401
    # The sign-out button speaks English too.
    login(page, stall)
    page.click("[data-testid=lang-toggle]")
    expect(page.locator("[data-testid=sign-out]")).to_have_text("Sign out")
    assert page.js_errors == []  # type: ignore[attr-defined]
