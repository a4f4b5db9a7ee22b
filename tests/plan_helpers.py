"""Rows for the inspection-plan tests: inspections stored as the ingest leaves them (only the
columns plans read matter), and a fixed clock in the district's time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from inspect_app.extensions import db
from inspect_app.models import Inspection, Merchant, User
from inspect_app.models.inspection import GeotagStatus, Verdict

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Shanghai on ``day``, as an aware UTC instant."""
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


def add_inspection(
    merchant: Merchant,
    inspector: User,
    captured: datetime,
    *,
    failed: bool = False,
    supersedes: Inspection | None = None,
    commit: bool = True,
) -> Inspection:
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
        verdict=Verdict.FAIL if failed else Verdict.PASS,
        supersedes_id=supersedes.id if supersedes else None,
    )
    db.session.add(inspection)
    db.session.flush()
    if commit:
        db.session.commit()
    return inspection
