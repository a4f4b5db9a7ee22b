"""From a finding to the grade on the QR page, in Debian's Chromium.

A stall graded A on two clean inspections; an inspector's tablet pushes an inspection that
found a cheating device (S4) through the sync API; a supervisor approves it through the review
API; the shopper who scans the label then sees D, why, and until when, and the link to what
the grades mean.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.user import Role
from inspect_app.services import credit
from tests.browser.conftest import LiveServer
from tests.payloads import item, scale_answers
from tests.services.credit_factories import add_inspection

pytestmark = pytest.mark.browser


def test_an_approved_finding_changes_the_grade_on_the_public_page(
    app: Flask,
    browser: Any,
    live_server: LiveServer,
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0  # the shopper reloads at once
    scale = make_instrument()
    merchant = db.session.get(Merchant, scale.merchant_id)
    assert merchant is not None
    inspector = make_user(Role.INSPECTOR)
    today = local_today()
    add_inspection(merchant, inspector, today - timedelta(days=400))
    add_inspection(merchant, inspector, today - timedelta(days=150))
    credit.recompute_all(today, "daily", datetime.now(UTC))  # last night's run
    db.session.commit()

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto(f"/q/{scale.qr_token}")
    assert page.text_content("[data-testid=grade-letter]") == "A"
    assert "Score 100.0 of 100" in page.text_content("[data-testid=honesty-grade]")

    pushed = client.post(
        "/api/v1/sync/push",
        json={
            "inspections": [
                item(
                    "bazaar_scale",
                    scale_answers(
                        merchant.id,
                        scale.code,
                        cheating_device_found=True,
                        cheating_methods=["remote_control"],
                    ),
                )
            ]
        },
        headers=token_for(inspector),
    )
    [result] = pushed.get_json()["results"]
    assert result["status"] == "created", result
    page.reload()
    assert page.text_content("[data-testid=grade-letter]") == "A"  # not approved yet

    supervisor = make_user(Role.SUPERVISOR)
    approved = client.post(
        f"/api/v1/inspections/{result['uuid']}/review",
        json={"decision": "approve"},
        headers=token_for(supervisor),
    )
    assert approved.status_code == 200, approved.get_json()
    page.reload()
    assert page.text_content("[data-testid=grade-letter]") == "D"
    card = page.text_content("[data-testid=honesty-grade]")
    lifts = (today + timedelta(days=366)).isoformat()
    assert f"found {today.isoformat()}; the cap lifts on {lifts}." in card
    page.click("text=What the grades mean")
    page.wait_for_url("**/grades")
    assert page.text_content("h1") == "What the honesty grades mean"
    context.close()
