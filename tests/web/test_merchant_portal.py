"""The merchant's side of a finding on the web: orders in plain words, acknowledging, the right
of reply (21 days, once) and the yearly honesty commitment, shown on the public page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, Order, User
from inspect_app.models.enforcement import OrderKind, OrderStatus
from inspect_app.models.user import Role
from inspect_app.services import commitments, orders, replies
from tests.conftest import csrf_from
from tests.web.enforcement_helpers import add_inspection, add_order, fresh
from tests.web.merchant_portal_helpers import EN, Stall, make_stall, signed_in, text


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "PUBLIC_PAGE_CACHE_SECONDS": 0}


@pytest.fixture
def stall(
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Stall:
    return make_stall(make_merchant, make_instrument, make_user)


@pytest.fixture
def merchant(app: Flask, stall: Stall) -> FlaskClient:
    return signed_in(app, stall.merchant_user)


def test_the_home_page_says_what_was_wrong_the_rule_and_what_to_do(
    merchant: FlaskClient, stall: Stall
) -> None:
    condemned = add_order(stall.scale, stall.inspector)  # a cheating device: red
    repair = add_order(
        stall.scale,
        stall.inspector,
        kind=OrderKind.REPAIR,
        inspection=add_inspection(stall.scale, stall.inspector, code="SCALE_OUT_OF_TOLERANCE"),
        due_in_days=7,
    )
    add_order(stall.other_scale, stall.inspector)  # another stall's: never shown here
    page = text(merchant.get(f"/merchants/{stall.scale.merchant_id}", headers=EN))
    assert page.count('data-testid="order"') == 2
    assert "Condemned — do not use" in page and "mp-tag mp-condemn" in page
    assert "Cheating device or cheat program in a scale" in page  # the catalogue's title
    assert "Implementing Rules of the PRC Metrology Law, Art. 46" in page  # its legal basis
    assert "Stop using this instrument now" in page
    assert "Repair order" in page and "mp-tag mp-repair" in page
    assert "Have the instrument repaired by the deadline" in page
    assert f"{repair.due_date.isoformat()}" in page and "(in 7 days)" in page
    assert f"/merchant/orders/{condemned.id}" in page
    zh = text(merchant.get(f"/merchants/{stall.scale.merchant_id}"))
    assert "禁止使用" in zh and "使用作弊装置或作弊程序的计量器具" in zh


def test_acknowledging_an_order_is_recorded_once(merchant: FlaskClient, stall: Stall) -> None:
    order = add_order(stall.scale, stall.inspector)
    page = text(merchant.get(f"/merchant/orders/{order.id}", headers=EN))
    assert 'data-testid="acknowledge"' in page and "Do not use this instrument" in page
    token = csrf_from(merchant, f"/merchant/orders/{order.id}")
    sent = merchant.post(f"/merchant/orders/{order.id}/acknowledge", data={"csrf_token": token})
    assert sent.status_code == 303
    order = fresh(order)
    assert order.acknowledged_at is not None and order.acknowledged_by_id == stall.merchant_user.id
    assert order.status == OrderStatus.OPEN  # acknowledging is not fulfilling
    page = text(merchant.get(f"/merchant/orders/{order.id}", headers=EN))
    assert 'data-testid="acknowledge"' not in page
    assert "Acknowledged by the merchant" in page  # a line of the history
    merchant.post(f"/merchant/orders/{order.id}/acknowledge", data={"csrf_token": token})
    assert [e.action for e in fresh(order).events].count("acknowledged") == 1


def test_a_closed_order_cannot_be_acknowledged(merchant: FlaskClient, stall: Stall) -> None:
    order = add_order(stall.scale, stall.inspector)
    now = datetime.now(UTC)
    orders.withdraw(order, "returned in review", None, now, now.date())
    db.session.commit()
    token = csrf_from(merchant, f"/merchant/orders/{order.id}")
    sent = merchant.post(
        f"/merchant/orders/{order.id}/acknowledge", data={"csrf_token": token}, headers=EN
    )
    assert sent.status_code == 303
    page = text(merchant.get(f"/merchant/orders/{order.id}", headers=EN))
    assert "nothing more can be done with it" in page and "returned in review" in page
    assert fresh(order).acknowledged_at is None


def test_another_merchants_order_and_inspection_are_not_found(
    merchant: FlaskClient, stall: Stall
) -> None:
    theirs = add_order(stall.other_scale, stall.inspector)
    token = csrf_from(merchant, f"/merchants/{stall.scale.merchant_id}")
    assert merchant.get(f"/merchant/orders/{theirs.id}").status_code == 404
    assert (
        merchant.post(
            f"/merchant/orders/{theirs.id}/acknowledge", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert merchant.get(f"/merchant/inspections/{theirs.inspection_id}").status_code == 404
    assert (
        merchant.post(
            f"/merchant/inspections/{theirs.inspection_id}/reply",
            data={"csrf_token": token, "body": "不是我的"},
        ).status_code
        == 404
    )
    assert fresh(theirs).acknowledged_at is None


# ---------------------------------------------------------------- the right of reply


def _reply(client: FlaskClient, inspection_id: int, body: str) -> Any:
    token = csrf_from(client, f"/merchant/inspections/{inspection_id}")
    return client.post(
        f"/merchant/inspections/{inspection_id}/reply",
        data={"csrf_token": token, "body": body},
        headers=EN,
    )


def test_a_reply_within_21_days_is_kept_and_staff_read_it(
    app: Flask, merchant: FlaskClient, stall: Stall, make_user: Callable[..., User]
) -> None:
    order = add_order(stall.scale, stall.inspector)
    inspection = order.inspection
    inspection.received_at = datetime.now(UTC) - timedelta(days=20, hours=23)
    db.session.commit()
    page = text(merchant.get(f"/merchant/inspections/{inspection.id}", headers=EN))
    assert "You may explain or dispute what the inspector found" in page
    sent = _reply(merchant, inspection.id, "秤是市场统一配发的，\n我们不知道有遥控器。")
    assert sent.status_code == 303
    page = text(merchant.get(f"/merchant/inspections/{inspection.id}", headers=EN))
    assert "我们不知道有遥控器" in page and 'data-testid="send-reply"' not in page
    again = _reply(merchant, inspection.id, "再说一次")
    assert again.status_code == 409 and 'data-code="REPLY_EXISTS"' in text(again)
    assert replies.for_inspection(inspection.id).body.startswith("秤是市场统一配发的")  # type: ignore[union-attr]
    supervisor = signed_in(app, make_user(Role.SUPERVISOR))
    staff_page = text(supervisor.get(f"/inspections/{inspection.uuid}", headers=EN))
    assert "The merchant’s reply" in staff_page and "我们不知道有遥控器" in staff_page
    merchant_page = text(supervisor.get(f"/merchants/{stall.scale.merchant_id}", headers=EN))
    assert "Replies to inspections" in merchant_page and "我们不知道有遥控器" in merchant_page


def test_after_21_days_a_reply_is_refused_with_its_code(
    merchant: FlaskClient, stall: Stall
) -> None:
    inspection = add_inspection(stall.scale, stall.inspector)
    inspection.received_at = datetime.now(UTC) - timedelta(days=21, minutes=1)
    db.session.commit()
    page = text(merchant.get(f"/merchant/inspections/{inspection.id}", headers=EN))
    assert "The time to reply (21 days from" in page and 'data-testid="send-reply"' not in page
    late = _reply(merchant, inspection.id, "太晚了吗？")
    assert late.status_code == 409
    assert 'data-code="REPLY_WINDOW_CLOSED"' in text(late)
    assert "The 21 days for replying to this inspection have passed." in text(late)
    assert replies.for_inspection(inspection.id) is None


def test_an_empty_reply_is_a_field_error(merchant: FlaskClient, stall: Stall) -> None:
    inspection = add_inspection(stall.scale, stall.inspector)
    sent = _reply(merchant, inspection.id, "   ")
    assert sent.status_code == 422 and 'id="err-body"' in text(sent)
    assert replies.for_inspection(inspection.id) is None


def test_the_window_is_21_days_from_receipt_by_the_clock_given(app: Flask, stall: Stall) -> None:
    inspection = add_inspection(stall.scale, stall.inspector)
    received = inspection.received_at
    assert replies.window_open(inspection, received + timedelta(days=21))
    assert not replies.window_open(inspection, received + timedelta(days=21, seconds=1))
    user = db.session.get(User, stall.merchant_user.id)
    assert user is not None
    with pytest.raises(AppError) as refused:
        replies.write(user, inspection, "late", received + timedelta(days=22))
    assert refused.value.problem.code == "REPLY_WINDOW_CLOSED"
    reply = replies.write(user, inspection, "in time", received + timedelta(days=2))
    assert reply.created_at == received + timedelta(days=2)


# ---------------------------------------------------------------- the honesty commitment


def _sign(client: FlaskClient, **fields: str) -> Any:
    token = csrf_from(client, "/merchant/commitment")
    return client.post("/merchant/commitment", data={"csrf_token": token, **fields}, headers=EN)


def test_signing_the_commitment_once_a_year_shows_on_the_public_page(
    client: FlaskClient, merchant: FlaskClient, stall: Stall
) -> None:
    label = f"/q/{stall.scale.qr_token}?lang=en"
    assert "Signed the honesty commitment" not in text(client.get(label))
    page = text(merchant.get("/merchant/commitment", headers=EN))
    assert "Never use or install a cheating device" in page and "2026-1" in page
    assert "禁止" not in page  # the English wording only, in an English page
    refused = _sign(merchant, signatory="王五")  # the box not ticked
    assert refused.status_code == 422 and 'id="err-agree"' in text(refused)
    signed = _sign(merchant, signatory="王五", agree="yes")
    assert signed.status_code == 303
    year = commitments.local_year(datetime.now(UTC))
    home = text(merchant.get(f"/merchants/{stall.scale.merchant_id}", headers=EN))
    assert f"Signed for {year} on" in home and "王五" in home
    public = text(client.get(label))
    assert f"Signed the honesty commitment for {year}" in public
    assert "王五" not in public and "摊主" not in public  # no person on a public page
    zh = text(client.get(f"/q/{stall.scale.qr_token}?lang=zh"))
    assert f"已签署{year}年度诚信计量承诺书" in zh
    again = _sign(merchant, signatory="王五", agree="yes")
    assert again.status_code == 303
    page = text(merchant.get("/merchant/commitment", headers=EN))
    assert "already signed" in page
    assert len(commitments.history(stall.scale.merchant_id)) == 1


def test_last_years_commitment_says_nothing_this_year(app: Flask, stall: Stall) -> None:
    user = db.session.get(User, stall.merchant_user.id)
    assert user is not None
    now = datetime.now(UTC)
    last_year = now.replace(year=now.year - 1)
    commitments.sign(user, "王五", last_year)
    db.session.commit()
    assert commitments.current(stall.scale.merchant_id, now) is None
    assert commitments.current(stall.scale.merchant_id, last_year) is not None
    this_year = commitments.sign(user, "王五", now)
    assert this_year.year == commitments.local_year(now)
    db.session.commit()
    with pytest.raises(AppError) as refused:
        commitments.sign(user, "王五", now)
    assert refused.value.problem.code == "COMMITMENT_ALREADY_SIGNED"


def test_new_years_eve_in_beijing_counts_for_the_new_year(app: Flask, stall: Stall) -> None:
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing
    assert commitments.local_year(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == 2027
    assert commitments.local_year(datetime(2026, 12, 31, 15, 30, tzinfo=UTC)) == 2026


def test_staff_see_the_orders_but_not_the_merchants_actions(
    app: Flask, stall: Stall, make_user: Callable[..., User]
) -> None:
    order: Order = add_order(stall.scale, stall.inspector)
    inspector = signed_in(app, make_user(Role.INSPECTOR))
    page = text(inspector.get(f"/merchants/{stall.scale.merchant_id}", headers=EN))
    assert "Condemned — do not use" in page and "not signed yet" in page
    assert f"/merchant/orders/{order.id}" not in page and "/merchant/commitment" not in page
    assert inspector.get(f"/merchant/orders/{order.id}").status_code == 403
    assert inspector.get("/merchant/commitment").status_code == 403
