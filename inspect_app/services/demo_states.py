"""Demo instruments in every state a shopper's traffic light can show, and a few reports.

The random demo already has valid and expired verifications; this picks a scale of the
Xincheng district (the demo supervisor's) deterministically, by id, and makes it expire within
30 days (amber). Repair orders and condemnations come from real findings (the history and the
enforcement story in ``demo_enforcement``); each change goes through the change log.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, Region, User
from inspect_app.models.instrument import SCALE_KINDS, InstrumentStatus
from inspect_app.models.report import ReportCategory, ReportStatus
from inspect_app.models.user import Role
from inspect_app.services import reference, reports

#: Days of validity left on the demo's "expiring" scale (inside the 30-day amber window).
EXPIRING_IN_DAYS = 12


def spread_states(today: date, region_code: str = "XC") -> dict[str, str]:
    """Make one in-date scale of ``region_code`` due for re-verification within the amber window.

    The red states come from real orders (the demo's enforcement story condemns one of the demo
    merchant's scales and puts another under a repair order; the history adds more), since an
    instrument's status is derived from its orders, never set by hand.

    :returns: state name → instrument code, for the seed summary and the tests.
    """
    expiring = db.session.scalars(
        select(Instrument)
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .join(Region, Merchant.region_id == Region.id)
        .where(
            Region.code == region_code,
            Instrument.kind.in_(SCALE_KINDS),
            Instrument.valid_until > today + timedelta(days=60),
            Instrument.status == InstrumentStatus.IN_SERVICE,
        )
        .order_by(Instrument.id.desc())
        .limit(1)
    ).first()
    if expiring is None:
        return {}
    expiring.valid_until = today + timedelta(days=EXPIRING_IN_DAYS)
    reference.touch_instrument(expiring)
    db.session.flush()
    return {"expiring": expiring.code}


def add_reports(now: datetime, region_code: str = "XC") -> int:
    """A few shoppers' reports in the district's queue: two open, one dismissed.

    Made about stalls of ``region_code`` with instruments in service, picked by id, with the
    reporter's phone on one of them only (most shoppers leave none).
    """
    supervisor = db.session.scalar(
        select(User).where(User.role == Role.SUPERVISOR, User.username == "supervisor")
    )
    scales = db.session.scalars(
        select(Instrument)
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .join(Region, Merchant.region_id == Region.id)
        .where(Region.code == region_code, Instrument.kind.in_(SCALE_KINDS))
        .order_by(Instrument.id.desc())
        .limit(3)
    ).all()
    if supervisor is None or len(scales) < 3:
        return 0
    reports.create_report(
        scales[0],
        reports.NewReport(
            ReportCategory.SHORT_WEIGHT,
            claimed_weight_g=Decimal("1000"),
            found_weight_g=Decimal("912"),
            description="称了一斤排骨，到公平秤上复秤只有九两多。",
            reporter_phone="13912345678",
        ),
        created_at=now - timedelta(hours=5),
    )
    reports.create_report(
        scales[1],
        reports.NewReport(
            ReportCategory.TAMPERED_DISPLAY,
            description="The customer display faces the wall; the stall keeper reads the price.",
            locale="en",
        ),
        created_at=now - timedelta(days=1, hours=2),
    )
    dismissed = reports.create_report(
        scales[2],
        reports.NewReport(
            ReportCategory.NO_VERIFICATION_MARK, description="秤上没看到检定合格标志。"
        ),
        created_at=now - timedelta(days=3),
    )
    reports.close_report(
        supervisor,
        dismissed,
        ReportStatus.DISMISSED,
        "检定标志贴在秤底座背面，已提醒经营者贴到顾客可见处。",
        now=now - timedelta(days=2),
    )
    return 3
