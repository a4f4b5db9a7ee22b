"""The demo's enforcement side: reviews, orders in every state, alerts handled, a reply,
evidence and a signed commitment.

The history (``demo_history``) already went through ingest, so its findings made their orders
and alerts the real way. This adds what people do afterwards, through the same services the
pages call: each district's supervisor reviews (approves what is older than a few days, returns
one record whose order is still active, which withdraws it), deadlines pass, older alerts are
acknowledged and assigned, and the demo merchant ("merchant") gets a condemned scale, a
repair order with evidence waiting for a decision, a renewed verification accepted by the
supervisor, a reply to an inspection and this year's honesty commitment. Deterministic:
objects are picked by id.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from inspect_app.config import PROJECT_ROOT
from inspect_app.domain import rulepacks
from inspect_app.extensions import db
from inspect_app.formdefs import load_registry
from inspect_app.models import Inspection, Instrument, Merchant, Order, User
from inspect_app.models.enforcement import (
    ACTIVE_ORDER_STATUSES,
    EvidenceKind,
    OrderKind,
    ReviewDecision,
)
from inspect_app.models.inspection import ReviewState
from inspect_app.models.instrument import SCALE_KINDS
from inspect_app.services import (
    alerts,
    commitments,
    evidence_files,
    orders,
    replies,
    review,
    sync_push,
)
from inspect_app.services.evidence_files import Certificate
from inspect_app.services.inspection_record import PushItem

#: Inspections received within this many days stay ``received``: the review queue's content.
UNREVIEWED_DAYS = 3
EVIDENCE_LIMIT = 1_000_000


@dataclass
class EnforcementDemo:
    approved: int = 0
    returned: int = 0
    overdue: int = 0
    #: What the demo merchant's scales show, state → instrument code.
    merchant_scales: dict[str, str] = field(default_factory=dict)


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return user


def _has_active_order(inspection: Inspection) -> bool:
    return (
        db.session.scalar(
            select(Order.id)
            .where(Order.inspection_id == inspection.id, Order.status.in_(ACTIVE_ORDER_STATUSES))
            .limit(1)
        )
        is not None
    )


def _review_history(now: datetime, result: EnforcementDemo) -> None:
    """Approve what is older than a few days; return the first record with findings of each
    district (its orders and alerts are withdrawn, and kept)."""
    cutoff = now - timedelta(days=UNREVIEWED_DAYS)
    for username in ("supervisor", "supervisor-sh"):
        supervisor = _user(username)
        rows = db.session.scalars(
            select(Inspection)
            .join(Merchant, Inspection.merchant_id == Merchant.id)
            .where(
                Merchant.region_id == supervisor.region_id,
                Inspection.received_at < cutoff,
                Inspection.review_state == ReviewState.RECEIVED,
            )
            .order_by(Inspection.id)
        ).all()
        returned = False
        for inspection in rows:
            if review.is_superseded(inspection):
                continue
            at = inspection.received_at + timedelta(hours=20)
            if not returned and _has_active_order(inspection):
                returned = True
                reason = (
                    "照片看不清检定标志，请补拍后更正。/ The mark is unreadable in the photo; "
                    "retake it and correct the record."
                )
                review.decide(supervisor, inspection, ReviewDecision.RETURN, reason, at)
                result.returned += 1
            else:
                review.decide(supervisor, inspection, ReviewDecision.APPROVE, "", at)
                result.approved += 1


def _handle_alerts(now: datetime) -> None:
    """In each district the older open alerts are acknowledged and assigned for a re-visit;
    the newest stays open for the inbox (in the demo district: the merchant's cheating scale)."""
    for supervisor_name, inspector_name in (
        ("supervisor", "inspector"),
        ("supervisor-sh", "inspector-sh"),
    ):
        supervisor = _user(supervisor_name)
        inspector = _user(inspector_name)
        older = list(reversed(alerts.inbox(supervisor, limit=50, open_only=True)))[:-1]
        for n, alert in enumerate(older):
            alerts.acknowledge(supervisor, alert, now - timedelta(hours=30 - n))
            alerts.assign(supervisor, alert, inspector, now - timedelta(hours=29 - n))


def _answers(merchant: Merchant, scale: Instrument, **changes: Any) -> dict[str, Any]:
    e = scale.e_value or 5
    top = scale.max_capacity or 15000
    answers: dict[str, Any] = {
        "merchant": merchant.id,
        "instrument": scale.code,
        "inspection_obstructed": False,
        "nameplate_complete": True,
        "type_approval_mark": True,
        "antifraud_declaration": True,
        "division_matches_nameplate": True,
        "verification_mark_present": True,
        "seal": "intact",
        "display_unit": "kg",
        "price_labels_legal_units": True,
        "banned_instrument_in_use": False,
        "level_ok": True,
        "zero_ok": True,
        "test_points": [
            {"load": str(e * 20), "indication": str(e * 20)},
            {"load": str(top), "indication": str(top)},
        ],
        "cheating_device_found": False,
        "tampering_found": False,
        "tare_manipulation_found": False,
        "price_computing_fraud_found": False,
    }
    if scale.valid_until:
        answers["verification_valid_until"] = scale.valid_until.isoformat()
    answers.update(changes)
    return answers


def _push(inspector: User, answers: dict[str, Any], at: datetime, key: str) -> Inspection:
    """One inspection through the real ingest (verdict, findings, orders and alerts)."""
    item = PushItem.from_wire(
        {
            "uuid": uuid.uuid5(uuid.NAMESPACE_URL, f"inspect-demo/{key}"),
            "form_key": "bazaar_scale",
            "form_version": 1,
            "captured_at": at,
            "answers": answers,
            "geotag": None,
        }
    )
    forms = load_registry(PROJECT_ROOT / "field_forms")
    [stored] = sync_push.push_batch(
        inspector, None, [item], forms, rulepacks.load("cn"), received_at=at + timedelta(hours=1)
    )
    assert stored.status == "created", stored
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == str(item.uuid)))
    assert inspection is not None
    return inspection


