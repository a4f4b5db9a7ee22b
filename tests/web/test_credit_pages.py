"""Where people see the honesty grade: the QR page, what the grades mean, the merchant's
breakdown and the district's distribution."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from inspect_app.domain.traffic_light import LOCAL_ZONE, local_today
from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.user import Role
from inspect_app.services import credit
from tests.services.credit_factories import add_inspection

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def inspector(make_user: Callable[..., User]) -> User:
    return make_user(Role.INSPECTOR)


# ---------------------------------------------------------------- the public page


def test_the_qr_page_shows_the_grade_its_score_date_and_meaning(
    client: FlaskClient, make_instrument: Callable[..., Instrument], inspector: User
) -> None:
    scale = make_instrument()
    merchant = db.session.get(Merchant, scale.merchant_id)
    assert merchant is not None
    today = local_today()
    add_inspection(merchant, inspector, today - timedelta(days=200))
    add_inspection(merchant, inspector, today - timedelta(days=40), "SCALE_OUT_OF_TOLERANCE")
    computed = datetime.now(UTC)
    credit.recompute(merchant.id, today, "review", computed)
    db.session.commit()
    body = client.get(f"/q/{scale.qr_token}?lang=en").get_data(as_text=True)
    letter = re.search(r'data-testid="grade-letter">([A-DP])<', body)
    assert letter and letter.group(1) == "B"
    text = words(body)
    found = (today - timedelta(days=40)).isoformat()
    assert "Score 93.1 of 100" in text
    assert f"Worked out on {computed.astimezone(LOCAL_ZONE).date()}" in text
    found = (today - timedelta(days=40)).isoformat()
    lifts = (today - timedelta(days=40) + timedelta(days=183)).isoformat()
    assert (
        "Error beyond the in-service maximum permissible error (incl. eccentricity, "
        f"repeatability), found {found}; the cap lifts on {lifts}." in text
    )
    assert 'href="/grades?lang=en"' in body and "What the grades mean" in text
    zh = words(client.get(f"/q/{scale.qr_token}?lang=zh").get_data(as_text=True))
    assert "诚信等级" in zh and "93.1" in zh and "等级说明" in zh


def test_a_provisional_grade_says_not_enough_inspections_yet(
    client: FlaskClient, make_instrument: Callable[..., Instrument], inspector: User
) -> None:
    scale = make_instrument()
    merchant = db.session.get(Merchant, scale.merchant_id)
    assert merchant is not None
    add_inspection(merchant, inspector, local_today() - timedelta(days=3))
    credit.recompute(merchant.id, local_today(), "review", datetime.now(UTC))
    db.session.commit()
    text = words(client.get(f"/q/{scale.qr_token}?lang=en").get_data(as_text=True))
    assert "P Not enough inspections yet Score 100.0 of 100" in text
    zh = words(client.get(f"/q/{scale.qr_token}?lang=zh").get_data(as_text=True))
    assert "检查次数尚不足" in zh


def test_a_new_grade_changes_the_etag(
    client: FlaskClient, make_instrument: Callable[..., Instrument], inspector: User
) -> None:
    client.application.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    scale = make_instrument()
    merchant = db.session.get(Merchant, scale.merchant_id)
    assert merchant is not None
    before = client.get(f"/q/{scale.qr_token}")
    assert "尚未公布" in before.get_data(as_text=True)
    add_inspection(merchant, inspector, local_today() - timedelta(days=3))
    credit.recompute(merchant.id, local_today(), "review", datetime.now(UTC))
    db.session.commit()
    after = client.get(f"/q/{scale.qr_token}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_what_the_grades_mean_in_both_languages_without_a_cookie(client: FlaskClient) -> None:
    en = client.get("/grades", headers={"Accept-Language": "en"})
    assert en.status_code == 200 and "Set-Cookie" not in en.headers
    assert en.headers["Cache-Control"] == "public, max-age=3600"
    assert "Accept-Language" in en.headers["Vary"]
    text = words(en.get_data(as_text=True))
    for phrase in (
        "Score 90 or more.",
        "Score 75 to under 90.",
        "Score 60 to under 75.",
        "Score under 60, or cheating found in the last 12 months.",
        "Not enough inspections yet: fewer than 2 in the last 3 years.",
        "grade D for 12 months.",
        "at best C for 36 months.",
        "at best B for 6 months.",
        "Complaints from shoppers never change the grade",
    ):
        assert phrase in text, phrase
    zh = client.get("/grades?lang=zh")
    assert zh.headers["Content-Language"] == "zh-CN"
    assert "Accept-Language" not in zh.headers.get("Vary", "")
    assert "投诉" in zh.get_data(as_text=True)


# ---------------------------------------------------------------- the merchant's breakdown


def test_the_merchant_sees_each_counted_inspection_the_caps_and_what_would_raise_it(
    client: FlaskClient,
    make_merchant: Callable[..., Merchant],
    login_as: Callable[..., User],
    inspector: User,
) -> None:
    merchant = make_merchant()
    add_inspection(merchant, inspector, date(2026, 1, 10), "SCALE_NON_LEGAL_UNIT")
    add_inspection(merchant, inspector, date(2026, 10, 1), "SCALE_OUT_OF_TOLERANCE")
    credit.recompute(merchant.id, TODAY, "review", NOW)
    login_as(Role.MERCHANT, merchant_id=merchant.id, locale="en")
    response = client.get(f"/merchants/{merchant.id}/credit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = words(html)
    assert "Score 90.3 of 100" in text and "Worked out on 2026-11-30 (rule v1)" in text
    counted = words(html.split('data-testid="counted"')[1].split("</table>")[0])
    assert "2026-10-01 88.0 0.89 2.0" in counted and "2026-01-10 94.0 0.54 10.6" in counted
    assert "(S3): 12 × extent 1.00 × repeat 1.0 × correction 1.0 = −12.00" in counted
    caps = words(html.split('data-testid="caps"')[1].split("</table>")[0])
    assert "2026-10-01 B 2027-04-02 yes" in caps
    advice = words(html.split('data-testid="credit-advice"')[1].split("</ul>")[0])
    assert "No new S3 finding until 2027-04-02" in advice
    assert "the grade would be A" in advice
    assert (
        "A passing inspection now (no finding) would add weight: the score would be 94.3" in advice
    )


def test_staff_of_another_district_do_not_see_the_breakdown(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    login_as: Callable[..., User],
) -> None:
    merchant = make_merchant()
    login_as(Role.SUPERVISOR, region_id=make_region().id)
    assert client.get(f"/merchants/{merchant.id}/credit").status_code == 404


def test_without_a_snapshot_the_page_says_it_is_not_yet_published(
    client: FlaskClient,
    make_merchant: Callable[..., Merchant],
    login_as: Callable[..., User],
) -> None:
    merchant = make_merchant()
    login_as(Role.SUPERVISOR, locale="en")
    text = words(client.get(f"/merchants/{merchant.id}/credit").get_data(as_text=True))
    assert "Not enough inspections yet" in text
    assert "published with the next daily update" in text
    assert "Inspections still needed for a grade: 2." in text


# ---------------------------------------------------------------- the district


def test_the_district_distribution_now_and_by_month_and_the_filter(
    client: FlaskClient,
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    login_as: Callable[..., User],
    inspector: User,
) -> None:
    today = local_today()
    good, capped, new = make_merchant(name="好商户"), make_merchant(name="限级"), make_merchant()
    far = make_merchant(region_id=make_region().id)
    for merchant in (good, capped, far):
        add_inspection(merchant, inspector, today - timedelta(days=400))
    add_inspection(good, inspector, today - timedelta(days=100))
    add_inspection(capped, inspector, today - timedelta(days=100), "SCALE_CHEATING_DEVICE")
    month_ago = today - timedelta(days=35)
    for merchant in (good, capped, far):  # a month ago: A and D here, the far one elsewhere
        credit.recompute(merchant.id, month_ago, "daily", NOW)
    credit.recompute_all(today, "daily", NOW)
    login_as(Role.SUPERVISOR, locale="en")
    html = client.get("/supervisor/grades").get_data(as_text=True)
    now = words(html.split('data-testid="grades-now"')[1].split("</table>")[0])
    assert "A 1 " in now and "D 1 " in now and "Not worked out yet 0" in now
    months = html.split('data-testid="grades-monthly"')[1].split("</table>")[0]
    last = re.search(rf'data-month="{today:%Y-%m}">(.*?)</tr>', months, re.S)
    assert last and words(last.group(1)).split() == [f"{today:%Y-%m}", "1", "0", "0", "1", "1", "3"]
    earlier = re.search(rf'data-month="{month_ago:%Y-%m}">(.*?)</tr>', months, re.S)
    assert earlier and words(earlier.group(1)).split()[1:] == ["1", "0", "0", "1", "0", "2"]
    assert new.id  # graded P by recompute_all, never before
    listed = client.get("/supervisor/grades?grade=D").get_data(as_text=True)
    table = listed.split('data-testid="grade-merchants"')[1]
    assert f'data-merchant="{capped.id}"' in table and f'data-merchant="{good.id}"' not in table
    assert client.get("/supervisor/grades?grade=E").status_code == 422
    assert client.get("/supervisor/grades?grade=&page=1").status_code == 200
