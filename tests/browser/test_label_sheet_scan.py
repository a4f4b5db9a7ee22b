"""A label from the printed sheet, scanned: the PDF page is rendered (pdfium), one label is
played to Chromium's fake camera, the page decodes it with the vendored jsQR like a phone,
follows the URL and lands on the public instrument page. And "Replace label" in the browser."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image

from inspect_app.extensions import db
from inspect_app.models import Instrument
from inspect_app.models.user import Role
from inspect_app.services.label_sheet import A4_3X8_70X37 as LAYOUT
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, Stall, new_context
from tests.browser.test_scan import write_y4m

pytestmark = pytest.mark.browser
DPI = 200

#: A page of this site's origin, served by the test itself (no CSP of the app applies): it
#: opens the camera, decodes frames with the app's own jsQR and follows what it reads.
SCANNER = """<!doctype html><html lang="en"><head><title>scanner</title>
<script src="/static/vendor/jsqr/jsQR.js"></script></head><body>
<video id="v" autoplay muted playsinline></video><canvas id="c"></canvas>
<script>
(async () => {
  const video = document.getElementById('v');
  video.srcObject = await navigator.mediaDevices.getUserMedia({video: true});
  await video.play();
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const tick = () => {
    if (video.videoWidth) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(frame.data, frame.width, frame.height);
      if (code && code.data) { location.href = code.data; return; }
    }
    requestAnimationFrame(tick);
  };
  tick();
})();
</script></body></html>"""


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def label_png(pdf: bytes, index: int) -> bytes:
    """One label of the sheet's first page, cut out of a 200 dpi rendering, as PNG."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=DPI / 72).to_pil()
        page.close()
    finally:
        document.close()
    column, row = index % LAYOUT.columns, index // LAYOUT.columns
    mm = DPI / 25.4
    left, top = LAYOUT.left + column * LAYOUT.pitch_x, LAYOUT.top + row * LAYOUT.pitch_y
    right, bottom = left + LAYOUT.label_width, top + LAYOUT.label_height
    cut = image.crop((round(left * mm), round(top * mm), round(right * mm), round(bottom * mm)))
    out = io.BytesIO()
    cut.save(out, format="PNG")
    return out.getvalue()


def camera_frame(png: bytes) -> Image.Image:
    """The label as a phone held over the sheet sees it: the whole label, centred, 640 × 480."""
    with Image.open(io.BytesIO(png)) as label:
        label.load()
        width = 600
        scaled = label.convert("L").resize(
            (width, width * label.height // label.width), Image.Resampling.BILINEAR
        )
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(scaled, ((640 - scaled.width) // 2, (480 - scaled.height) // 2))
    return frame


def test_a_label_scanned_from_the_printed_sheet_opens_the_public_page(
    playwright_driver: Any,
    live_server: LiveServer,
    stall: Stall,
    make_instrument: Any,
    tmp_path: Path,
) -> None:
    # A second stall's scale, so the scanned label is the second on the sheet.
    second: Instrument = make_instrument(stall.packer, code="NM-0150-000777")
    db.session.commit()
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = new_context(browser, live_server)
        page = context.new_page()
        sign_in(page, stall.inspector.username, stall.password)
        response = context.request.get(f"/markets/{stall.market.id}/labels.pdf")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        context.close()
    finally:
        browser.close()
    # Sheet order: stall A-07 (the scale) before B-02 (the packer's scale).
    png = label_png(pdf, index=1)
    (tmp_path / "label.png").write_bytes(png)
    video = tmp_path / "label.y4m"
    write_y4m(video, camera_frame(png))
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = new_context(browser, live_server)
        scanner_url = f"{live_server.url}/scanner-under-test"
        context.route(
            scanner_url, lambda route: route.fulfill(body=SCANNER, content_type="text/html")
        )
        page = context.new_page()
        with page.expect_response(lambda r: "/q/" in r.url, timeout=20000) as landed:
            page.goto(scanner_url)
        public = landed.value
        assert public.url == f"{live_server.url}/q/{second.qr_token}"
        assert public.status == 200
        page.wait_for_load_state()
        assert second.code in (page.text_content("body") or "")
        context.close()
    finally:
        browser.close()


def test_replace_label_in_the_browser_asks_first_then_shows_the_new_label(
    browser: Any, live_server: LiveServer, stall: Stall, make_user: Any
) -> None:
    supervisor = make_user(Role.SUPERVISOR, password="supervisor-pw-1")
    db.session.commit()
    old = stall.scale.qr_token
    context = new_context(browser, live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, supervisor.username, "supervisor-pw-1")
    page.goto(f"/merchants/{stall.merchant.id}")
    # Dismissed: nothing happens.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-testid=replace-label]")
    page.wait_for_timeout(300)
    db.session.commit()  # end the test's read transaction: see what the server wrote
    db.session.refresh(stall.scale)
    assert stall.scale.qr_token == old
    # Accepted: the label is replaced and the new one shown with the warning.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=replace-label]")
    page.wait_for_selector("[data-testid=new-label]")
    assert "旧标签已失效" in (page.text_content("[data-testid=new-label]") or "")
    # The PNG of the new label loads (a function: a bare expression would be eval()ed, which the
    # page's CSP refuses).
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=new-label] img');"
        " return img !== null && img.complete && img.naturalWidth > 0; }"
    )
    db.session.commit()
    db.session.refresh(stall.scale)
    assert stall.scale.qr_token != old
    assert errors == []
    context.close()