def _photo(colour: str) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    out.seek(0)
    return out


def _evidence(
    actor: User,
    order: Order,
    root: Path,
    colour: str,
    kind: EvidenceKind,
    note: str,
    now: datetime,
    certificate: Certificate | None = None,
) -> Any:
    with evidence_files.checked(_photo(colour), root, EVIDENCE_LIMIT, kind, False) as file:
        return evidence_files.attach(actor, order, file, kind, note, certificate, now)


def _order(instrument: Instrument, kind: OrderKind) -> Order:
    order = db.session.scalar(
        select(Order)
        .where(Order.instrument_id == instrument.id, Order.kind == kind)
        .order_by(Order.id.desc())
    )
    assert order is not None, (instrument.code, kind)
    return order


def _merchant_story(today: date, now: datetime, root: Path, result: EnforcementDemo) -> None:
    """The demo merchant's own stall: one scale of each state a merchant must act on."""
    merchant_user = _user("merchant")
    inspector = _user("inspector")
    supervisor = _user("supervisor")
    merchant = db.session.get(Merchant, merchant_user.merchant_id)
    assert merchant is not None
    scales = db.session.scalars(
        select(Instrument)
        .where(Instrument.merchant_id == merchant.id, Instrument.kind.in_(SCALE_KINDS))
        .order_by(Instrument.id)
    ).all()
    if len(scales) < 2:
        return
    cheat, worn = scales[0], scales[1]
    # Yesterday: a remote-controlled scale (condemned, alert) and a worn one (repair order).
    visit = now - timedelta(days=1, hours=3)
    condemned = _push(
        inspector,
        _answers(
            merchant,
            cheat,
            cheating_device_found=True,
            cheating_methods=["remote_control"],
            remarks="遥控器藏在钥匙扣里 / remote hidden in a key fob",
        ),
        visit,
        f"{merchant.id}/cheat",
    )
    top = worn.max_capacity or 15000
    step = worn.e_value or 5
    _push(
        inspector,
        _answers(
            merchant,
            worn,
            test_points=[
                {"load": str(step * 20), "indication": str(step * 20)},
                {"load": str(top), "indication": str(top + step * 4)},
            ],
        ),
        visit + timedelta(minutes=20),
        f"{merchant.id}/worn",
    )
    repair = _order(worn, OrderKind.REPAIR)
    orders.acknowledge(merchant_user, repair, now - timedelta(hours=20))
    _evidence(
        merchant_user,
        repair,
        root,
        "#4a7",
        EvidenceKind.INVOICE,
        "已请维修站调整并重新检定 / adjusted by the repair shop, re-verification booked",
        now - timedelta(hours=6),
    )
    replies.write(
        merchant_user,
        condemned,
        "遥控器是顾客遗落的，我不知情，申请复查。/ The remote was left by a customer; I did not "
        "know of it and ask for a re-visit.",
        now - timedelta(hours=5),
    )
    result.merchant_scales = {"condemned": cheat.code, "repair_order": worn.code}
    if len(scales) > 2:
        renewed = scales[2]
        expired_on = today - timedelta(days=20)
        _push(
            inspector,
            _answers(merchant, renewed, verification_valid_until=expired_on.isoformat()),
            now - timedelta(days=12),
            f"{merchant.id}/expired",
        )
        reverify = _order(renewed, OrderKind.REVERIFY)
        certificate = Certificate(
            number=f"JD{today.year}-{renewed.id:05d}",
            verifying_body="呼和浩特市计量测试所",
            verified_at=today - timedelta(days=8),
            valid_until=today - timedelta(days=8) + timedelta(days=365),
        )
        evidence = _evidence(
            merchant_user,
            reverify,
            root,
            "#47a",
            EvidenceKind.CERTIFICATE,
            "新检定证书 / new verification certificate",
            now - timedelta(days=8),
            certificate,
        )
        orders.decide_evidence(supervisor, evidence, True, "", now - timedelta(days=7), today)
        result.merchant_scales["renewed"] = renewed.code
    commitments.sign(merchant_user, "王建国", now - timedelta(days=30))


