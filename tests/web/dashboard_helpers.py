"""A district's history for the dashboard pages' tests: two districts, markets, merchants with
instruments and grades, and inspections with findings over the last weeks, some corrected.

Rows are written as ingest leaves them and counted into the rollups through
``rollups.after_ingest`` (the entry point ingest calls), so the tiles read the same numbers
the lists show. :class:`History` keeps every row in Python, so a test can count what a list
must show without the SQL under test.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from inspect_app.extensions import db
from inspect_app.models import (
    CreditSnapshot,
    Finding,
    Inspection,
    Instrument,
    Market,
    Merchant,
    MerchantGrade,
    Region,
    User,
)
from inspect_app.models.inspection import FindingDomain, GeotagStatus, ReviewState, Verdict
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.services import rollups

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODES = {
    "SCALE_CHEATING_DEVICE": 4,
    "SCALE_OUT_OF_TOLERANCE": 3,
    "SCALE_NON_LEGAL_UNIT": 2,
    "SCALE_NO_VERIFICATION_MARK": 1,
}
FORMS = ("bazaar_scale", "prepackaged_goods")


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


@dataclass
class History:
    region: Region
    far: Region
    markets: list[Market]
    far_market: Market
    merchants: list[Merchant]
    far_merchants: list[Merchant]
    instruments: list[Instrument]
    grades: dict[int, str]
    inspections: list[Inspection] = field(default_factory=list)
    #: Inspections some correction supersedes (never counted).
    superseded: set[int] = field(default_factory=set)

    def current(self, region: Region | None = None) -> list[Inspection]:
        wanted = (region or self.region).id
        regions = {m.id: m.region_id for m in self.merchants + self.far_merchants}
        return [
            i
            for i in self.inspections
            if i.id not in self.superseded and regions[i.merchant_id] == wanted
        ]

    def in_days(self, start: date, end: date, region: Region | None = None) -> list[Inspection]:
        return [
            i
            for i in self.current(region)
            if start <= i.captured_at.astimezone(SHANGHAI).date() <= end
        ]


def _inspection(
    merchant: Merchant,
    inspector: User,
    captured: datetime,
    form_key: str,
    codes: list[str],
    located: bool,
    supersedes: Inspection | None = None,
    near: tuple[float, float] = (40.8561, 111.6841),
) -> Inspection:
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key=form_key,
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=merchant.id,
        captured_at=captured,
        received_at=captured + timedelta(minutes=3),
        lat=near[0] + 0.0004 if located else None,
        lon=near[1] - 0.0003 if located else None,
        accuracy_m=8.0 if located else None,
        geotag_status=GeotagStatus.OK if located else GeotagStatus.MISSING,
        answers={},
        content_sha256="0" * 64,
        evaluation={"pack": {"id": "cn", "version": "2026.1"}, "checks": [], "findings": []},
        verdict=Verdict.FAIL if any(CODES[c] >= 2 for c in codes) else Verdict.PASS,
        review_state=ReviewState.RECEIVED,
        supersedes_id=supersedes.id if supersedes else None,
    )
    for code in codes:
        inspection.findings.append(
            Finding(
                merchant_id=merchant.id,
                code=code,
                domain=FindingDomain.INSTR,
                severity=CODES[code],
                extent=1,
                evidence={},
            )
        )
    db.session.add(inspection)
    return inspection


def _grade(merchant: Merchant, letter: str) -> None:
    snapshot = CreditSnapshot(
        merchant_id=merchant.id,
        as_of=today(),
        rule_version="test",
        score=None if letter == "P" else Decimal("80.0"),
        grade=letter,
        reasons=[],
        inputs={},
        trigger="test",
    )
    db.session.add(snapshot)
    db.session.flush()
    db.session.add(
        MerchantGrade(
            merchant_id=merchant.id,
            snapshot_id=snapshot.id,
            region_id=merchant.region_id,
            grade=letter,
            score=snapshot.score,
            computed_at=utcnow(),
        )
    )


def build(
    region: Region,
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
    *,
    per_merchant: int = 6,
    days: int = 70,
    seed: int = 7,
) -> History:
    """The history (see the module docstring); ``per_merchant`` inspections each."""
    rng = random.Random(seed)
    far = make_region()
    markets = [make_market(lat=40.80 + 0.02 * n, lon=111.60 + 0.03 * (n % 2)) for n in range(3)]
    far_market = make_market(region_id=far.id, lat=40.2, lon=111.2)
    merchants = [
        make_merchant(market_id=m.id, name=f"摊位{m.code}-{k}") for m in markets for k in range(2)
    ]
    merchants.append(make_merchant(region_id=region.id, market_id=None, name="街边粮油店"))
    far_merchants = [make_merchant(region_id=far.id, market_id=far_market.id, name="远方摊位")]
    instruments = []
    for n, merchant in enumerate(merchants + far_merchants):
        valid = today() + timedelta(days=(-40 if n % 3 == 0 else 120))
        instruments.append(make_instrument(merchant, valid_until=valid))
    instruments.append(make_instrument(merchants[1], valid_until=None))
    instruments.append(
        make_instrument(
            merchants[2], valid_until=today() - timedelta(days=5), status=InstrumentStatus.RETIRED
        )
    )
    grades = {}
    for n, merchant in enumerate(merchants[:-1]):
        grades[merchant.id] = "ABCDP"[n % 5]
        _grade(merchant, grades[merchant.id])
    _grade(far_merchants[0], "D")
    grades[far_merchants[0].id] = "D"
    inspector = make_user(Role.INSPECTOR)
    far_inspector = make_user(Role.INSPECTOR, region_id=far.id)
    history = History(
        region, far, markets, far_market, merchants, far_merchants, instruments, grades
    )
    places = {m.id: (m.lat, m.lon) for m in [*markets, far_market]}
    for merchant in merchants + far_merchants:
        who = far_inspector if merchant.region_id == far.id else inspector
        near = places.get(merchant.market_id or 0, (40.83, 111.66))
        for k in range(per_merchant):
            day = today() - timedelta(days=rng.randrange(days))
            codes = rng.sample(sorted(CODES), rng.choice((0, 0, 0, 1, 1, 2)))
            history.inspections.append(
                _inspection(
                    merchant,
                    who,
                    at(day, 8 + rng.randrange(10), rng.randrange(60)),
                    FORMS[k % 2],
                    codes,
                    located=rng.random() > 0.2,
                    near=near,
                )
            )
    db.session.flush()
    created = list(history.inspections)
    rollups.after_ingest(created)
    # Two corrections: the originals leave the counts, the corrections enter.
    corrections = []
    for original in (created[0], created[5]):
        merchant = db.session.get(Merchant, original.merchant_id)
        assert merchant is not None
        fix = _inspection(
            merchant,
            inspector,
            original.captured_at + timedelta(minutes=30),
            original.form_key,
            ["SCALE_NON_LEGAL_UNIT"],
            located=True,
            supersedes=original,
        )
        corrections.append(fix)
        history.superseded.add(original.id)
    db.session.flush()
    rollups.after_ingest(corrections)
    history.inspections.extend(corrections)
    db.session.commit()
    return history
