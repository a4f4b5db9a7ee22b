"""An optical shop inspected offline: the tablet's optics preview equals the server's verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from tests.browser.conftest import LiveServer, Stall, login
from tests.browser.helpers import choose, idb, open_instrument_by_code, save, stored, wait_outbox

pytestmark = pytest.mark.browser

OPTICS = {
    "accuracy_class": None,
    "max_capacity": None,
    "min_capacity": None,
    "e_value": None,
    "d_value": None,
}


def _instrument_row(page: Any, i: int, checks: list[tuple[str, str]]) -> None:
    """Marks in order and the reference checks (nominal, reading) of instrument row ``i``."""
    base = f"instruments.{i}"
    choose(page, f"{base}.verification_mark_present", "true")
    page.fill(
        f"input[name='{base}.verification_valid_until']",
        (date.today() + timedelta(days=200)).isoformat(),
    )
    choose(page, f"{base}.certificate_authorised", "true")
    choose(page, f"{base}.expired_marks_mixed", "false")
    for n, (nominal, reading) in enumerate(checks):
        page.click(f"[data-testid='add-{base}.reference_checks']")
        page.fill(f"input[name='{base}.reference_checks.{n}.reference_power']", nominal)
        page.fill(f"input[name='{base}.reference_checks.{n}.indication']", reading)


def _lens_row(page: Any, i: int, prescribed: tuple[str, ...], measured: tuple[str, ...]) -> None:
    page.click("[data-testid='add-spectacles']")
    choose(page, f"spectacles.{i}.eye", "right" if i % 2 == 0 else "left")
    for prefix, values in (("prescribed", prescribed), ("measured", measured)):
        for key, value in zip(("sphere", "cylinder", "axis"), values, strict=True):
            page.fill(f"input[name='spectacles.{i}.{prefix}_{key}']", value)


def _result(page: Any, path: str) -> Any:
    return page.locator(f"[data-testid='result-{path}'] [data-testid=optics-result]")


def test_optical_shop_preview_equals_the_server_verdict(
    page: Any,
    context: Any,
    live_server: LiveServer,
    stall: Stall,
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> None:
    shop = make_merchant(
        market_id=stall.market.id, kind=MerchantKind.OPTICAL_SHOP, name="明亮眼镜", stall_no="C-01"
    )
    focimeter = make_instrument(
        shop, code="NM-0150-OF0001", kind=InstrumentKind.FOCIMETER, **OPTICS
    )
    refractometer = make_instrument(
        shop, code="NM-0150-OR0001", kind=InstrumentKind.REFRACTOMETER, **OPTICS
    )
    db.session.commit()
    login(page, stall)
    live_server.stop()
    context.set_offline(True)

    # 1. The focimeter reads 0.05 D with no lens (zero check, limit ±0.03 D): out of tolerance.
    open_instrument_by_code(page, focimeter.code)
    page.click("[data-testid=start-optical_shop]")
    page.wait_for_selector("[data-testid=save-inspection]")
    choose(page, "inspection_obstructed", "false")
    _instrument_row(page, 0, [("0", "0.05"), ("-5", "-5.06")])
    zero = _result(page, "instruments.0.reference_checks.0")
    expect(zero).to_contain_text("+0.05 D")
    expect(zero).to_contain_text("±0.03 D")
    expect(zero).to_contain_text("不合格")
    # cn publishes no focimeter tolerance for a −5 D lens: shown as not judged, no finding.
    expect(_result(page, "instruments.0.reference_checks.1")).to_have_text("规则包无此限值，不判定")
    expect(page.locator("[data-testid=not-judged]")).to_be_visible()

    # The refractometer, typed by its code in a second row: its own table (±0.25 D to 10 D).
    page.click("[data-testid='add-instruments']")
    page.fill("input[name='instruments.1.instrument']", refractometer.code)
    page.press("input[name='instruments.1.instrument']", "Tab")
    _instrument_row(page, 1, [("10", "10.25")])
    expect(_result(page, "instruments.1.reference_checks.0")).to_contain_text("±0.25 D")
    expect(_result(page, "instruments.1.reference_checks.0")).to_contain_text("合格")

    # Spectacles: a toric lens, and one measured in plus cylinder (transposed, then judged).
    _lens_row(page, 0, ("-2", "-1", "90"), ("-2.05", "-1", "93"))
    _lens_row(page, 1, ("-2", "-1", "180"), ("-3", "1", "90"))
    for i in (0, 1):
        lens = _result(page, f"spectacles.{i}")
        expect(lens).to_contain_text("轴位")
        expect(lens).to_contain_text("✓ 合格")
    expect(page.locator("[data-testid=preview-verdict]")).to_have_text("不合格")
    # One finding: the instrument out of tolerance (S3); the unjudged check adds none.
    expect(page.locator("[data-testid=preview-findings] li")).to_have_count(1)
    save(page)
    wait_outbox(page, 1)

    # 2. The same shop, all within limits: the preview says pass.
    open_instrument_by_code(page, focimeter.code)
    page.click("[data-testid=start-optical_shop]")
    page.wait_for_selector("[data-testid=save-inspection]")
    choose(page, "inspection_obstructed", "false")
    _instrument_row(page, 0, [("0", "-0.03")])
    # A cylinder without its axis is refused by the engine (AXIS_INVALID), as the server would.
    _lens_row(page, 0, ("1.5", "-0.5", ""), ("1.62", "", ""))
    expect(page.locator("[data-testid=measurement-error]")).to_contain_text("轴位")
    expect(_result(page, "spectacles.0")).to_contain_text("轴位")
    page.fill("input[name='spectacles.0.prescribed_cylinder']", "")
    expect(page.locator("[data-testid=measurement-error]")).to_have_count(0)
    expect(_result(page, "spectacles.0")).to_contain_text("✓ 合格")
    expect(page.locator("[data-testid=preview-verdict]")).to_have_text("合格")
    save(page)
    wait_outbox(page, 2)

    outbox = idb(page, "outbox")
    previews = {row["uuid"]: row["preview"]["verdict"] for row in outbox}
    assert sorted(previews.values()) == ["fail", "pass"]
    assert all(row["envelope"]["client_verdict"] == row["preview"]["verdict"] for row in outbox)
    failing = next(row for row in outbox if row["preview"]["verdict"] == "fail")
    assert failing["preview"]["findings"] == ["OPTICS_INSTRUMENT_OUT_OF_TOLERANCE"]

    live_server.start()
    context.set_offline(False)
    wait_outbox(page, 0)
    rows = {row.uuid: row for row in stored(list(previews))}
    assert len(rows) == 2
    for uuid, preview in previews.items():
        row = rows[uuid]
        assert row.verdict.value == preview
        assert row.client_verdict == preview
        assert row.verdict_discrepancy is False
    server_fail = rows[failing["uuid"]]
    assert [f.code for f in server_fail.findings] == ["OPTICS_INSTRUMENT_OUT_OF_TOLERANCE"]
    unjudged = [c["path"] for c in server_fail.evaluation["checks"] if c.get("judged") is False]
    assert unjudged == ["instruments.0.reference_checks.1"]
    assert page.js_errors == []  # type: ignore[attr-defined]