def _a_past_cheat(now: datetime) -> None:
    """A Saihan stall caught with a cheating scale 18 months ago and clean a month later: its
    grade is held at C for three years (the S4 cap), so the demo shows every letter."""
    inspector = _user("inspector-sh")
    merchant = db.session.scalars(
        select(Merchant)
        .where(Merchant.region_id == inspector.region_id, Merchant.market_id.is_not(None))
        .order_by(Merchant.id.desc())
    ).first()
    if merchant is None:
        return
    scale = db.session.scalars(
        select(Instrument)
        .where(Instrument.merchant_id == merchant.id, Instrument.kind.in_(SCALE_KINDS))
        .order_by(Instrument.id)
    ).first()
    if scale is None:
        return
    caught = now - timedelta(days=548)
    _push(
        inspector,
        _answers(
            merchant,
            scale,
            cheating_device_found=True,
            cheating_methods=["key_sequence"],
            verification_valid_until=(caught.date() + timedelta(days=200)).isoformat(),
        ),
        caught,
        f"{merchant.id}/past-cheat",
    )
    _push(
        inspector,
        _answers(
            merchant,
            scale,
            verification_valid_until=(caught.date() + timedelta(days=200)).isoformat(),
        ),
        caught + timedelta(days=30),
        f"{merchant.id}/past-clean",
    )


def enact(today: date, now: datetime, attachments_root: Path) -> EnforcementDemo:
    """Run the demo's enforcement story after the history (flushes; the caller commits)."""
    result = EnforcementDemo()
    _a_past_cheat(now)
    _merchant_story(today, now, attachments_root, result)
    _review_history(now, result)
    result.overdue = len(orders.mark_overdue(today, now))
    _handle_alerts(now)
    return result
