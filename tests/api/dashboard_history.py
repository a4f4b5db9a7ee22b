"""A small, mixed history in two districts for the dashboard and export tests.

District A (the users' own): two markets, a stall in each and a shop in no market; district
B: one stall. About eighty inspections from December 2025 to March 2026 of all three forms,
with and without geotags, findings of every severity, a few corrected, and two on either side
of a local midnight (2026-01-31 23:59:59 and 2026-02-01 00:00 in Asia/Shanghai).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from inspect_app.extensions import db
from inspect_app.models import Inspection, Market, Merchant, Region, User
from inspect_app.models.user import Role
from tests.services.rollup_helpers import CODES, store

FORMS = ("bazaar_scale", "prepackaged_goods", "optical_shop")
LAST_OF_JANUARY = datetime(2026, 1, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
FIRST_OF_FEBRUARY = datetime(2026, 1, 31, 16, 0, 0, tzinfo=UTC)  # 00:00:00 in Shanghai


@dataclass
class History:
    region: Region
    far: Region
    markets: list[Market]
    far_market: Market
    merchants: list[Merchant]
    far_merchant: Merchant
    inspections: list[Inspection]
    superseded: list[Inspection]
    supervisor: User
    far_supervisor: User
    admin: User


@pytest.fixture(name="history")
def history_fixture(
    region: Region,
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_user: Callable[..., User],
) -> History:
    far = make_region()
    markets = [make_market(), make_market()]
    far_market = make_market(region_id=far.id, lat=40.2, lon=111.1)
    merchants = [
        make_merchant(market_id=markets[0].id),
        make_merchant(market_id=markets[1].id, name='=HYPERLINK("http://x")'),
        make_merchant(region_id=region.id, market_id=None, lat=40.85, lon=111.68),
    ]
    far_merchant = make_merchant(region_id=far.id, market_id=far_market.id)
    inspector = make_user(Role.INSPECTOR)
    far_inspector = make_user(Role.INSPECTOR, region_id=far.id)
    rng = random.Random(12)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    inspections, superseded = [], []
    for n in range(80):
        merchant = rng.choice([*merchants, far_merchant])
        who = far_inspector if merchant is far_merchant else inspector
        moment = start + timedelta(minutes=rng.randint(0, 60 * 24 * 120))
        codes = rng.sample(sorted(CODES), rng.choice((0, 0, 0, 1, 1, 2)))
        inspection = store(
            who, merchant, moment, form_key=FORMS[n % 3], codes=codes, located=rng.random() < 0.8
        )
        if n % 11 == 5:
            superseded.append(inspection)
            inspection = store(
                who,
                merchant,
                moment + timedelta(hours=rng.choice((1, 30))),
                form_key=inspection.form_key,
                codes=codes[:1],
                supersedes=inspection,
            )
        inspections.append(inspection)
    for moment in (LAST_OF_JANUARY, FIRST_OF_FEBRUARY):
        inspections.append(store(inspector, merchants[0], moment, codes=["SCALE_NOT_LEVEL"]))
    db.session.commit()
    return History(
        region,
        far,
        markets,
        far_market,
        merchants,
        far_merchant,
        inspections,
        superseded,
        make_user(Role.SUPERVISOR),
        make_user(Role.SUPERVISOR, region_id=far.id),
        make_user(Role.ADMIN),
    )
