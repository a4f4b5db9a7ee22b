"""Steps an inspector takes in the app, shared by the browser tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Inspection

CHECK = 'input[name="{name}"][value="{value}"]'


def choose(page: Any, name: str, value: str) -> None:
    page.check(CHECK.format(name=name, value=value))


def open_instrument_by_code(page: Any, code: str) -> None:
    page.goto("/field/#/")
    page.fill("[data-testid=code-input]", code)
    page.click("[data-testid=code-find]")
    page.wait_for_selector("[data-testid=instrument-card]")


def fill_scale_inspection(page: Any, points: list[tuple[str, str]]) -> None:
    """A stall scale with clean markings and seals; ``points`` are (load, indication) in g."""
    choose(page, "inspection_obstructed", "false")
    for name in (
        "nameplate_complete",
        "type_approval_mark",
        "antifraud_declaration",
        "division_matches_nameplate",
        "verification_mark_present",
        "price_labels_legal_units",
        "zero_ok",
    ):
        choose(page, name, "true")
    page.fill(
        "input[name=verification_valid_until]", (date.today() + timedelta(days=200)).isoformat()
    )
    choose(page, "seal", "intact")
    choose(page, "display_unit", "kg")
    for name in (
        "banned_instrument_in_use",
        "cheating_device_found",
        "tampering_found",
        "tare_manipulation_found",
        "price_computing_fraud_found",
    ):
        choose(page, name, "false")
    for i, (load, indication) in enumerate(points):
        page.click("[data-testid='add-test_points']")
        page.fill(f"input[name='test_points.{i}.load']", load)
        page.fill(f"input[name='test_points.{i}.indication']", indication)


def fill_prepack_inspection(
    page: Any, merchant_id: int, nominal: str, lot: str, nets: list[str]
) -> None:
    page.select_option("select[name=merchant]", str(merchant_id))
    page.fill("input[name=product_name]", "东北大米 Rice")
    choose(page, "inspection_obstructed", "false")
    choose(page, "net_quantity_marked", "true")
    choose(page, "legal_unit_used", "true")
    choose(page, "character_height_ok", "true")
    page.fill("input[name=nominal]", nominal)
    choose(page, "unit", "g")
    page.fill("input[name=lot_size]", lot)
    # The app adds the plan's sample rows as soon as the lot size is known.
    page.wait_for_selector(f"input[name='sample.{len(nets) - 1}.net']")
    for i, net in enumerate(nets):
        page.fill(f"input[name='sample.{i}.net']", net)


def save(page: Any) -> None:
    page.click("[data-testid=save-inspection]")
    page.wait_for_selector("[data-testid=scan-button]")


def outbox_count(page: Any) -> int:
    return int(page.text_content("[data-testid=outbox-count]") or "-1")


def wait_outbox(page: Any, n: int, timeout: int = 30000) -> None:
    page.wait_for_function(
        "n => document.querySelector('[data-testid=outbox-count]')?.textContent === String(n)",
        arg=n,
        timeout=timeout,
    )


def idb(page: Any, store: str) -> list[dict[str, Any]]:
    """Read a store of the app's IndexedDB through the app's own module."""
    result: list[dict[str, Any]] = page.evaluate(
        "async (store) => { const db = await import('/static/field/db.js');"
        " return (await db.all(store))"
        ".map((row) => { const { blob, ...rest } = row; return rest; }); }",
        store,
    )
    return result


def stored(uuids: list[str]) -> list[Inspection]:
    """Inspections in the database with these uuids (a fresh read, not the session cache)."""
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(select(Inspection).where(Inspection.uuid.in_(uuids))))


def api(
    server_url: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """A plain HTTP call to the live server, as another device would make it."""
    import json
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server_url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept-Language", "en")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def token(server_url: str, username: str, password: str) -> str:
    status, body = api(
        server_url,
        "POST",
        "/api/v1/auth/token",
        {"username": username, "password": password, "device_name": "test"},
    )
    assert status == 201, body
    return str(body["token"])


def raw(server_url: str, path: str, token_value: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(server_url + path)
    request.add_header("Authorization", f"Bearer {token_value}")
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body
