"""Rows for the credit tests: inspections with findings and orders, stored as the services
leave them (only the columns the credit rule reads matter)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Merchant, Order, User
from inspect_app.models.enforcement import OrderKind, OrderStatus
from inspect_app.models.inspection import FindingDomain, GeotagStatus, ReviewState, Verdict

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Codes of the catalogue and their severities (field_forms/violations.toml).
SEVERITY = {
    "SCALE_CHEATING_DEVICE": 4,
    "SCALE_OUT_OF_TOLERANCE": 3,
    "SCALE_NON_LEGAL_UNIT": 2,
    "SCALE_VERIFICATION_EXPIRED": 2,
    "SCALE_NO_VERIFICATION_MARK": 1,
}


def noon(day: date) -> datetime:
    """Midday in Shanghai on ``day``, as the aware UTC instant the database stores."""
    return datetime.combine(day, time(12), SHANGHAI).astimezone(UTC)


def add_inspection(
    merchant: Merchant,
    inspector: User,
    on: date | datetime,
    *codes: str,
    review: ReviewState = ReviewState.APPROVED,
    supersedes: Inspection | None = None,
    extent: int = 1,
) -> Inspection:
    """An inspection of ``merchant`` on ``on`` (a Shanghai day, or an exact instant) with one
    finding per code; approved unless ``review`` says otherwise."""
    captured = on if isinstance(on, datetime) else noon(on)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key="bazaar_scale",
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=merchant.id,
        captured_at=captured,
        received_at=captured,
        geotag_status=GeotagStatus.OK,
        answers={},
        content_sha256="0" * 64,
        evaluation={},
        verdict=Verdict.FAIL if codes else Verdict.PASS,
        review_state=review,
        supersedes_id=supersedes.id if supersedes else None,
    )
    inspection.findings = [
        Finding(
            merchant_id=merchant.id,
            code=code,
            domain=FindingDomain.INSTR,
            severity=SEVERITY[code],
            extent=extent,
            evidence={},
        )
        for code in codes
    ]
    db.session.add(inspection)
    db.session.commit()
    return inspection


def add_order(
    finding: Finding,
    due: date,
    closed_on: date | None = None,
    *,
    withdrawn: bool = False,
    kind: OrderKind = OrderKind.REPAIR,
) -> Order:
    """An order (repair unless ``kind`` says otherwise) for ``finding``: closed on
    ``closed_on`` (Shanghai noon), withdrawn, or still open."""
    merchant = db.session.get(Merchant, finding.merchant_id)
    assert merchant is not None
    status = OrderStatus.OPEN
    if closed_on is not None:
        status = OrderStatus.CLOSED
    if withdrawn:
        status = OrderStatus.WITHDRAWN
    order = Order(
        kind=kind,
        status=status,
        region_id=merchant.region_id,
        merchant_id=merchant.id,
        inspection_id=finding.inspection_id,
        finding_id=finding.id,
        finding_code=finding.code,
        due_date=due,
        closed_at=noon(closed_on) if closed_on is not None else None,
        withdrawn_at=noon(due) if withdrawn else None,
    )
    db.session.add(order)
    db.session.commit()
    return order


def days_ago(today: date, days: int) -> date:
    return today - timedelta(days=days)
