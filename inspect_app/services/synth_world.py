"""The places, merchants, instruments and people of the synthetic history.

Three districts of Hohhot (回民区, 玉泉区, 托克托县: real names, fictional data), twelve markets
each with a location and a geofence, merchants of every kind (stalls in the markets, groceries
in and out of them, optical shops and packers on the streets), their instruments (scales of the
common models, the three instruments of an optical shop) with annual verifications of which
about one in eight has lapsed, and per district a supervisor ``synth-sup-<code>`` and
inspectors ``synth-insp-<code>`` (``-2``, ``-3``), plus ``synth-admin``; every password is
``<username>-demo``. Rows are written with Core bulk inserts, each with its change-log entry so
a tablet signed in as a synthetic inspector pulls them like any other reference data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from inspect_app.extensions import db
from inspect_app.models import ChangeLogEntry, Instrument, Market, Merchant, Region, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.services import accounts, demo_data
from inspect_app.services.rollups import table_of
from inspect_app.services.synth_templates import OPTICAL_KINDS

DISTRICTS = [
    # code, name_zh, name_en, centre lat, lon
    ("HM", "回民区", "Huimin District", 40.8230, 111.6110),
    ("YQ", "玉泉区", "Yuquan District", 40.7760, 111.6550),
    ("TK", "托克托县", "Togtoh County", 40.2770, 111.1940),
]
STREETS = [
    ("中山西路", "Zhongshan West Road"),
    ("通道街", "Tongdao Street"),
    ("海西路", "Haixi Road"),
    ("石羊桥路", "Shiyangqiao Road"),
    ("大南街", "Danan Street"),
    ("小召前街", "Xiaozhao Front Street"),
    ("鄂尔多斯大街", "Ordos Street"),
    ("昭君路", "Zhaojun Road"),
    ("南二环", "South 2nd Ring"),
    ("锡林南路", "Xilin South Road"),
    ("工农兵路", "Gongnongbing Road"),
    ("兴盛街", "Xingsheng Street"),
]
MARKETS_PER_DISTRICT = 12
INSPECTORS_PER_DISTRICT = 3
#: Merchant kinds and their shares.
KINDS = [
    (MerchantKind.STALL, 0.68),
    (MerchantKind.GROCERY, 0.14),
    (MerchantKind.OPTICAL_SHOP, 0.08),
    (MerchantKind.PACKER, 0.10),
]
#: About this many inspections per merchant over the history.
INSPECTIONS_PER_MERCHANT = 30


@dataclass
class MerchantInfo:
    """What the generator needs to know about one merchant."""

    id: int
    region_id: int
    market_id: int | None
    kind: MerchantKind
    #: Geofence reference: market centre and radius, or the merchant's own location.
    ref: tuple[float, float, float] | None
    #: (instrument id, code, scale model index or optical slot).
    instruments: list[tuple[int, str, int]] = field(default_factory=list)


@dataclass
class World:
    merchants: list[MerchantInfo]
    inspectors: dict[int, list[int]]
    region_codes: dict[int, str]


def _bulk(model: Any, rows: list[dict[str, Any]], entity: str | None = None) -> list[int]:
    """Insert ``rows`` (their ``region`` key is for the change log); returns the new ids in
    order, and logs each row for pull when ``entity`` is given."""
    if not rows:
        return []
    table = model.__table__
    result = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [{k: v for k, v in row.items() if k != "region"} for row in rows],
    )
    ids = [row[0] for row in result]
    if entity is not None:
        db.session.execute(
            insert(table_of(ChangeLogEntry)),
            [
                {"entity": entity, "entity_id": i, "op": ChangeOp.UPSERT, "region_id": r["region"]}
                for i, r in zip(ids, rows, strict=True)
            ],
        )
    return ids


def _verification(rng: random.Random, today: date) -> dict[str, Any]:
    valid_until = today + timedelta(days=rng.randint(-150, 360))
    lapsed = valid_until < today
    return {
        "verified_at": valid_until - timedelta(days=365),
        "valid_until": valid_until,
        "certificate_no": f"JD{valid_until.year}-{rng.randint(10000, 99999)}",
        "verifying_body": "呼和浩特市计量测试所",
        "status": InstrumentStatus.VERIFICATION_EXPIRED if lapsed else InstrumentStatus.IN_SERVICE,
    }


def create(rng: random.Random, inspections: int, today: date) -> list[tuple[str, str]]:
    """Write the world (flushes nothing else); returns the (username, password) logins."""
    regions = _bulk(
        Region,
        [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en, _lat, _lon in DISTRICTS],
    )
    market_rows, market_ref = [], []
    for region_id, (code, _zh, _en, lat, lon) in zip(regions, DISTRICTS, strict=True):
        for n, (street_zh, street_en) in enumerate(STREETS[:MARKETS_PER_DISTRICT]):
            m_lat, m_lon = lat + rng.uniform(-0.03, 0.03), lon + rng.uniform(-0.04, 0.04)
            radius = rng.choice((100, 120, 150, 150, 200, 250))
            market_rows.append(
                {
                    "region_id": region_id,
                    "region": region_id,
                    "code": f"{code}-M{n + 1:02d}",
                    "name_zh": f"{street_zh}{'农贸市场' if n % 3 else '集贸市场'}",
                    "name_en": f"{street_en} {'Farmers Market' if n % 3 else 'Bazaar'}",
                    "lat": round(m_lat, 6),
                    "lon": round(m_lon, 6),
                    "geofence_radius_m": radius,
                }
            )
            market_ref.append((region_id, round(m_lat, 6), round(m_lon, 6)))
    markets = _bulk(Market, market_rows, "market")
    merchants = max(len(regions) * len(KINDS) * 4, inspections // INSPECTIONS_PER_MERCHANT)
    _merchants(rng, merchants, regions, list(zip(markets, market_ref, strict=True)), today)
    return _users(regions)


def _merchants(
    rng: random.Random,
    count: int,
    regions: list[int],
    markets: list[tuple[int, tuple[int, float, float]]],
    today: date,
) -> None:
    kinds = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS], k=count)
    rows: list[dict[str, Any]] = []
    for n, kind in enumerate(kinds):
        region_id = regions[n % len(regions)]
        local = [m for m in markets if m[1][0] == region_id]
        in_market = kind == MerchantKind.STALL or (
            kind == MerchantKind.GROCERY and rng.random() < 0.5
        )
        market_id, (_r, lat, lon) = rng.choice(local)
        person = rng.choice(demo_data.SURNAMES) + rng.choice(demo_data.GIVEN)
        names = {
            MerchantKind.STALL: f"{person}{rng.choice(demo_data.STALL_TRADES)}摊",
            MerchantKind.GROCERY: f"{person}便民超市",
            MerchantKind.OPTICAL_SHOP: f"{rng.choice(('明亮', '精视', '视佳', '博士'))}眼镜{n}号店",
            MerchantKind.PACKER: f"{rng.choice(('塞外', '草原', '青城'))}粮油食品厂{n}",
        }
        rows.append(
            {
                "region_id": region_id,
                "region": region_id,
                "kind": kind,
                "name": names[kind],
                "market_id": market_id if in_market else None,
                "stall_no": f"{chr(65 + n % 6)}-{n:05d}" if in_market else None,
                "lat": round(lat + rng.uniform(-0.02, 0.02), 6),
                "lon": round(lon + rng.uniform(-0.02, 0.02), 6),
                "contact_name": person,
                "contact_phone": f"13{rng.randint(100000000, 999999999)}",
                "is_demo": True,
            }
        )
    ids = _bulk(Merchant, rows, "merchant")
    codes: dict[int, str] = {
        r.id: r.code for r in db.session.execute(select(Region.id, Region.code))
    }
    instruments: list[dict[str, Any]] = []
    for merchant_id, row in zip(ids, rows, strict=True):
        for spec in _instrument_specs(rng, MerchantKind(row["kind"])):
            instruments.append(
                {
                    **spec,
                    "merchant_id": merchant_id,
                    "region": row["region"],
                    "code": f"SY-{codes[int(row['region'])]}-{len(instruments) + 1:07d}",
                    "serial": str(rng.randint(10**7, 10**8 - 1)),
                    **_verification(rng, today),
                }
            )
    _bulk(Instrument, instruments, "instrument")


def _instrument_specs(rng: random.Random, kind: MerchantKind) -> list[dict[str, Any]]:
    """Instruments of a merchant: the optical shop's three, or scales of common models."""
    if kind == MerchantKind.OPTICAL_SHOP:
        none = dict.fromkeys(
            ("accuracy_class", "max_capacity", "min_capacity", "e_value", "d_value")
        )
        return [
            {"kind": k, "make": mk, "model": md, **none}
            for k, mk, md in demo_data.OPTICAL_TEMPLATES
        ]
    if kind == MerchantKind.PACKER:
        models = [demo_data.SCALE_TEMPLATES[4]]
    else:
        count = rng.choice((1, 2, 2, 3)) if kind == MerchantKind.STALL else 1
        models = [rng.choice(demo_data.SCALE_TEMPLATES[:4]) for _ in range(count)]
    return [
        {
            "kind": m[0],
            "make": m[1],
            "model": m[2],
            "accuracy_class": m[3],
            "max_capacity": Decimal(m[4]),
            "min_capacity": Decimal(m[5]),
            "e_value": Decimal(m[6]),
            "d_value": Decimal(m[7]),
        }
        for m in models
    ]


