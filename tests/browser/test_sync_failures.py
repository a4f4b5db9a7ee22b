"""The network dies in the middle of a sync, and a record the server refuses for good."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Attachment, Inspection
from tests.browser.conftest import LiveServer, Stall, login
from tests.browser.helpers import (
    api,
    fill_scale_inspection,
    idb,
    open_instrument_by_code,
    save,
    stored,
    token,
    wait_outbox,
)
from tests.payloads import item, scale_answers

pytestmark = pytest.mark.browser


def inspect_scale(page: Any, stall: Stall, photo: Path | None = None) -> None:
    open_instrument_by_code(page, stall.scale.code)
    page.click("[data-testid=start-bazaar_scale]")
    page.wait_for_selector("[data-testid=save-inspection]")
    fill_scale_inspection(page, [("500", "500"), ("10000", "10005")])
    if photo is not None:
        page.set_input_files("input[name=nameplate_photo]", str(photo))
        page.wait_for_selector("[data-path=nameplate_photo] img.thumb")
    save(page)


def last_sync(page: Any) -> Any:
    return page.evaluate("async () => (await import('/static/field/db.js')).kvGet('last_sync')")


def sync_now(page: Any) -> Any:
    """Press the button and wait for that run's outcome (not the previous one's)."""
    before = last_sync(page)
    page.click("[data-testid=sync-now]")
    for _ in range(300):
        outcome = last_sync(page)
        if outcome and outcome != before:
            return outcome
        page.wait_for_timeout(100)
    raise AssertionError("the sync did not finish")


def wait_sync_result(page: Any, pattern: str) -> None:
    page.wait_for_function(
        "p => new RegExp(p).test(document.querySelector('[data-testid=sync-status]').textContent)",
        arg=pattern,
        timeout=30000,
    )


def test_a_sync_cut_off_halfway_loses_and_duplicates_nothing(
    page: Any, context: Any, live_server: LiveServer, stall: Stall, tmp_path: Path
) -> None:
    photo = tmp_path / "nameplate.jpg"
    Image.effect_noise((2400, 1800), 64).convert("RGB").save(photo, quality=90)
    login(page, stall)
    context.set_offline(True)
    inspect_scale(page, stall, photo)
    inspect_scale(page, stall)
    inspect_scale(page, stall)
    wait_outbox(page, 3)
    outbox = sorted(idb(page, "outbox"), key=lambda row: row["saved_at"])
    uuids = [row["uuid"] for row in outbox]
    sha = outbox[0]["envelope"]["attachments"][0]
    photos = {row["sha256"]: row for row in idb(page, "attachments")}
    assert photos[sha]["state"] == "wait"
    assert max(photos[sha]["width"], photos[sha]["height"]) == 1600  # downscaled on the tablet
    page.evaluate("async () => (await import('/static/field/db.js')).kvSet('push_batch_size', 2)")

    # 1. The first batch of two arrives; then the server goes down before anything else.
    calls: list[str] = []

    def first_batch_then_outage(route: Any) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fulfill(response=route.fetch())
            live_server.stop()
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", first_batch_then_outage)
    context.set_offline(False)
    wait_outbox(page, 1)
    wait_sync_result(page, "失败")
    assert len(stored(uuids)) == 2
    assert db.session.scalar(select(Attachment).where(Attachment.sha256 == sha)) is None
    assert idb(page, "attachments")[0]["state"] == "upload"  # expected by the server, kept
    page.unroute("**/api/v1/sync/push")

    # 2. The server is back, but the answer to the next push is lost on the way (it was
    #    stored), and the photo upload breaks off.
    live_server.start()

    def stored_but_answer_lost(route: Any) -> None:
        route.fetch()
        route.abort("connectionreset")

    page.route("**/api/v1/sync/push", stored_but_answer_lost)
    page.route("**/api/v1/attachments/*", lambda route: route.abort("connectionreset"))
    outcome = sync_now(page)
    assert (outcome["ok"], outcome["kind"]) == (False, "network")
    assert len(stored(uuids)) == 3
    assert [row["uuid"] for row in idb(page, "outbox")] == [uuids[2]]
    page.unroute("**/api/v1/sync/push")
    page.unroute("**/api/v1/attachments/*")

    # 3. The next sync finishes the job: a duplicate for the lost answer, the photo uploaded.
    outcome = sync_now(page)
    assert outcome["ok"], outcome
    wait_outbox(page, 0)
    wait_sync_result(page, "成功")
    db.session.rollback()
    counts = dict(
        db.session.execute(
            select(Inspection.uuid, func.count())
            .where(Inspection.uuid.in_(uuids))
            .group_by(Inspection.uuid)
        ).all()
    )
    assert counts == dict.fromkeys(uuids, 1)
    assert db.session.scalar(select(Attachment).where(Attachment.sha256 == sha)) is not None
    assert idb(page, "attachments") == []
    history = {row["uuid"]: row["status"] for row in idb(page, "history")}
    assert history == {uuids[0]: "created", uuids[1]: "created", uuids[2]: "duplicate"}


def test_a_conflicting_record_needs_attention_and_can_be_exported_and_discarded(
    page: Any, context: Any, live_server: LiveServer, stall: Stall
) -> None:
    login(page, stall)
    context.set_offline(True)
    inspect_scale(page, stall)
    uuid = idb(page, "outbox")[0]["uuid"]
    # Another device already sent different content under the same uuid.
    bearer = token(live_server.url, stall.inspector.username, stall.password)
    other = item("bazaar_scale", scale_answers(stall.merchant.id, stall.scale.code), uuid=uuid)
    status, body = api(
        live_server.url, "POST", "/api/v1/sync/push", {"inspections": [other]}, bearer
    )
    assert status == 200 and body["results"][0]["status"] == "created"

    context.set_offline(False)
    wait_outbox(page, 0)
    page.wait_for_selector("[data-testid=attention-count]")
    assert [row["uuid"] for row in idb(page, "attention")] == [uuid]

    page.click("[data-testid=attention-count]")
    page.click(f"[data-uuid='{uuid}'] a")
    expect(page.locator("[data-testid=attention-message]")).to_have_text(
        "已存在相同 uuid 但内容不同的检查记录。"
    )
    with page.expect_download() as download_info:
        page.click("[data-testid=attention-export]")
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert exported["record"]["uuid"] == uuid
    assert exported["server_result"]["code"] == "SYNC_UUID_CONFLICT"
    assert exported["record"]["answers"]["test_points"][1] == {
        "load": "10000",
        "indication": "10005",
    }

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=attention-discard]")
    page.wait_for_selector("[data-testid=attention-list]")
    assert idb(page, "attention") == []
    expect(page.locator("[data-testid=attention-count]")).to_have_count(0)
    # The server keeps the first record it accepted, untouched.
    (row,) = stored([uuid])
    assert row.answers["test_points"][1] == {"load": 5000, "indication": 5005}
