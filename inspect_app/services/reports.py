"""Consumer reports (投诉举报 / 复秤): made on an instrument's public page, followed by the
reporter on a status page, closed by the district's supervisors (docs/reports.md).

Scope is :func:`scoping.reports_clause` / :func:`scoping.report_or_404`. Problems a supervisor
can fix are ``VALIDATION_FAILED`` with message keys (``{"reason": ["reason_required"]}``),
which the page shows in the user's language (``schemas/reports.py``). Demo data and other
callers use :func:`create_report` and :func:`close_report` as the pages do.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased, selectinload

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Merchant, Report, User
from inspect_app.models.report import MAX_DESCRIPTION, ReportCategory, ReportStatus
from inspect_app.models.types import utcnow
from inspect_app.services import audit, scoping

#: What :func:`inspect_app.models.report.new_tracking_code` makes, with room to spare; anything
#: else is not looked up at all.
TRACKING_CODE = re.compile(r"[A-Za-z0-9_-]{16,32}")
#: Closed reports shown under the open ones in the queue.
CLOSED_SHOWN = 100
#: Open reports shown at once (newest first); the API pages through all of them.
OPEN_SHOWN = 500
#: Inspections offered for linking: the merchant's latest few of the last 180 days.
LINKABLE_DAYS = 180
LINKABLE_PER_MERCHANT = 10
#: Outcomes after which a report is final; ``inspection_planned`` may still become one.
FINAL = frozenset({ReportStatus.DISMISSED, ReportStatus.LINKED})


@dataclass(frozen=True)
class NewReport:
    """What a reporter sends, checked (``schemas.reports.ReportFormIn``)."""

    category: ReportCategory
    claimed_weight_g: Decimal | None = None
    found_weight_g: Decimal | None = None
    description: str = ""
    reporter_phone: str | None = None
    locale: str = "zh_CN"


def instrument_by_token(token: str) -> Instrument | None:
    """The instrument a label token names now (a replaced label's token names none)."""
    return db.session.scalar(select(Instrument).where(Instrument.qr_token == token))


def create_report(
    instrument: Instrument,
    new: NewReport,
    photo_sha256: str | None = None,
    *,
    created_at: datetime | None = None,
) -> Report:
    """Store a report about ``instrument`` (flushes; audited with no actor: the reporter is
    anonymous). The audit entry holds neither the phone number nor the description."""
    if len(new.description) > MAX_DESCRIPTION:
        raise AppError("VALIDATION_FAILED", {"description": [f"too_long:{MAX_DESCRIPTION}"]})
    merchant = db.session.get(Merchant, instrument.merchant_id)
    assert merchant is not None  # a foreign key
    report = Report(
        instrument_id=instrument.id,
        merchant_id=merchant.id,
        region_id=merchant.region_id,
        category=new.category,
        claimed_weight_g=new.claimed_weight_g,
        found_weight_g=new.found_weight_g,
        description=new.description,
        photo_sha256=photo_sha256,
        reporter_phone=new.reporter_phone,
        locale=new.locale,
        created_at=created_at or utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    detail = {"instrument_id": instrument.id, "category": new.category.value}
    audit.record(None, "report.create", "report", report.id, detail | {"photo": bool(photo_sha256)})
    return report


def by_tracking_code(code: str) -> Report | None:
    if not TRACKING_CODE.fullmatch(code):
        return None
    return db.session.scalar(
        select(Report)
        .where(Report.tracking_code == code)
        .options(selectinload(Report.instrument), selectinload(Report.merchant))
    )


def linked_inspection(report: Report) -> Inspection | None:
    if report.linked_inspection_id is None:
        return None
    return db.session.get(Inspection, report.linked_inspection_id)


# ---------------------------------------------------------------- the supervisor's side


@dataclass(frozen=True)
class Queue:
    open: list[Report]
    closed: list[Report]
    #: Per merchant id: its recent inspections a report may be linked to, newest first.
    inspections: dict[int, list[Inspection]]
    more_open: bool


def _reports(user: User) -> Select[Report]:
    return (
        select(Report)
        .where(scoping.reports_clause(user))
        .options(
            selectinload(Report.instrument),
            selectinload(Report.merchant).selectinload(Merchant.market),
        )
    )


def queue_for(user: User, today: date | None = None) -> Queue:
    """Open reports newest first, then the latest closed ones, in ``user``'s scope."""
    received = list(
        db.session.scalars(
            _reports(user)
            .where(Report.status == ReportStatus.RECEIVED)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(OPEN_SHOWN + 1)
        )
    )
    closed = list(
        db.session.scalars(
            _reports(user)
            .where(Report.status != ReportStatus.RECEIVED)
            .order_by(Report.closed_at.desc(), Report.id.desc())
            .limit(CLOSED_SHOWN)
        )
    )
    still_open = received[:OPEN_SHOWN] + [r for r in closed if r.status not in FINAL]
    merchants = {r.merchant_id for r in still_open}
    return Queue(
        received[:OPEN_SHOWN], closed, linkable_inspections(merchants), len(received) > OPEN_SHOWN
    )


def linkable_inspections(merchant_ids: set[int]) -> dict[int, list[Inspection]]:
    """Each merchant's latest inspections (corrected records left out: their correction
    stands for them), for the "linked to an inspection" choice."""
    if not merchant_ids:
        return {}
    superseding = aliased(Inspection)
    since = utcnow() - timedelta(days=LINKABLE_DAYS)
    rows = db.session.scalars(
        select(Inspection)
        .where(
            Inspection.merchant_id.in_(merchant_ids),
            Inspection.captured_at >= since,
            ~exists().where(superseding.supersedes_id == Inspection.id),
        )
        .order_by(Inspection.captured_at.desc(), Inspection.id.desc())
    )
    found: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in rows:
        if len(found[inspection.merchant_id]) < LINKABLE_PER_MERCHANT:
            found[inspection.merchant_id].append(inspection)
    return dict(found)


def _refuse(field: str, key: str) -> AppError:
    return AppError("VALIDATION_FAILED", {field: [key]})


def close_report(
    actor: User,
    report: Report,
    outcome: ReportStatus,
    reason: str | None = None,
    inspection_uuid: str | None = None,
    *,
    now: datetime | None = None,
) -> Report:
    """Close ``report`` (already scope-checked) with an outcome (flushes, audits).

    A dismissal needs a reason (the reporter reads it); a link needs one of the report's
    merchant's inspections, named by uuid (anything else, another stall's or another
    district's included, is the same "not this stall's"). A report with a planned inspection
    may be closed again (typically linked once the inspection is done); dismissed and linked
    reports are final.
    """
    if report.status in FINAL:
        raise _refuse("outcome", "final")
    if outcome == ReportStatus.RECEIVED:
        raise _refuse("outcome", "choice")
    reason = (reason or "").strip() or None
    if outcome == ReportStatus.DISMISSED and reason is None:
        raise _refuse("reason", "reason_required")
    inspection = None
    if outcome == ReportStatus.LINKED:
        if not inspection_uuid:
            raise _refuse("inspection", "inspection_required")
        inspection = db.session.scalar(
            select(Inspection).where(
                Inspection.uuid == inspection_uuid, Inspection.merchant_id == report.merchant_id
            )
        )
        if inspection is None:
            raise _refuse("inspection", "inspection_unknown")
    report.status = outcome
    report.outcome_reason = reason
    report.linked_inspection_id = inspection.id if inspection else None
    report.closed_at = now or utcnow()
    report.closed_by_id = actor.id
    db.session.flush()
    detail: dict[str, object] = {"status": outcome.value, "reason": reason}
    if inspection is not None:
        detail["inspection_uuid"] = inspection.uuid
    audit.record(actor, "report.close", "report", report.id, detail)
    return report


def list_for(
    user: User, status: str = "all", limit: int = 200, before_id: int | None = None
) -> list[tuple[Report, str | None]]:
    """Reports in ``user``'s scope, newest first, with the uuid of a linked inspection."""
    query = (
        select(Report, Inspection.uuid)
        .outerjoin(Inspection, Inspection.id == Report.linked_inspection_id)
        .where(scoping.reports_clause(user))
        .order_by(Report.id.desc())
        .limit(limit)
    )
    if status == "open":
        query = query.where(Report.status == ReportStatus.RECEIVED)
    elif status == "closed":
        query = query.where(Report.status != ReportStatus.RECEIVED)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    return [(report, linked) for report, linked in db.session.execute(query)]
