"""Rows for the supervisors' pages' tests: an inspection with one finding, the order and the
alert that finding caused, and a merchant's evidence (tests/web/test_supervision_*.py and the
authorisation matrix's rows, tests/web/enforcement_matrix.py).

The rows are written directly, as the ingest would leave them, so the page tests depend on
the pages and the decision services, not on the catalogue's triggers (those are tested with
the ingest).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import (
    Alert,
    Finding,
    Inspection,
    Instrument,
    Market,
    Merchant,
    Order,
    OrderEvent,
    OrderEvidence,
    Region,
    User,
)
from inspect_app.models.alert import AlertEvent, AlertKind
from inspect_app.models.enforcement import EvidenceKind, OrderKind, OrderStatus
from inspect_app.models.inspection import FindingDomain, GeotagStatus, Verdict
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role

T = TypeVar("T")

CHEATING = "SCALE_CHEATING_DEVICE"


def add_inspection(
    instrument: Instrument,
    inspector: User,
    *,
    code: str | None = CHEATING,
    severity: int = 4,
    minutes_ago: int = 5,
    supersedes: Inspection | None = None,
) -> Inspection:
    """A received inspection of ``instrument`` by ``inspector`` with one finding (or none)."""
    at = utcnow() - timedelta(minutes=minutes_ago)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key="bazaar_scale",
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=instrument.merchant_id,
        instrument_id=instrument.id,
        captured_at=at,
        received_at=at,
        geotag_status=GeotagStatus.OK,
        answers={},
        content_sha256="0" * 64,
        evaluation={},
        verdict=Verdict.FAIL if code else Verdict.PASS,
        supersedes_id=supersedes.id if supersedes else None,
    )
    if code:
        inspection.findings.append(
            Finding(
                merchant_id=instrument.merchant_id,
                instrument_id=instrument.id,
                code=code,
                domain=FindingDomain.INSTR,
                severity=severity,
                extent=1,
                evidence={},
                needs_alert=severity >= 4,
            )
        )
    db.session.add(inspection)
    db.session.commit()
    return inspection


def add_order(
    instrument: Instrument,
    inspector: User,
    *,
    kind: OrderKind = OrderKind.CONDEMN,
    status: OrderStatus = OrderStatus.OPEN,
    due_in_days: int = 30,
    inspection: Inspection | None = None,
) -> Order:
    """An order caused by the finding of ``inspection`` (a new one by default)."""
    inspection = inspection or add_inspection(instrument, inspector)
    finding = inspection.findings[0]
    merchant = instrument.merchant
    order = Order(
        kind=kind,
        status=status,
        region_id=merchant.region_id,
        merchant_id=merchant.id,
        instrument_id=instrument.id,
        inspection_id=inspection.id,
        finding_id=finding.id,
        finding_code=finding.code,
        due_date=date.today() + timedelta(days=due_in_days),
        overdue_at=utcnow() if status == OrderStatus.OVERDUE else None,
    )
    order.events.append(OrderEvent(action="created", to_status=status.value))
    db.session.add(order)
    db.session.commit()
    return order


def add_evidence(
    order: Order,
    uploader: User,
    *,
    kind: EvidenceKind = EvidenceKind.CERTIFICATE,
    valid_until: date | None = None,
) -> OrderEvidence:
    """Evidence waiting for a decision; the order moves to ``evidence_submitted``."""
    certificate = kind == EvidenceKind.CERTIFICATE
    evidence = OrderEvidence(
        order_id=order.id,
        kind=kind,
        sha256=uuid.uuid4().hex * 2,
        media_type="application/pdf",
        size_bytes=2048,
        note="新检定证书",
        certificate_no="JD-2026-0001" if certificate else None,
        verifying_body="呼和浩特市计量测试所" if certificate else None,
        verified_at=date.today() if certificate else None,
        valid_until=(valid_until or date.today() + timedelta(days=365)) if certificate else None,
        uploaded_by_id=uploader.id,
    )
    db.session.add(evidence)
    order.status = OrderStatus.EVIDENCE_SUBMITTED
    order.events.append(
        OrderEvent(action="evidence", actor_id=uploader.id, to_status="evidence_submitted")
    )
    db.session.commit()
    return evidence


def add_alert(
    instrument: Instrument,
    inspector: User,
    *,
    kind: AlertKind = AlertKind.SEVERE_FINDING,
    inspection: Inspection | None = None,
    minutes_ago: int = 1,
) -> Alert:
    """An open alert about the finding of ``inspection`` (a new one by default)."""
    inspection = inspection or add_inspection(instrument, inspector)
    finding = inspection.findings[0] if inspection.findings else None
    alert = Alert(
        kind=kind,
        severity=4,
        region_id=instrument.merchant.region_id,
        merchant_id=instrument.merchant_id,
        instrument_id=instrument.id,
        inspection_id=inspection.id,
        finding_id=finding.id if finding and kind == AlertKind.SEVERE_FINDING else None,
        created_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    alert.events.append(AlertEvent(action="created"))
    db.session.add(alert)
    db.session.commit()
    return alert


# ---------------------------------------------------------------- a district and its neighbour


@dataclass
class Scene:
    """Region A (the signed-in users' own, as ``login_as`` makes them) with a stall and its
    scale; region B with another."""

    scale: Instrument
    far_scale: Instrument
    inspector: User
    far_inspector: User


def build_scene(
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> Scene:
    far_region = make_region()
    far_merchant = make_merchant(
        region_id=far_region.id, market_id=make_market(region_id=far_region.id).id
    )
    return Scene(
        scale=make_instrument(),
        far_scale=make_instrument(far_merchant),
        inspector=make_user(Role.INSPECTOR, display_name="检查员 李四"),
        far_inspector=make_user(Role.INSPECTOR, region_id=far_region.id),
    )


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def fresh(row: T) -> T:
    """``row`` as stored now (after requests in their own sessions)."""
    db.session.commit()
    db.session.refresh(row)
    return row


EN = {"Accept-Language": "en"}
