"""No personal data on any public page, for every instrument of the demo.

The demo is loaded as ``flask seed-demo`` loads it (with its inspection history), then every
instrument's page is fetched in both languages and searched for what must never appear: a
merchant's contact person or phone, a uscc, an inspector's (any user's) name or username, an
internal id or record uuid, anything shaped like a mainland mobile number.

The trade name is shown as registered, as the stall's sign shows it, even where it holds the
owner's name (the issue says so); it is taken out of the page before the search, so a contact
name that happens to be part of the trade name is not counted against the page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Merchant, RetiredQrToken, User
from inspect_app.services import demo

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Routes that would reveal an internal id (the staff pages address objects by id).
ID_PATHS = re.compile(r"/(merchants|instruments|markets|inspections|users|api)/")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"RATELIMIT_PUBLIC": "100000 per minute"}


@pytest.fixture
def demo_loaded(app: Any) -> None:
    demo.seed()
    db.session.commit()


def _problems(body: str, merchant: Merchant, everyone: dict[str, Any], lang: str) -> list[str]:
    shown = body.replace(merchant.name, "")
    found = [f"mobile number {m}" for m in MOBILE.findall(shown)]
    found += [f"uuid {m}" for m in UUID.findall(shown)]
    found += [f"link {m.group(0)}" for m in ID_PATHS.finditer(shown)]
    for what, values in everyone.items():
        if what != "usernames":
            found += [f"{what} {v!r}" for v in values if v and v in shown]
    if (
        lang == "zh"
    ):  # usernames are English words ("inspector"); the zh page has no prose in English
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.-]*", shown))
        found += [f"username {u!r}" for u in everyone["usernames"] if u in words]
    for field in ("merchant_id", "instrument_id", "inspector", "contact", "uscc"):
        if field in shown and lang == "zh":
            found.append(f"field name {field}")
    return found


def test_no_public_page_shows_personal_data(client: FlaskClient, demo_loaded: None) -> None:
    merchants = {m.id: m for m in db.session.scalars(select(Merchant))}
    users = list(db.session.scalars(select(User)))
    inspectors = set(db.session.scalars(select(Inspection.inspector_id).distinct()))
    assert inspectors, "the demo has inspections (and so inspectors) to leak"
    everyone = {
        "contact name": [m.contact_name for m in merchants.values()],
        "contact phone": [m.contact_phone for m in merchants.values()],
        "uscc": [m.uscc for m in merchants.values()],
        "display name": [u.display_name for u in users],
        # Checked as whole words on the Chinese page (see _problems).
        "usernames": [],
    }
    usernames = [u.username for u in users]
    instruments = list(db.session.scalars(select(Instrument).order_by(Instrument.id)))
    assert len(instruments) > 100
    problems: list[str] = []
    states: set[str] = set()
    for instrument in instruments:
        merchant = merchants[instrument.merchant_id]
        for lang in ("zh", "en"):
            response = client.get(f"/q/{instrument.qr_token}?lang={lang}")
            assert response.status_code == 200, instrument.code
            assert "Set-Cookie" not in response.headers
            body = response.get_data(as_text=True)
            states |= set(re.findall(r"light light-(\w+)", body))
            found = _problems(body, merchant, everyone | {"usernames": usernames}, lang)
            problems += [f"{instrument.code} ({lang}): {p}" for p in found]
    assert problems == []
    assert states >= {"green", "red"}


def test_the_404_and_410_pages_say_nothing_about_anyone(
    client: FlaskClient, demo_loaded: None
) -> None:
    instrument = db.session.scalars(select(Instrument).limit(1)).one()
    db.session.add(
        RetiredQrToken(qr_token="retired-token-0123456789abcdef", instrument_id=instrument.id)
    )
    db.session.commit()
    for path in ("/q/retired-token-0123456789abcdef", "/q/unknown-token-0123456789abcdef"):
        for lang in ("zh", "en"):
            body = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            assert not MOBILE.search(body)
            assert instrument.code not in body
            assert not ID_PATHS.search(body)


def test_the_search_would_catch_a_leak() -> None:
    merchant = Merchant(name="王记粮油摊", contact_name="李四", contact_phone="13912345678")
    everyone = {"contact name": ["李四"], "contact phone": ["13912345678"], "usernames": ["li4"]}
    body = "<p>王记粮油摊</p><p>李四 13912345678 li4</p><a href='/merchants/7'>x</a>"
    found = _problems(body, merchant, everyone, "zh")
    assert len(found) == 5, found  # mobile, link, contact name, contact phone, username
    # The trade name alone, even with a person's name in it, is fine.
    quiet = {"contact name": ["王记"], "usernames": []}
    assert _problems("<p>王记粮油摊</p>", Merchant(name="王记粮油摊"), quiet, "zh") == []
