"""The public instrument page (``/q/<token>``): content, languages, caching, 404/410, limits.

The privacy sweep over the demo is in test_public_privacy.py; the read-only rule (no SQLite
write lock) in test_read_only_requests.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db, limiter
from inspect_app.models import Inspection, Instrument, Merchant, RetiredQrToken, User
from inspect_app.models.inspection import GeotagStatus, Verdict
from inspect_app.models.instrument import InstrumentKind, InstrumentStatus
from inspect_app.models.user import Role
from inspect_app.web import public_cache


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Every request reads the database here; the page cache has its own tests below."""
    return app_config | {"PUBLIC_PAGE_CACHE_SECONDS": 0}


def page(client: FlaskClient, token: str, **headers: str) -> TestResponse:
    return client.get(f"/q/{token}", headers=headers)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def untagged(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def no_cookie(response: TestResponse) -> None:
    assert "Set-Cookie" not in response.headers, response.headers["Set-Cookie"]


def add_inspection(
    instrument: Instrument,
    inspector: User,
    captured_at: datetime,
    verdict: Verdict,
    supersedes: Inspection | None = None,
) -> Inspection:
    """A stored inspection row as sync would leave it (only what the page reads matters)."""
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key="bazaar_scale",
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=instrument.merchant_id,
        instrument_id=instrument.id,
        captured_at=captured_at,
        received_at=captured_at,
        geotag_status=GeotagStatus.OK,
        answers={},
        content_sha256="0" * 64,
        evaluation={},
        verdict=verdict,
        supersedes_id=supersedes.id if supersedes else None,
    )
    db.session.add(inspection)
    db.session.commit()
    return inspection


# ---------------------------------------------------------------- what is shown


