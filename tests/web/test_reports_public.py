"""The public report form (``/q/<token>/report``) and the reporter's status page.

Every bad input answers the form again with a clear message in the reporter's language and
what they typed, stores nothing and never answers 500. Rate limits are in
test_reports_limits.py, the supervisors' side in test_report_queue.py.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Instrument, Report, RetiredQrToken
from inspect_app.models.report import ReportCategory, ReportStatus
from tests.api.uploads import photo, png_header_only
from tests.conftest import csrf_from
from tests.web.reports_helpers import (
    form_url,
    jpeg_with_gps,
    report_files,
    send,
    stored_reports,
    text,
)

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {
        "RATELIMIT_PUBLIC": "10000 per minute",
        "RATELIMIT_REPORT_ADDRESS": "10000 per minute",
        "RATELIMIT_REPORT_INSTRUMENT": "10000 per minute",
    }


@pytest.fixture
def scale(make_instrument: Callable[..., Instrument]) -> Instrument:
    return make_instrument()


def the_report() -> Report:
    db.session.commit()
    return db.session.scalars(select(Report)).one()


# ---------------------------------------------------------------- the form page


def test_the_instrument_page_links_the_form_and_sets_no_cookie(
    client: FlaskClient, scale: Instrument
) -> None:
    response = client.get(f"/q/{scale.qr_token}")
    assert response.status_code == 200
    assert f'href="/q/{scale.qr_token}/report"' in text(response)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("headers", "query", "heading", "lang"),
    [
        ({"Accept-Language": "en-GB,en;q=0.9"}, "", "Report a problem", "en"),
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "", "投诉举报", "zh-CN"),
        ({"Accept-Language": "zh-CN"}, "?lang=en", "Report a problem", "en"),
        ({"Accept-Language": "en"}, "?lang=zh", "投诉举报", "zh-CN"),
    ],
)
def test_the_form_speaks_the_reporters_language(
    client: FlaskClient,
    scale: Instrument,
    headers: dict[str, str],
    query: str,
    heading: str,
    lang: str,
) -> None:
    response = client.get(f"/q/{scale.qr_token}/report{query}", headers=headers)
    assert response.status_code == 200
    body = text(response)
    assert f'<html lang="{lang}">' in body
    assert heading in body
    assert scale.code in body
    assert 'name="csrf_token"' in body
    # The honeypot is hidden by a class, never by an inline style (the CSP forbids those).
    assert 'class="rep-hp"' in body and "style=" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_a_form_sent_from_the_english_page_keeps_english(
    client: FlaskClient, scale: Instrument
) -> None:
    response = send(client, scale.qr_token, {"category": ""}, lang="en")
    assert response.status_code == 422
    assert f'action="/q/{scale.qr_token}/report?lang=en"' in text(response)
    assert "Choose what happened." in text(response)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_and_replaced_labels_answer_the_public_pages(
    client: FlaskClient, scale: Instrument, method: str
) -> None:
    db.session.add(RetiredQrToken(qr_token="R" * 32, instrument_id=scale.id))
    db.session.commit()
    english = {"Accept-Language": "en"}
    for token, status, words in (
        ("N" * 32, 404, "Label not recognised"),
        ("R" * 32, 410, "This label was replaced"),
        ("bad token!", 404, "Label not recognised"),
    ):
        if method == "GET":
            response = client.get(form_url(token), headers=english)
        else:
            response = send(client, scale.qr_token, csrf=False)  # a token for the session
            csrf = csrf_from(client, form_url(scale.qr_token))
            data = {"category": "short_weight", "csrf_token": csrf}
            response = client.post(form_url(token), data=data, headers=english)
        assert response.status_code == status, token
        assert words in text(response)
    assert stored_reports() == 0


# ---------------------------------------------------------------- a good report


def test_a_report_is_stored_and_the_reporter_sent_to_its_status_page(
    client: FlaskClient, scale: Instrument
) -> None:
    response = send(
        client,
        scale.qr_token,
        {
            "category": "short_weight",
            "claimed_weight": "1.25",
            "found_weight": "１．１",  # full-width, as a Chinese keyboard may type it
            "description": "称了两斤，\r\n公平秤只有一斤八两。",
            "phone": "+86 139-1234-5678",
        },
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 303
    report = the_report()
    assert response.headers["Location"] == f"/reports/{report.tracking_code}"
    assert report.category == ReportCategory.SHORT_WEIGHT
    assert report.claimed_weight_g == Decimal("1250.0")
    assert report.found_weight_g == Decimal("1100.0")
    assert report.description == "称了两斤，\n公平秤只有一斤八两。"
    assert report.reporter_phone == "13912345678"
    assert report.locale == "zh_CN"
    assert report.status == ReportStatus.RECEIVED
    assert (report.merchant_id, report.region_id) == (
        scale.merchant_id,
        scale.merchant.region_id,
    )
    assert report.photo_sha256 is None
    assert len(report.tracking_code) >= 20
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.create")).one()
    assert entry.actor_id is None and entry.entity_id == str(report.id)
    assert "13912345678" not in str(entry.detail) and "公平秤" not in str(entry.detail)


def test_only_a_category_is_needed(client: FlaskClient, scale: Instrument) -> None:
    for category in ReportCategory:
        extra = {"description": "秤没有检定标志"} if category == ReportCategory.OTHER else {}
        assert (
            send(client, scale.qr_token, {"category": category.value, **extra}).status_code == 303
        )
    assert stored_reports() == len(ReportCategory)


# ---------------------------------------------------------------- bad input

LONG = "短" * 501
BAD_INPUT = [
    # (form fields, field with the problem, English message part, Chinese message part)
    ({"category": ""}, "category", "Choose what happened.", "请选择遇到的问题"),
    ({"category": "stolen_goods"}, "category", "Choose what happened.", "请选择遇到的问题"),
    ({"description": LONG}, "description", "At most 500 characters (this has 501)", "最多 500"),
    (
        {"category": "other", "description": ""},
        "description",
        "needed when you choose",
        "请描述发生了什么",
    ),
    ({"claimed_weight": "two jin"}, "claimed_weight", "as a number", "填写数字"),
    ({"claimed_weight": "1e3"}, "claimed_weight", "as a number", "填写数字"),
    ({"claimed_weight": "NaN"}, "claimed_weight", "as a number", "填写数字"),
    ({"found_weight": "Infinity"}, "found_weight", "as a number", "填写数字"),
    ({"found_weight": "-0.5"}, "found_weight", "as a number", "填写数字"),
    ({"claimed_weight": "0"}, "claimed_weight", "between 0.0001 kg and 1000 kg", "1000 千克"),
    ({"found_weight": "1000.5"}, "found_weight", "between 0.0001 kg and 1000 kg", "1000 千克"),
    ({"claimed_weight": "99999999"}, "claimed_weight", "as a number", "填写数字"),
    ({"claimed_weight": "0.00001"}, "claimed_weight", "four digits", "四位"),
    ({"phone": "12345"}, "phone", "11-digit mainland mobile", "11 位"),
    ({"phone": "23912345678"}, "phone", "11-digit mainland mobile", "11 位"),
    ({"phone": "139123456789"}, "phone", "11-digit mainland mobile", "11 位"),
    ({"phone": "010-12345678"}, "phone", "11-digit mainland mobile", "11 位"),
    ({"description": "少了\x00二两"}, "description", "cannot be stored", "无法保存"),
    ({"description": "ring\x07bell"}, "description", "Control characters", "控制字符"),
    ({"is_admin": "1"}, "is_admin", "not part of the form", "不属于此表单"),
]


@pytest.mark.parametrize(("fields", "field", "en", "zh"), BAD_INPUT)
def test_bad_input_is_refused_in_the_reporters_language(
    app: Flask,
    client: FlaskClient,
    scale: Instrument,
    fields: dict[str, str],
    field: str,
    en: str,
    zh: str,
) -> None:
    typed = {"description": "我写的话", **fields}
    english = send(client, scale.qr_token, typed, headers={"Accept-Language": "en"})
    assert english.status_code == 422
    body = text(english)
    assert en in body
    assert "Your report has not been sent yet" in body
    if field in ("category", "claimed_weight", "found_weight", "description", "phone"):
        assert f'id="err-{field}"' in body  # beside its input
    if "description" in typed and "\x00" not in typed["description"]:
        assert typed["description"][:20] in body  # what was typed is kept
    chinese = send(client, scale.qr_token, typed, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422
    assert zh in text(chinese)
    assert stored_reports() == 0
    assert report_files(app) == []


def test_typed_values_are_kept_on_the_form(client: FlaskClient, scale: Instrument) -> None:
    fields = {"claimed_weight": "1.5", "found_weight": "abc", "phone": "13912345678"}
    body = text(send(client, scale.qr_token, {"category": "tampered_display", **fields}))
    assert 'value="1.5"' in body and 'value="abc"' in body and 'value="13912345678"' in body
    assert 'value="tampered_display" checked' in body


def test_undecodable_bytes_never_reach_the_database(client: FlaskClient, scale: Instrument) -> None:
    """A lone surrogate cannot be sent as form text (it has no UTF-8 encoding); its CESU bytes
    arrive as plain percent text, stored as such. Never a 500."""
    csrf = csrf_from(client, form_url(scale.qr_token))
    raw = f"csrf_token={csrf}&category=other&description=a%ED%A0%80b".encode()
    response = client.post(
        form_url(scale.qr_token), data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 303
    stored = the_report().description
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in stored)


def test_the_honeypot_refuses_and_stores_nothing(client: FlaskClient, scale: Instrument) -> None:
    response = send(
        client,
        scale.qr_token,
        {"website": "http://spam.example", "description": "buy now"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "could not be accepted" in text(response)
    assert 'name="website" type="text" tabindex="-1" autocomplete="off">' in text(response)
    assert stored_reports() == 0


def test_an_expired_form_keeps_what_was_typed(client: FlaskClient, scale: Instrument) -> None:
    client.get(form_url(scale.qr_token))
    response = client.post(
        form_url(scale.qr_token),
        data={"category": "short_weight", "description": "我写了很多", "csrf_token": "stale"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    body = text(response)
    assert "The form had expired" in body and "我写了很多" in body
    assert stored_reports() == 0


# ---------------------------------------------------------------- photos


def test_a_photo_is_kept_without_its_exif_and_without_the_original(
    app: Flask, client: FlaskClient, scale: Instrument
) -> None:
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    assert send(client, scale.qr_token, photo=original).status_code == 303
    report = the_report()
    root = Path(app.config["ATTACHMENTS_DIR"])
    kept = root / "reports" / f"{report.photo_sha256}.jpg"
    assert report_files(app) == [kept]  # no original, nothing left in tmp/
    data = kept.read_bytes()
    assert hashlib.sha256(data).hexdigest() == report.photo_sha256
    assert b"PhoneMaker" not in data and b"Exif" not in data
    with Image.open(kept) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
        assert not image.getexif()


PHOTO_PROBLEMS = [
    (b"just some text, not a picture", "photo.jpg", "not a photo that can be read"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG_0001.HEIC", "HEIC is not accepted"),
    (png_header_only(6000, 4001), "huge.png", "too many pixels"),
    (photo(fmt="GIF"), "anim.gif", "JPEG, PNG or WebP"),
]


@pytest.mark.parametrize(("data", "filename", "message"), PHOTO_PROBLEMS)
def test_a_bad_photo_is_refused_on_the_form(
    app: Flask, client: FlaskClient, scale: Instrument, data: bytes, filename: str, message: str
) -> None:
    response = send(
        client,
        scale.qr_token,
        {"description": "看照片"},
        photo=data,
        filename=filename,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    body = text(response)
    assert message in body and 'id="err-photo"' in body and "看照片" in body
    assert stored_reports() == 0
    assert report_files(app) == []


def test_a_photo_over_the_size_limit_is_refused(
    app: Flask, client: FlaskClient, scale: Instrument
) -> None:
    app.config["REPORT_PHOTO_MAX_BYTES"] = 2 * 1024 * 1024
    # Over the photo limit but within the body limit: refused while receiving it.
    slightly = b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024 + 10)
    response = send(client, scale.qr_token, photo=slightly, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "The photo is larger than 2 MB." in text(response)
    # Far over it: refused before the body is read (the form cannot be kept then).
    far = b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024)
    response = send(client, scale.qr_token, photo=far, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 413
    assert "照片超过 2 MB" in text(response)
    assert stored_reports() == 0
    assert report_files(app) == []


def test_photos_beyond_the_daily_cap_are_not_kept_and_the_reporter_is_told(
    app: Flask,
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
) -> None:
    app.config["REPORT_PHOTOS_PER_INSTRUMENT_DAY"] = 2
    app.config["REPORT_PHOTOS_PER_DAY"] = 3
    first, second = make_instrument(), make_instrument()
    english = {"Accept-Language": "en"}

    def report(instrument: Instrument, colour: str) -> str:
        response = send(
            client, instrument.qr_token, photo=photo(colour=colour, size=(40, 30)), headers=english
        )
        assert response.status_code == 303
        return str(response.headers["Location"])

    assert "photo=" not in report(first, "red")
    assert "photo=" not in report(first, "green")
    dropped = report(first, "blue")  # the instrument's cap
    assert dropped.endswith("photo=not_kept")
    assert "photo=" not in report(second, "white")
    assert report(second, "black").endswith("photo=not_kept")  # the cap in all
    db.session.commit()
    kept = db.session.scalars(select(Report.photo_sha256).order_by(Report.id)).all()
    assert [k is not None for k in kept] == [True, True, False, True, False]
    assert len(report_files(app)) == 3
    page = text(client.get(dropped, headers=english))
    assert "stored without its photo" in page
    assert "limit of photos" in page


# ---------------------------------------------------------------- the status page


def test_the_status_page_tells_the_reporter_in_plain_words(
    client: FlaskClient, scale: Instrument
) -> None:
    response = send(
        client,
        scale.qr_token,
        {"claimed_weight": "1", "found_weight": "0.95", "phone": "13912345678"},
        lang="en",
    )
    location = response.headers["Location"]
    assert location.endswith("?lang=en")
    page = client.get(location)
    assert page.status_code == 200
    body = text(page)
    assert "Your report" in body and "Received" in body
    assert "short by 50 g" in body
    assert scale.code in body
    assert not MOBILE.findall(body)  # no phone number
    assert f"/instruments/{scale.id}" not in body and "merchant_id" not in body
    assert "Set-Cookie" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_the_status_page_uses_the_language_the_report_was_made_in(
    client: FlaskClient, scale: Instrument
) -> None:
    send(client, scale.qr_token, headers={"Accept-Language": "en"})
    code = the_report().tracking_code
    assert "Your report" in text(client.get(f"/reports/{code}", headers={"Accept-Language": "zh"}))
    assert "您的举报" in text(client.get(f"/reports/{code}?lang=zh"))


@pytest.mark.parametrize("code", ["A" * 20, "short", "not a code!", "x" * 40])
def test_an_unknown_tracking_code_is_404(client: FlaskClient, code: str) -> None:
    response = client.get(f"/reports/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Report not found" in text(response)