def _users(regions: list[int]) -> list[tuple[str, str]]:
    codes = [d[0] for d in DISTRICTS]
    people: list[tuple[str, Role, int | None]] = [("synth-admin", Role.ADMIN, None)]
    for region_id, code in zip(regions, codes, strict=True):
        people.append((f"synth-sup-{code}", Role.SUPERVISOR, region_id))
        people.append((f"synth-insp-{code}", Role.INSPECTOR, region_id))
        people += [
            (f"synth-insp-{code}-{n}", Role.INSPECTOR, region_id)
            for n in range(2, INSPECTORS_PER_DISTRICT + 1)
        ]
    logins = []
    for username, role, home in people:
        password = f"{username}-demo"
        db.session.add(
            User(
                username=username,
                display_name=username,
                role=role,
                region_id=home,
                password_hash=accounts.hash_password(password),
                is_demo=True,
            )
        )
        logins.append((username, password))
    db.session.flush()
    return logins


def load() -> World:
    """The stored world, as the generator needs it (a fresh one or one to append to)."""
    markets = {
        m.id: (m.lat, m.lon, float(m.geofence_radius_m))
        for m in db.session.execute(
            select(Market.id, Market.lat, Market.lon, Market.geofence_radius_m)
        )
    }
    merchants: dict[int, MerchantInfo] = {}
    for m in db.session.execute(
        select(
            Merchant.id,
            Merchant.region_id,
            Merchant.market_id,
            Merchant.kind,
            Merchant.lat,
            Merchant.lon,
        ).order_by(Merchant.id)
    ):
        own = (m.lat, m.lon, 100.0) if m.lat is not None else None
        ref = markets[m.market_id] if m.market_id is not None else own
        merchants[m.id] = MerchantInfo(m.id, m.region_id, m.market_id, m.kind, ref)
    models = {(t[1], t[2]): n for n, t in enumerate(demo_data.SCALE_TEMPLATES)}
    for i in db.session.execute(
        select(
            Instrument.id,
            Instrument.code,
            Instrument.merchant_id,
            Instrument.kind,
            Instrument.make,
            Instrument.model,
        ).order_by(Instrument.id)
    ):
        slot = (
            OPTICAL_KINDS.index(i.kind.value)
            if i.kind.value in OPTICAL_KINDS
            else models.get((i.make, i.model), 0)
        )
        merchants[i.merchant_id].instruments.append((i.id, i.code, slot))
    inspectors: dict[int, list[int]] = {}
    for user_id, region_id in db.session.execute(
        select(User.id, User.region_id).where(User.role == Role.INSPECTOR).order_by(User.id)
    ):
        if region_id is not None:
            inspectors.setdefault(region_id, []).append(user_id)
    codes: dict[int, str] = {
        r.id: r.code for r in db.session.execute(select(Region.id, Region.code))
    }
    return World(list(merchants.values()), inspectors, codes)
