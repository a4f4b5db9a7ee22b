"""The merchant's right of reply to an inspection (docs/merchant-portal.md).

A merchant user may write one reply to each inspection of its own merchant, within 21 days of
the inspection being received by the server (``received_at``: the day the record exists, which
a tablet's clock cannot move). The reply is kept with the record, never edited or deleted, and
shown to the district's staff beside the inspection. A corrected (superseded) record takes no
reply: its correction is the record to answer.

Refusals: ``REPLY_EXISTS`` (one reply per inspection; the database's unique index decides
between two sent at once), ``REPLY_WINDOW_CLOSED`` (after 21 days), ``INSPECTION_SUPERSEDED``.
Scope is the caller's (``scoping.merchant_inspection_or_404``); the service checks again that
the author is the inspection's merchant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Inspection, MerchantReply, User
from inspect_app.models.user import Role
from inspect_app.services import audit

#: How long after an inspection is received its merchant may reply.
REPLY_WINDOW = timedelta(days=21)


def window_closes(inspection: Inspection) -> datetime:
    """The last moment a reply to ``inspection`` is accepted."""
    return inspection.received_at + REPLY_WINDOW


def window_open(inspection: Inspection, now: datetime) -> bool:
    return now <= window_closes(inspection)


def is_superseded(inspection: Inspection) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Inspection.supersedes_id == inspection.id)))
    )


def for_inspection(inspection_id: int) -> MerchantReply | None:
    """The merchant's reply to an inspection, if it wrote one (for the staff's pages too)."""
    return db.session.scalar(
        select(MerchantReply).where(MerchantReply.inspection_id == inspection_id)
    )


def for_inspections(inspection_ids: Iterable[int]) -> dict[int, MerchantReply]:
    """The replies to several inspections at once, by inspection id (one query)."""
    ids = list(inspection_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(MerchantReply).where(MerchantReply.inspection_id.in_(ids)))
    return {reply.inspection_id: reply for reply in rows}


def write(actor: User, inspection: Inspection, body: str, now: datetime) -> MerchantReply:
    """Keep the merchant's reply with ``inspection`` (flushes; the caller commits).

    :raises AppError: ``NOT_FOUND`` (not the author's merchant), ``REPLY_EXISTS``,
        ``INSPECTION_SUPERSEDED`` or ``REPLY_WINDOW_CLOSED``.
    """
    if actor.role != Role.MERCHANT or actor.merchant_id != inspection.merchant_id:
        raise AppError("NOT_FOUND")
    if for_inspection(inspection.id) is not None:
        raise AppError("REPLY_EXISTS")
    if is_superseded(inspection):
        raise AppError("INSPECTION_SUPERSEDED")
    if not window_open(inspection, now):
        raise AppError("REPLY_WINDOW_CLOSED")
    reply = MerchantReply(
        inspection_id=inspection.id,
        merchant_id=inspection.merchant_id,
        author_id=actor.id,
        body=body,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reply)
            db.session.flush()
    except IntegrityError as exc:  # a second reply sent at the same moment
        raise AppError("REPLY_EXISTS") from exc
    audit.record(
        actor,
        "inspection.reply",
        "inspection",
        inspection.uuid,
        {"reply": reply.id, "merchant": inspection.merchant_id, "chars": len(body)},
    )
    return reply
