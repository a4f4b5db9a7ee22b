"""The public page on a shopper's phone (412 × 915) and a portrait tablet (800 × 1280).

In Debian's Chromium: the stylesheet applies under the strict CSP (no violation reported),
nothing is wider than the screen, the headings go h1 → h2, the language link switches the
page and the browser keeps no cookie. Set ``PUBLIC_SCREENSHOTS=/some/dir`` to keep PNGs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, RetiredQrToken
from inspect_app.models.instrument import InstrumentStatus
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 412, "height": 915}, "tablet": {"width": 800, "height": 1280}}

MEASURE = """() => {
  const light = document.querySelector('.light');
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    lang: document.documentElement.lang,
    headings: [...document.querySelectorAll('h1, h2, h3')].map(h => h.tagName),
    lightBackground: light ? getComputedStyle(light).backgroundColor : null,
    buttonHeight: (document.querySelector('.pub-button') || {getBoundingClientRect: () =>
      ({height: 0})}).getBoundingClientRect().height,
  };
}"""


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PUBLIC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def labels(
    make_merchant: Callable[..., Merchant], make_instrument: Callable[..., Instrument]
) -> dict[str, str]:
    merchant = make_merchant(name="王记蔬菜", stall_no="A-07")
    today = date.today()
    green = make_instrument(merchant, valid_until=today + timedelta(days=200))
    amber = make_instrument(merchant, valid_until=today + timedelta(days=10))
    red = make_instrument(merchant, status=InstrumentStatus.CONDEMNED)
    db.session.add(RetiredQrToken(qr_token="replaced-label-0123456789abcdef", instrument_id=red.id))
    db.session.commit()
    return {
        "green": green.qr_token,
        "amber": amber.qr_token,
        "red": red.qr_token,
        "replaced": "replaced-label-0123456789abcdef",
        "unknown": "unknown-label-0123456789abcdef",
    }


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_page_fits_and_reads_in_both_languages(
    browser: Any, live_server: LiveServer, labels: dict[str, str], size: str
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=SIZES[size], locale="zh-CN", is_mobile=size == "phone"
    )
    page = context.new_page()
    problems: list[str] = []
    # The 404 and 410 documents themselves are logged as failed loads: expected here.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "status of 404" not in m.text and "status of 410" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        for name, token in labels.items():
            response = page.goto(f"/q/{token}")
            assert response is not None
            expected = {"replaced": 410, "unknown": 404}.get(name, 200)
            assert response.status == expected, name
            m = page.evaluate(MEASURE)
            assert m["scrollWidth"] <= m["innerWidth"], (name, m)
            assert m["lang"] == "zh-CN"
            assert m["headings"][0] == "H1" and "H1" not in m["headings"][1:], m
            if name in ("green", "amber", "red"):
                assert m["lightBackground"] not in (None, "rgba(0, 0, 0, 0)"), m  # CSS applied
                assert m["buttonHeight"] >= 44, m  # a thumb-sized target
            _shot(page, f"public-{size}-{name}-zh")
        page.goto(f"/q/{labels['amber']}")
        page.click("a.pub-lang")
        page.wait_for_url(f"**/q/{labels['amber']}?lang=en")
        assert page.evaluate("() => document.documentElement.lang") == "en"
        assert "Verification expires soon" in page.inner_text("main")
        _shot(page, f"public-{size}-amber-en")
        page.click("a.pub-lang")
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        assert context.cookies() == []
        assert problems == []  # no CSP violation, no script error
    finally:
        context.close()
