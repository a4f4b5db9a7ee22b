"""Browser tests: the real app served by a live server, driven in Debian's Chromium.

The server runs ``create_app`` on a copy of the migrated SQLite template (the ``app`` fixture
of tests/conftest.py) in a background thread, and can be stopped and restarted on the same
port to cut the network for real. Chromium is /usr/bin/chromium through Playwright; no
browser is ever downloaded. Without it the suite fails under CI=true and skips elsewhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, User
from inspect_app.models.user import Role
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import unavailable

# A 10-inch tablet in landscape, held at a market stall.
TABLET = {"width": 1280, "height": 800}
MARKET_AT = {"latitude": 40.8561, "longitude": 111.6841, "accuracy": 8}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class _OneShotHandler(WSGIRequestHandler):
    """HTTP/1.0: every response closes its connection, so stopping the server cuts the
    browser off at once instead of leaving kept-alive sockets that still answer."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args: Any, **kwargs: Any) -> None:  # quiet test output
        pass


class LiveServer:
    """The app on 127.0.0.1:<port>, in a thread; ``stop()`` and ``start()`` keep the port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        assert self._server is None, "already running"
        self._server = make_server(
            "127.0.0.1", self.port, self.app, threaded=True, request_handler=_OneShotHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None


def _chromium_or_fail() -> None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        unavailable("Browser suite", f"Chromium not found at {CHROMIUM} (make chromium)")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    _chromium_or_fail()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def new_context(browser: Any, server: LiveServer, **options: Any) -> Any:
    context = browser.new_context(
        base_url=server.url,
        viewport=TABLET,
        locale="zh-CN",
        geolocation=MARKET_AT,
        permissions=["geolocation", "camera"],
        accept_downloads=True,
        **options,
    )
    context.set_default_timeout(20000)
    return context


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    ctx = new_context(browser, live_server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


@dataclass
class Stall:
    inspector: User
    password: str
    market: Market
    merchant: Merchant
    scale: Instrument
    packer: Merchant


@pytest.fixture
def stall(
    make_user: Callable[..., User],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> Stall:
    """A market with a stall and its class III scale (e = 5 g, Max 15 kg), and a grocer."""
    market = make_market()
    merchant = make_merchant(market_id=market.id, name="王记蔬菜", stall_no="A-07")
    scale = make_instrument(
        merchant,
        code="NM-0150-000123",
        accuracy_class="III",
        max_capacity=Decimal("15000"),
        min_capacity=Decimal("100"),
        e_value=Decimal("5"),
        d_value=Decimal("5"),
        valid_until=date.today() + timedelta(days=200),
    )
    packer = make_merchant(market_id=market.id, name="东北粮油", stall_no="B-02")
    inspector = make_user(Role.INSPECTOR, password="inspector-pw-1")
    db.session.commit()
    return Stall(inspector, "inspector-pw-1", market, merchant, scale, packer)


def login(page: Any, stall: Stall) -> None:
    """Sign in through the app and wait until it says it is ready offline."""
    page.goto("/field/")
    page.fill("input[name=username]", stall.inspector.username)
    page.fill("input[name=password]", stall.password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=offline-ready]", timeout=15000)
    page.wait_for_selector("[data-testid=scan-button]")
    # The worker is active once the app said "ready"; a document whose navigation began while
    # it was still activating stays uncontrolled (clients.claim() ran before it existed), and
    # only a reload puts it under the worker, as on a real tablet.
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
        page.wait_for_selector("[data-testid=scan-button]")
    # A function, not a bare expression: Playwright evaluates a bare one with eval(), which
    # the Content-Security-Policy (script-src 'self') refuses once it has to poll.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
