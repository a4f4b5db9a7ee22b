"""GET /markets/<id>/labels.pdf and "Replace label" on the merchant page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import (
    AuditEntry,
    ChangeLogEntry,
    Instrument,
    Market,
    Merchant,
    Region,
    User,
)
from inspect_app.models.instrument import InstrumentKind, InstrumentStatus, RetiredQrToken
from inspect_app.models.user import Role
from tests.conftest import csrf_from
from tests.pdf_labels import read_sheets
from tests.web.test_read_only_requests import timed_get, writer_holding_the_lock

BASE = "https://inspect.example.test"  # PUBLIC_BASE_URL of tests/conftest.py base_config


def _url(instrument: Instrument) -> str:
    return f"{BASE}/q/{instrument.qr_token}"


def test_a_market_sheet_labels_what_is_in_service_in_stall_then_code_order(
    client: FlaskClient,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    market = make_market()
    a10 = make_merchant(market_id=market.id, stall_no="A-10")
    a2 = make_merchant(market_id=market.id, stall_no="A-2")
    nameless = make_merchant(market_id=market.id, stall_no=None)
    elsewhere = make_instrument(make_merchant())  # another market of the same district
    make = make_instrument
    expected = [
        make(a2, code="NM-B", kind=InstrumentKind.PLATFORM_SCALE),
        make(a2, code="NM-C", status=InstrumentStatus.REPAIR_ORDER),
        make(a10, code="NM-A"),
        make(nameless, code="NM-0", kind=InstrumentKind.FOCIMETER),
    ]
    off_the_counter = [
        make(a2, code=f"NM-X{n}", status=status)
        for n, status in enumerate(
            (InstrumentStatus.CONDEMNED, InstrumentStatus.SEIZED, InstrumentStatus.RETIRED)
        )
    ]
    login_as(Role.SUPERVISOR)

    response = client.get(f"/markets/{market.id}/labels.pdf", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="labels-{market.code}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    [page] = read_sheets(response.data)
    assert [c.text for c in page.codes] == [_url(i) for i in expected]
    for instrument in expected:
        assert instrument.code in page.text
    for instrument in [*off_the_counter, elsewhere]:
        assert instrument.code not in page.text
    # Both languages whatever the reader's: the catalogue's names of each kind.
    for zh, en in (("电子计价秤", "Price-computing scale"), ("台秤", "Platform scale")):
        assert zh in page.text and en in page.text
    assert "焦度计" in page.text and "Focimeter" in page.text
    assert "摊位 Stall A-2" in page.text and "摊位 Stall A-10" in page.text


def test_thirty_instruments_make_two_pages(
    client: FlaskClient,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    market = make_market()
    merchant = make_merchant(market_id=market.id)
    scales = [make_instrument(merchant, code=f"NM-{n:03d}") for n in range(30)]
    login_as(Role.INSPECTOR)
    pages = read_sheets(client.get(f"/markets/{market.id}/labels.pdf").data)
    assert [len(p.codes) for p in pages] == [24, 6]
    assert [c.text for p in pages for c in p.codes] == [_url(s) for s in scales]


def test_another_districts_market_is_404_and_a_merchant_user_403(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    login_as: Callable[..., User],
) -> None:
    far_market = make_market(region_id=make_region().id)
    login_as(Role.SUPERVISOR)
    assert client.get(f"/markets/{far_market.id}/labels.pdf").status_code == 404
    assert client.get("/markets/999999/labels.pdf").status_code == 404


def test_a_merchant_user_may_not_print_its_markets_labels(
    client: FlaskClient,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    login_as: Callable[..., User],
) -> None:
    market = make_market()
    login_as(Role.MERCHANT, merchant_id=make_merchant(market_id=market.id).id)
    assert client.get(f"/markets/{market.id}/labels.pdf").status_code == 403


def test_an_empty_market_gets_a_page_saying_so(
    client: FlaskClient, make_market: Callable[..., Market], login_as: Callable[..., User]
) -> None:
    market = make_market()
    login_as(Role.ADMIN)
    [page] = read_sheets(client.get(f"/markets/{market.id}/labels.pdf").data)
    assert page.codes == [] and "No instruments in service in this market." in page.text


# ---------------------------------------------------------------- replacing a label


def _replace(client: FlaskClient, instrument: Instrument, csrf: bool = True) -> TestResponse:
    merchant_page = f"/merchants/{instrument.merchant_id}"
    data = {"csrf_token": csrf_from(client, merchant_page)} if csrf else {}
    return client.post(f"/instruments/{instrument.id}/replace-label", data=data)


def test_a_supervisor_replaces_a_label_and_sees_the_new_one(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    old = scale.qr_token
    supervisor = login_as(Role.SUPERVISOR)
    before = db.session.scalar(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc()))

    response = _replace(client, scale)

    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == f"/merchants/{scale.merchant_id}#instrument-{scale.id}"
    db.session.refresh(scale)
    assert scale.qr_token != old
    [retired] = db.session.scalars(select(RetiredQrToken)).all()
    assert (retired.qr_token, retired.instrument_id, retired.retired_by_id) == (
        old,
        scale.id,
        supervisor.id,
    )
    change = db.session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.seq > before)).all()
    assert [(c.entity, c.entity_id) for c in change] == [("instrument", scale.id)]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and (entry.action, entry.actor_id) == (
        "instrument.rotate_qr",
        supervisor.id,
    )

    page = client.get(location.split("#")[0], headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert 'data-testid="new-label"' in html
    assert "the old label no longer works" in html
    assert f'src="/instruments/{scale.id}/label.png"' in html
    assert f'href="/instruments/{scale.id}/label.svg"' in html
    # Shown once: a reload does not claim another replacement.
    again = client.get(location.split("#")[0]).get_data(as_text=True)
    assert 'data-testid="new-label"' not in again


def test_replacing_without_the_csrf_token_changes_nothing(
    client: FlaskClient, make_instrument: Callable[..., Instrument], login_as: Callable[..., User]
) -> None:
    scale = make_instrument()
    old = scale.qr_token
    login_as(Role.ADMIN)
    response = _replace(client, scale, csrf=False)
    assert response.status_code == 400
    db.session.refresh(scale)
    assert scale.qr_token == old
    assert db.session.scalars(select(RetiredQrToken)).all() == []


def test_inspectors_may_not_replace_and_other_districts_get_404(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    old = scale.qr_token
    login_as(Role.INSPECTOR)
    assert _replace(client, scale).status_code == 403
    login_as(Role.SUPERVISOR, region_id=make_region().id)
    assert _replace(client, scale).status_code == 404
    db.session.refresh(scale)
    assert scale.qr_token == old


def _buttons(html: str) -> list[str]:
    return re.findall(r'action="(/instruments/\d+/replace-label)"', html)


def test_the_button_is_shown_to_those_who_may_use_it(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    page = f"/merchants/{scale.merchant_id}"
    expected = [f"/instruments/{scale.id}/replace-label"]
    for role, buttons, links in (
        (Role.SUPERVISOR, expected, True),
        (Role.ADMIN, expected, True),
        (Role.INSPECTOR, [], True),
    ):
        login_as(role)
        html = client.get(page).get_data(as_text=True)
        assert _buttons(html) == buttons, role
        assert (f'href="/instruments/{scale.id}/label.png"' in html) is links, role
        if buttons:
            assert 'data-confirm="' in html and "/static/web/confirm.js" in html
    login_as(Role.MERCHANT, merchant_id=scale.merchant_id)
    html = client.get(page).get_data(as_text=True)
    assert _buttons(html) == [] and "label.png" not in html


def test_printing_a_sheet_does_not_wait_for_a_syncing_tablet(
    client: FlaskClient,
    database_uri: str,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    login_as: Callable[..., User],
) -> None:
    """Declared read-only: on SQLite the request never queues behind the write lock."""
    market = make_market()
    scale = make_instrument(make_merchant(market_id=market.id))
    login_as(Role.SUPERVISOR)
    db.session.commit()
    with writer_holding_the_lock(database_uri, scale):
        response, elapsed = timed_get(client, f"/markets/{market.id}/labels.pdf")
    assert response.status_code == 200
    assert elapsed < 3.0  # a queued request would wait out the 15 s busy timeout
    [page] = read_sheets(response.data)
    assert [c.text for c in page.codes] == [_url(scale)]  # committed state: still in service
