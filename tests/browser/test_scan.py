"""Scanning a real label: Chromium's fake camera plays a video of the label the server renders."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspect_app.models import Instrument
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, Stall, login, new_context
from tests.browser.helpers import raw, token

pytestmark = pytest.mark.browser


def write_y4m(path: Path, frame: Image.Image, frames: int = 20) -> None:
    """A YUV4MPEG2 file of one still frame: a header, then FRAME + planar 4:2:0 Y, Cb, Cr."""
    rgb = frame.convert("RGB")
    width, height = rgb.size
    assert width % 2 == 0 and height % 2 == 0
    y, cb, cr = rgb.convert("YCbCr").split()  # full-range BT.601, as C420jpeg says
    half = (width // 2, height // 2)
    planes = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)


def label_frame(png: bytes) -> Image.Image:
    """The label as a camera would see it: centred on a white counter, 640 × 480."""
    with Image.open(io.BytesIO(png)) as label:
        label.load()
        side = 400
        scaled = label.convert("L").resize(
            (side * label.width // label.height, side), Image.Resampling.NEAREST
        )
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(scaled, ((640 - scaled.width) // 2, (480 - scaled.height) // 2))
    return frame


def test_scanning_a_label_opens_that_instrument(
    playwright_driver: Any,
    live_server: LiveServer,
    stall: Stall,
    make_instrument: Any,
    tmp_path: Path,
) -> None:
    other: Instrument = make_instrument(stall.merchant, code="NM-0150-000999")
    bearer = token(live_server.url, stall.inspector.username, stall.password)
    png = raw(live_server.url, f"/api/v1/instruments/{stall.scale.id}/label.png", bearer)
    video = tmp_path / "label.y4m"
    write_y4m(video, label_frame(png))
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
        page = context.new_page()
        login(page, stall)
        page.click("[data-testid=scan-button]")
        page.wait_for_selector("[data-testid=instrument-card]", timeout=20000)
        assert page.text_content("[data-testid=instrument-code]") == stall.scale.code
        assert other.code not in (page.text_content("[data-testid=instrument-card]") or "")
        assert page.locator("[data-testid=scanner]").count() == 0  # the camera is released
        context.close()
    finally:
        browser.close()