def test_the_page_shows_what_a_shopper_needs(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    merchant = db.session.get(Merchant, instrument.merchant_id)
    assert merchant is not None and merchant.market is not None
    response = page(client, instrument.qr_token, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="zh-CN">' in body
    assert "电子计价秤" in body
    assert instrument.code in body
    assert "III" in body
    assert "Max 15 kg · Min 40 g · e = 5 g" in untagged(body)
    assert instrument.valid_until is not None and instrument.valid_until.isoformat() in body
    assert "检定合格，可以使用" in body
    assert merchant.name in body and merchant.stall_no and merchant.stall_no in body
    assert merchant.market.name_zh in body
    assert "诚信等级" in body and "尚未公布" in body
    assert "暂无检查记录" in body
    assert f'href="/q/{instrument.qr_token}/report"' in body
    assert "12315" in body


def test_english_from_accept_language(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument(
        kind=InstrumentKind.PLATFORM_SCALE,
        max_capacity=Decimal("150000"),
        min_capacity=Decimal("1000"),
        e_value=Decimal("50"),
    )
    merchant = db.session.get(Merchant, instrument.merchant_id)
    assert merchant is not None and merchant.market is not None
    response = page(client, instrument.qr_token, **{"Accept-Language": "en-GB,en;q=0.9"})
    body = text(response)
    assert '<html lang="en">' in body
    assert response.headers["Content-Language"] == "en"
    assert "Platform scale" in body
    assert "Max 150 kg · Min 1 kg · e = 50 g" in untagged(body)
    assert "Honesty grade" in body and "Not yet published" in body
    assert merchant.market.name_en in body and merchant.market.name_zh not in body
    assert "Accept-Language" in response.headers["Vary"]


def test_the_toggle_is_a_link_and_overrides_the_browser(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    token = make_instrument().qr_token
    zh = page(client, token, **{"Accept-Language": "zh-CN"})
    assert 'href="?lang=en"' in text(zh)  # this page, in English
    en = client.get(f"/q/{token}?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in text(en)
    assert 'href="?lang=zh"' in text(en)
    # The explicit choice is carried on to the report form, and the URL alone decides.
    assert f'href="/q/{token}/report?lang=en"' in text(en)
    assert "Accept-Language" not in en.headers.get("Vary", "")
    back = client.get(f"/q/{token}?lang=zh", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in text(back)
    for response in (zh, en, back):
        no_cookie(response)


@pytest.mark.parametrize("lang", ["fr", "", "en-US", "<script>"])
def test_an_unknown_lang_parameter_falls_back_to_the_browser(
    client: FlaskClient, make_instrument: Callable[..., Instrument], lang: str
) -> None:
    token = make_instrument().qr_token
    response = client.get(
        f"/q/{token}", query_string={"lang": lang}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert '<html lang="en">' in text(response)
    assert "Accept-Language" in response.headers["Vary"]


def test_a_language_nobody_asked_for_gets_chinese(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    token = make_instrument().qr_token
    assert '<html lang="zh-CN">' in text(page(client, token, **{"Accept-Language": "de"}))
    assert '<html lang="zh-CN">' in text(page(client, token))


def test_a_signed_in_users_language_does_not_leak_in(
    client: FlaskClient, make_instrument: Callable[..., Instrument], login_as: Callable[..., User]
) -> None:
    login_as(Role.INSPECTOR, locale="en")
    token = make_instrument().qr_token
    response = page(client, token, **{"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in text(response)
    assert "csrf_token" not in text(response)


# ---------------------------------------------------------------- the last inspection


def test_the_latest_inspection_that_nobody_superseded(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> None:
    instrument = make_instrument()
    other = make_instrument()
    inspector = make_user(Role.INSPECTOR)
    day = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    add_inspection(instrument, inspector, day, Verdict.PASS)
    superseded = add_inspection(instrument, inspector, day + timedelta(days=20), Verdict.FAIL)
    # The correction of the newest record carries an earlier capture time: the superseded
    # record, although newest, is no longer the latest word.
    add_inspection(instrument, inspector, day + timedelta(days=10), Verdict.PASS, superseded)
    add_inspection(other, inspector, day + timedelta(days=30), Verdict.FAIL)
    body = text(page(client, instrument.qr_token, **{"Accept-Language": "en"}))
    assert "2026-09-11: passed" in body
    assert "2026-09-21" not in body and "2026-10-01" not in body


def test_the_inspection_date_is_the_shanghai_day(
    client: FlaskClient, make_instrument: Callable[..., Instrument], make_user: Callable[..., User]
) -> None:
    instrument = make_instrument()
    # 17:30 UTC on 3 Sept is 01:30 on 4 Sept in Hohhot.
    add_inspection(
        instrument,
        make_user(Role.INSPECTOR),
        datetime(2026, 9, 3, 17, 30, tzinfo=UTC),
        Verdict.FAIL,
    )
    body = text(page(client, instrument.qr_token, **{"Accept-Language": "zh"}))
    assert "2026-09-04: 不合格" in body


# ---------------------------------------------------------------- the traffic light


def _valid_until(days: int | None) -> date | None:
    return None if days is None else local_today() + timedelta(days=days)


@pytest.mark.parametrize(
    ("status", "days", "light", "zh", "en"),
    [
        ("in_service", 200, "green", "检定合格，可以使用", "Verified: may be used"),
        ("in_service", 31, "green", "检定合格，可以使用", "Verified: may be used"),
        ("in_service", 30, "amber", "检定即将到期", "Verification expires soon"),
        ("in_service", 0, "amber", "检定即将到期", "Verification expires soon"),
        ("in_service", -1, "red", "检定已过期", "Verification expired"),
        ("in_service", None, "red", "无检定记录", "No verification on record"),
        ("repair_order", 200, "red", "已责令修理", "Under a repair order"),
        ("condemned", 200, "red", "已判定禁用：请勿使用", "Condemned: do not use"),
        ("seized", 200, "red", "已判定禁用：请勿使用", "Condemned: do not use"),
    ],
)
def test_each_traffic_light_state(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    status: str,
    days: int | None,
    light: str,
    zh: str,
    en: str,
) -> None:
    fields: dict[str, Any] = {"status": InstrumentStatus(status), "valid_until": _valid_until(days)}
    if days is None:
        fields["verified_at"] = None
    elif days < 0:
        fields["verified_at"] = _valid_until(days - 365)
    token = make_instrument(**fields).qr_token
    zh_body = text(page(client, token, **{"Accept-Language": "zh"}))
    en_body = text(page(client, token, **{"Accept-Language": "en"}))
    assert f"light light-{light}" in zh_body and f"light light-{light}" in en_body
    assert zh in zh_body
    assert en in en_body
    if days is not None and status == "in_service":
        assert (local_today() + timedelta(days=days)).isoformat() in en_body


# ---------------------------------------------------------------- caching and cookies


def test_etag_and_a_short_public_cache(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    token = make_instrument().qr_token
    first = page(client, token, **{"Accept-Language": "zh"})
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = page(client, token, **{"Accept-Language": "zh"})
    assert again.headers["ETag"] == etag
    english = page(client, token, **{"Accept-Language": "en"})
    assert english.headers["ETag"] != etag


def test_a_conditional_request_gets_304_without_a_body(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    token = make_instrument().qr_token
    etag = page(client, token, **{"Accept-Language": "zh"}).headers["ETag"]
    response = page(client, token, **{"Accept-Language": "zh", "If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=60"
    no_cookie(response)
    weak = page(client, token, **{"Accept-Language": "zh", "If-None-Match": f'W/{etag}, "x"'})
    assert weak.status_code == 304
    # Another language's copy does not match.
    english = page(client, token, **{"Accept-Language": "en", "If-None-Match": etag})
    assert english.status_code == 200 and english.data


def test_a_change_changes_the_etag(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    etag = page(client, instrument.qr_token).headers["ETag"]
    instrument.status = InstrumentStatus.CONDEMNED
    db.session.commit()
    response = page(client, instrument.qr_token, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert "已判定禁用" in text(response)


def test_no_page_sets_a_cookie(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    db.session.add(RetiredQrToken(qr_token="R" * 32, instrument_id=instrument.id))
    db.session.commit()
    for path in (
        f"/q/{instrument.qr_token}",
        f"/q/{instrument.qr_token}?lang=en",
        "/q/" + "x" * 32,
        "/q/" + "R" * 32,
    ):
        response = client.get(path)
        assert response.status_code in (200, 404, 410), path
        no_cookie(response)
    assert client.get_cookie("session") is None


# ---------------------------------------------------------------- 404 and 410


@pytest.mark.parametrize(
    "token", ["A" * 32, "short", "x" * 65, "has.dot", "%E2%80%AEabc", "🙂" * 10]
)
def test_an_unknown_token_gets_a_friendly_404(client: FlaskClient, token: str) -> None:
    zh = client.get(f"/q/{token}", headers={"Accept-Language": "zh"})
    assert zh.status_code == 404
    assert "无法识别此标签" in text(zh) and "12315" in text(zh)
    assert "市场管理办公室" in text(zh)
    en = client.get(f"/q/{token}", headers={"Accept-Language": "en"})
    assert en.status_code == 404
    assert "Label not recognised" in text(en) and "12315" in text(en)
    for response in (zh, en):
        no_cookie(response)
        assert "csrf_token" not in text(response)


def test_a_replaced_label_gets_410_and_nothing_about_the_instrument(
    client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    instrument = make_instrument()
    merchant = db.session.get(Merchant, instrument.merchant_id)
    assert merchant is not None
    old = "old-label-token-0123456789abcdef"
    db.session.add(RetiredQrToken(qr_token=old, instrument_id=instrument.id))
    db.session.commit()
    for lang, words in (("zh", "此标签已被更换"), ("en", "This label was replaced")):
        response = client.get(f"/q/{old}", headers={"Accept-Language": lang})
        assert response.status_code == 410
        body = text(response)
        assert words in body
        for secret in (instrument.code, instrument.qr_token, merchant.name, str(merchant.stall_no)):
            assert secret not in body
        no_cookie(response)
    # The current label still works.
    assert page(client, instrument.qr_token).status_code == 200


def test_only_get_and_head(client: FlaskClient, make_instrument: Callable[..., Instrument]) -> None:
    token = make_instrument().qr_token
    assert client.head(f"/q/{token}").status_code == 200
    assert client.post(f"/q/{token}").status_code in (400, 405)


# ---------------------------------------------------------------- the page cache


def test_a_label_is_read_once_per_cache_period(
    app: Flask,
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 5
    now = [1000.0]
    monkeypatch.setattr(public_cache.time, "monotonic", lambda: now[0])
    instrument = make_instrument()
    assert "检定合格" in text(page(client, instrument.qr_token))
    instrument.status = InstrumentStatus.CONDEMNED
    db.session.commit()
    now[0] += 4.9  # within the period: the page as it was
    assert "检定合格" in text(page(client, instrument.qr_token))
    english = page(client, instrument.qr_token, **{"Accept-Language": "en"})
    assert "Condemned: do not use" in text(english)  # each language is its own entry
    now[0] += 0.2  # 5.1 s after the first read: read again
    assert "已判定禁用" in text(page(client, instrument.qr_token))


def test_the_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    cache = public_cache.TtlCache(size=2)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    for key in ("a", "b", "a", "c", "a", "b"):
        assert cache.get_or_make(key, 60, lambda key=key: make(key)) == key.upper()
    assert made == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
    assert cache.get_or_make("z", 0, lambda: make("z")) == "Z"
    assert cache.get_or_make("z", 0, lambda: make("z")) == "Z"
    assert made[-2:] == ["z", "z"]  # 0 s: never stored


# ---------------------------------------------------------------- rate limit


def test_a_flood_from_one_address_is_limited_politely(
    app: Flask, client: FlaskClient, make_instrument: Callable[..., Instrument]
) -> None:
    app.config["RATELIMIT_PUBLIC"] = "3 per minute"  # read at each request
    token = make_instrument().qr_token
    statuses = [page(client, token).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    for lang, words in (("zh", "请求过于频繁"), ("en", "Too many requests")):
        limited = page(client, token, **{"Accept-Language": lang})
        assert limited.status_code == 429
        assert words in text(limited)
        assert limited.headers["Cache-Control"] == "no-store"
        no_cookie(limited)
    # Another address is not affected.
    other = client.get(f"/q/{token}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_an_unreachable_limiter_storage_lets_the_page_through(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unreachable(*_args: Any) -> bool:
        raise ConnectionError("redis://127.0.0.1:6379 refused")

    monkeypatch.setattr(limiter.limiter, "hit", unreachable)
    token = make_instrument().qr_token
    assert page(client, token).status_code == 200
    assert "Rate-limit storage unreachable" in caplog.text
