"""The pages and the field app run under the Content-Security-Policy without a violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import User
from inspect_app.models.user import Role
from tests.browser.conftest import LiveServer, Stall, login, new_context
from tests.browser.helpers import fill_scale_inspection, open_instrument_by_code, save, wait_outbox

pytestmark = pytest.mark.browser

# Every violation the document sees, kept on window so the test can read it after navigations.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${where}`);
});
"""


class Watch:
    """Collects violations from the page (events) and from the console across navigations."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.events: list[str] = []
        self.policies: dict[str, str | None] = {}
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            path = response.url.split("://", 1)[1].split("/", 1)[1]
            self.policies["/" + path] = response.headers.get("content-security-policy")

    def collect(self) -> None:
        """Read the page's violation list (call before leaving each page)."""
        self.events += self.page.evaluate("() => window.__csp || []")

    def assert_clean(self) -> None:
        self.collect()
        assert self.events == [], self.events
        assert self.console == [], self.console
        assert self.policies, "no document was loaded"
        for path, policy in self.policies.items():
            assert policy and "script-src 'self'" in policy, f"{path} came without the CSP"


@pytest.fixture
def watched(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Watch]]:
    context = new_context(browser, live_server)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page, Watch(page)
    context.close()


def test_login_and_supervisor_pages_pass_the_policy(
    watched: tuple[Any, Watch], stall: Stall, make_user: Callable[..., User]
) -> None:
    page, watch = watched
    supervisor = make_user(Role.SUPERVISOR, password="supervisor-pw-1")
    db.session.commit()
    page.goto("/login")
    watch.collect()
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", "supervisor-pw-1")
    page.click("button.primary")
    page.wait_for_url("**/supervisor/")
    watch.collect()
    page.goto(f"/merchants/{stall.merchant.id}")
    watch.collect()
    page.goto("/account/password")
    watch.collect()
    page.click("form[action='/lang/en'] button")  # a form post and a redirect back
    page.wait_for_selector("text=Change password")
    watch.collect()
    page.goto("/nowhere")  # an error page
    watch.collect()
    watch.assert_clean()
    assert page.js_errors == []


def test_the_field_app_passes_the_policy(
    watched: tuple[Any, Watch], stall: Stall, tmp_path: Path
) -> None:
    """Sign in, open a scale, fill an inspection with a photo (a blob: thumbnail), save it."""
    page, watch = watched
    login(page, stall)  # the shell, the service worker, the sign-in through the API
    open_instrument_by_code(page, stall.scale.code)
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_scale_inspection(page, [("500", "500"), ("10000", "10005")])
    photo = tmp_path / "nameplate.jpg"
    Image.new("RGB", (64, 48), "orange").save(photo, format="JPEG")
    page.set_input_files("input[name=nameplate_photo]", str(photo))
    page.wait_for_selector("[data-path=nameplate_photo] img.thumb")
    save(page)
    wait_outbox(page, 0)
    page.goto("/field/#/outbox")
    page.wait_for_selector("[data-testid=server-verdict]")
    watch.assert_clean()
    assert page.js_errors == []


def test_the_watch_sees_a_violation(watched: tuple[Any, Watch]) -> None:
    """An inline script and an inline style are refused, and the watch reports both."""
    page, watch = watched
    page.goto("/login")
    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.__ran = true';
          document.head.append(s);
          const st = document.createElement('style');
          st.textContent = 'body { color: red }';
          document.head.append(st);
        }"""
    )
    page.wait_for_function("() => window.__csp.length >= 2")
    assert page.evaluate("() => window.__ran") is None
    with pytest.raises(AssertionError):
        watch.assert_clean()
