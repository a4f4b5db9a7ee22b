"""The registry import page in Chromium: upload with progress, preview, commit; and the same
without JavaScript (a plain form post)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer, new_context
from tests.registry_import_files import row, write_csv


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return app_config | {"REGISTRY_IMPORT_DIR": str(tmp_path / "uploads")}


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    user = make_user(Role.SUPERVISOR, password="supervisor-pw-1")
    db.session.commit()
    return user


def sign_in(page: Any, user: User) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "supervisor-pw-1")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/supervisor/")


def instruments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Instrument)) or 0


def test_upload_shows_progress_then_preview_then_commit(
    page: Any, supervisor: User, make_market: Callable[..., Market], tmp_path: Path
) -> None:
    market = make_market(code="XC-BROWSER")
    rows = [row(market.code, n, merchant_name="蔬菜摊" * 10) for n in range(1, 3001)]
    path = write_csv(tmp_path, rows)  # about 1 MB: the upload reports progress
    sign_in(page, supervisor)
    page.goto("/registry/import")
    xhr: list[str] = []
    page.on(
        "request",
        lambda r: xhr.append(r.url) if r.resource_type == "xhr" and r.method == "POST" else None,
    )
    before = instruments()
    page.set_input_files("input[type=file]", str(path))
    page.click("#registry-upload button[type=submit]")
    page.wait_for_url("**/registry/import/*", timeout=60000)
    assert xhr and xhr[0].endswith("/registry/import")  # sent by the script, with progress
    page.wait_for_selector("text=没有错误")
    assert instruments() == before
    page.click("form[action$='/commit'] button")
    page.wait_for_selector("p.notice[role=status]", timeout=60000)
    assert instruments() == before + 3000
    assert page.js_errors == []


def test_the_page_works_without_javascript(
    browser: Any,
    live_server: LiveServer,
    supervisor: User,
    make_market: Callable[..., Market],
    tmp_path: Path,
) -> None:
    market = make_market(code="XC-NOJS")
    path = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2, e="20000")])
    context = new_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, supervisor)
        page.goto("/registry/import")
        page.set_input_files("input[type=file]", str(path))
        page.click("#registry-upload button[type=submit]")
        page.wait_for_url("**/registry/import/*")
        cells = page.locator("tr[data-code=E_ABOVE_MAX] td").all_inner_texts()
        assert cells[:2] == ["3", "e (M3)"]
        assert page.locator("form[action$='/commit']").count() == 0
    finally:
        context.close()


def test_the_script_refuses_a_large_file_and_shows_the_servers_refusal(
    app: Any, page: Any, supervisor: User, tmp_path: Path
) -> None:
    app.config["REGISTRY_IMPORT_MAX_BYTES"] = 1000
    sign_in(page, supervisor)
    page.goto("/registry/import")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 5000)
    page.set_input_files("input[type=file]", str(big))
    page.click("#registry-upload button[type=submit]")
    page.wait_for_selector("#upload-status:has-text('0 MB')")
    assert sent == []  # refused before sending
    old = tmp_path / "registry.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    page.set_input_files("input[type=file]", str(old))
    page.click("#registry-upload button[type=submit]")
    page.wait_for_selector("#upload-status:has-text('.xls')")
    assert page.locator("#registry-upload button[type=submit]").is_enabled()
    assert page.js_errors == []
