"""What the inspection-priority rule reads about a district's merchants, in a few queries.

One query each for merchants, instruments, grades, last inspections, orders and complaints,
whatever the district's size; :func:`district_facts` returns one
:class:`~inspect_app.domain.risk.MerchantRiskFacts` per merchant (active or not).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from inspect_app.domain.risk import InstrumentFacts, MerchantRiskFacts
from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Merchant, MerchantGrade, Order, Report
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES, OrderStatus
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.models.report import ReportStatus

#: Instruments no longer used for trade: they weigh nothing and expire harmlessly.
_OUT_OF_USE = (InstrumentStatus.RETIRED, InstrumentStatus.SEIZED)


def local_midnight(day: date) -> datetime:
    """The first moment of ``day`` in the district's time zone (Asia/Shanghai), aware."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def district_merchants(region_id: int) -> list[Merchant]:
    return list(
        db.session.scalars(
            select(Merchant).where(Merchant.region_id == region_id).order_by(Merchant.id)
        )
    )


def district_facts(
    region_id: int, merchants: list[Merchant], as_of: date, complaint_days: int, now: datetime
) -> dict[int, MerchantRiskFacts]:
    """Each of ``merchants``' (the district's) facts measured on ``as_of`` (the plan date).

    Complaints: reports made from ``as_of − complaint_days`` (local midnight) up to ``now``,
    except those a supervisor dismissed. Last inspection: the local date of the latest capture.
    Each query selects by district, not by a list of ids, so a district of any size is a few
    statements.
    """
    if not merchants:
        return {}
    in_district = Merchant.region_id == region_id
    instruments: dict[int, list[InstrumentFacts]] = defaultdict(list)
    for row in db.session.execute(
        select(
            Instrument.merchant_id,
            Instrument.kind,
            Instrument.accuracy_class,
            Instrument.max_capacity,
            Instrument.valid_until,
        )
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .where(in_district, Instrument.status.not_in(_OUT_OF_USE))
        .order_by(Instrument.id)
    ):
        instruments[row.merchant_id].append(
            InstrumentFacts(row.kind.value, row.accuracy_class, row.max_capacity, row.valid_until)
        )
    scores = dict(
        db.session.execute(
            select(MerchantGrade.merchant_id, MerchantGrade.score).where(
                MerchantGrade.region_id == region_id
            )
        ).all()
    )
    last = dict(
        db.session.execute(
            select(Inspection.merchant_id, func.max(Inspection.captured_at))
            .join(Merchant, Inspection.merchant_id == Merchant.id)
            .where(in_district)
            .group_by(Inspection.merchant_id)
        ).all()
    )
    open_orders: dict[int, int] = defaultdict(int)
    overdue_orders: dict[int, int] = defaultdict(int)
    for merchant_id, status, count in db.session.execute(
        select(Order.merchant_id, Order.status, func.count(Order.id))
        .where(Order.region_id == region_id, Order.status.in_(ACTIVE_ORDER_STATUSES))
        .group_by(Order.merchant_id, Order.status)
    ):
        target = overdue_orders if status == OrderStatus.OVERDUE else open_orders
        target[merchant_id] += count
    since = local_midnight(as_of - timedelta(days=complaint_days))
    complaints = dict(
        db.session.execute(
            select(Report.merchant_id, func.count(Report.id))
            .where(
                Report.region_id == region_id,
                Report.created_at >= since,
                Report.created_at <= now,
                Report.status != ReportStatus.DISMISSED,
            )
            .group_by(Report.merchant_id)
        ).all()
    )
    return {
        m.id: MerchantRiskFacts(
            merchant_id=m.id,
            merchant_kind=m.kind.value,
            instruments=tuple(instruments.get(m.id, ())),
            public_score=scores.get(m.id),
            last_inspected_on=last[m.id].astimezone(LOCAL_ZONE).date() if m.id in last else None,
            open_orders=open_orders.get(m.id, 0),
            overdue_orders=overdue_orders.get(m.id, 0),
            complaints=complaints.get(m.id, 0),
        )
        for m in merchants
    }
