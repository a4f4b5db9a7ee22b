"""``flask seed-demo``: a deterministic demo of two Hohhot districts.

Deterministic: one seeded random generator, so every run produces the same merchants,
instruments and history (dates are offsets from today, so "expired" stays meaningful).
The history of inspections is created through the real ingest service, so every stored
verdict and finding was computed by the metrology engine, not invented here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Inspection, Market, Merchant, Region, User
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import accounts, credit, demo_enforcement, demo_states, reference
from inspect_app.services import demo_data as data

SEED = 20261126


class DemoRefused(RuntimeError):
    """The database holds data that is not demo data; seeding would mix the two."""


@dataclass
class DemoResult:
    regions: int = 0
    markets: int = 0
    merchants: int = 0
    instruments: int = 0
    inspections: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    already_loaded: bool = False
    enforcement: demo_enforcement.EnforcementDemo | None = None

    def summary(self) -> str:
        if self.already_loaded:
            return "demo data already loaded; nothing changed"
        return (
            f"loaded {self.regions} regions, {self.markets} markets, {self.merchants} merchants, "
            f"{self.instruments} instruments, {self.inspections} inspections"
        )


DEMO_USERS = [
    # username, display name, role, region code
    ("admin", "系统管理员 Admin", Role.ADMIN, None),
    ("supervisor", "赵监督 Zhao (supervisor)", Role.SUPERVISOR, "XC"),
    ("inspector", "李检查 Li (inspector)", Role.INSPECTOR, "XC"),
    ("merchant", "王建国 Wang (merchant)", Role.MERCHANT, "XC"),
    ("supervisor-sh", "孙监督 Sun (supervisor)", Role.SUPERVISOR, "SH"),
    ("inspector-sh", "马检查 Ma (inspector)", Role.INSPECTOR, "SH"),
]


def _check_empty_or_demo() -> bool:
    """True when the demo is already loaded; raise when real data is present."""
    real_users = db.session.scalar(select(func.count(User.id)).where(User.is_demo.is_(False)))
    real_merchants = db.session.scalar(
        select(func.count(Merchant.id)).where(Merchant.is_demo.is_(False))
    )
    real_inspections = db.session.scalar(
        select(func.count(Inspection.id)).where(Inspection.is_demo.is_(False))
    )
    if real_users or real_merchants or real_inspections:
        raise DemoRefused(
            f"the database already holds real data ({real_users} users, {real_merchants} "
            f"merchants, {real_inspections} inspections); the demo only loads into an empty "
            "database"
        )
    return bool(db.session.scalar(select(func.count(User.id))))


def _person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def _verification(rng: random.Random, today: date, expired: bool) -> dict[str, object]:
    """Annual verification; ``expired`` puts valid_until 1-120 days in the past."""
    if expired:
        valid_until = today - timedelta(days=rng.randint(1, 120))
    else:
        valid_until = today + timedelta(days=rng.randint(15, 350))
    return {
        "verified_at": valid_until - timedelta(days=365),
        "valid_until": valid_until,
        "certificate_no": f"JD{valid_until.year}-{rng.randint(10000, 99999)}",
    }


class _Seeder:
    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.result = DemoResult()
        self.regions: dict[str, Region] = {}
        self.markets: dict[str, Market] = {}
        self.counters: dict[str, int] = {}
        self.prefix: dict[str, str] = {}

    def places(self) -> None:
        for code, name_zh, name_en, prefix in data.REGIONS:
            region = Region(code=code, name_zh=name_zh, name_en=name_en)
            db.session.add(region)
            self.regions[code] = region
            self.prefix[code] = prefix
        db.session.flush()
        for region_code, code, zh, en, lat, lon, radius in data.MARKETS:
            self.markets[code] = reference.add_market(
                None,
                region_id=self.regions[region_code].id,
                code=code,
                name_zh=zh,
                name_en=en,
                lat=lat,
                lon=lon,
                geofence_radius_m=radius,
            )
        self.result.regions = len(self.regions)
        self.result.markets = len(self.markets)

    def _instrument_code(self, region_code: str) -> str:
        self.counters[region_code] = self.counters.get(region_code, 0) + 1
        return f"{self.prefix[region_code]}-{self.counters[region_code]:06d}"

    def _merchant(self, region_code: str, market: Market | None, **fields: object) -> Merchant:
        rng = self.rng
        lat = fields.pop("lat", None)
        lon = fields.pop("lon", None)
        if lat is None and market is not None:
            # Somewhere inside the market, so on-site geotags land within the geofence.
            lat = round(market.lat + rng.uniform(-0.0006, 0.0006), 6)
            lon = round(market.lon + rng.uniform(-0.0006, 0.0006), 6)
        self.result.merchants += 1
        return reference.add_merchant(
            None,
            region_id=self.regions[region_code].id,
            market_id=market.id if market else None,
            lat=lat,
            lon=lon,
            contact_name=_person(rng),
            contact_phone=_phone(rng),
            is_demo=True,
            **fields,
        )

    def _scale(self, region_code: str, merchant: Merchant, template: tuple[object, ...]) -> None:
        kind, make, model, cls, max_g, min_g, e, d = template
        expired = self.rng.random() < 0.12
        reference.add_instrument(
            None,
            merchant,
            code=self._instrument_code(region_code),
            kind=InstrumentKind(str(kind)),
            make=str(make),
            model=str(model),
            serial=f"{self.rng.randint(10**7, 10**8 - 1)}",
            accuracy_class=str(cls),
            max_capacity=Decimal(str(max_g)),
            min_capacity=Decimal(str(min_g)),
            e_value=Decimal(str(e)),
            d_value=Decimal(str(d)),
            verifying_body=data.VERIFYING_BODIES[region_code],
            **_verification(self.rng, self.today, expired),
        )
        self.result.instruments += 1

    def stalls(self) -> None:
        rng = self.rng
        for market_code, market in self.markets.items():
            region_code = market_code.split("-")[0]
            for n in range(7):
                trade = data.STALL_TRADES[(n + len(market_code)) % len(data.STALL_TRADES)]
                merchant = self._merchant(
                    region_code,
                    market,
                    kind=MerchantKind.STALL,
                    name=f"{_person(rng)}{trade}摊",
                    stall_no=f"{chr(65 + n // 4)}-{n % 4 + 1:02d}",
                )
                for _ in range(rng.choice((2, 2, 3, 3, 3))):
                    self._scale(region_code, merchant, rng.choice(data.SCALE_TEMPLATES[:4]))
                if trade in ("粮油", "牛羊肉"):
                    self._scale(region_code, merchant, data.SCALE_TEMPLATES[4])
                elif rng.random() < 0.2:
                    self._scale(region_code, merchant, data.SCALE_TEMPLATES[5])

    def optical_shops(self) -> None:
        for region_code, name, lat, lon in data.OPTICAL_SHOPS:
            merchant = self._merchant(
                region_code,
                None,
                kind=MerchantKind.OPTICAL_SHOP,
                name=name,
                lat=lat,
                lon=lon,
                uscc=f"91150{self.rng.randint(10**12, 10**13 - 1)}",
            )
            for kind, make, model in data.OPTICAL_TEMPLATES:
                reference.add_instrument(
                    None,
                    merchant,
                    code=self._instrument_code(region_code),
                    kind=InstrumentKind(kind),
                    make=make,
                    model=model,
                    serial=f"{self.rng.randint(10**6, 10**7 - 1)}",
                    verifying_body=data.VERIFYING_BODIES[region_code],
                    **_verification(self.rng, self.today, self.rng.random() < 0.15),
                )
                self.result.instruments += 1

    def groceries(self) -> None:
        for region_code, market_code, name in data.GROCERIES:
            market = self.markets[market_code] if market_code else None
            extra: dict[str, object] = {}
            if market is None:
                base = data.MARKETS[0 if region_code == "XC" else 3]
                extra = {
                    "lat": round(base[4] + self.rng.uniform(-0.01, 0.01), 6),
                    "lon": round(base[5] + self.rng.uniform(-0.01, 0.01), 6),
                }
            merchant = self._merchant(
                region_code,
                market,
                kind=MerchantKind.GROCERY,
                name=name,
                uscc=f"92150{self.rng.randint(10**12, 10**13 - 1)}",
                **extra,
            )
            self._scale(region_code, merchant, data.SCALE_TEMPLATES[0])

    def users(self) -> None:
        first_xc_stall = db.session.scalar(
            select(Merchant)
            .where(Merchant.region_id == self.regions["XC"].id, Merchant.kind == "stall")
            .order_by(Merchant.id)
            .limit(1)
        )
        assert first_xc_stall is not None
        for username, display, role, region_code in DEMO_USERS:
            password = f"{username}-demo"
            db.session.add(
                User(
                    username=username,
                    display_name=display,
                    role=role,
                    region_id=(
                        self.regions[region_code].id
                        if region_code and role != Role.MERCHANT
                        else None
                    ),
                    merchant_id=first_xc_stall.id if role == Role.MERCHANT else None,
                    password_hash=accounts.hash_password(password),
                    is_demo=True,
                )
            )
            self.result.logins.append((username, password))
        db.session.flush()


def seed(
    today: date | None = None,
    with_history: bool = True,
    attachments_root: Path | None = None,
) -> DemoResult:
    """Load the demo into an empty database (flushes; the caller commits).

    :param with_history: also create a few months of inspections through the ingest service,
        and (with ``attachments_root``, where evidence files go) the enforcement story on top:
        reviews, orders in every state, alerts handled, evidence, a reply and a commitment.
    :raises DemoRefused: when the database holds any non-demo user, merchant or inspection.
    """
    if _check_empty_or_demo():
        return DemoResult(
            already_loaded=True,
            logins=[(u, f"{u}-demo") for u, *_ in DEMO_USERS],
        )
    seeder = _Seeder(today or date.today())
    seeder.places()
    seeder.stalls()
    seeder.optical_shops()
    seeder.groceries()
    seeder.users()
    if with_history:
        from inspect_app.services.demo_history import create_history

        seeder.result.inspections = create_history(seeder.rng, seeder.today)
    demo_states.spread_states(seeder.today)
    demo_states.add_reports(utcnow())
    if with_history and attachments_root is not None:
        story = demo_enforcement.enact(seeder.today, utcnow(), attachments_root)
        seeder.result.enforcement = story
    # Every merchant's grade, as the nightly job would leave it.
    credit.recompute_all(seeder.today, "demo", utcnow())
    return seeder.result
