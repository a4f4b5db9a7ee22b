"""Keep each instrument's stored status equal to what its orders and verification say.

The rule is :func:`inspect_app.domain.instrument_status.derive`; this module reads the inputs,
writes the result and logs the change so tablets get it on their next pull.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, or_, select

from inspect_app.domain import instrument_status
from inspect_app.extensions import db
from inspect_app.models import Instrument, Order
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES
from inspect_app.models.instrument import InstrumentStatus
from inspect_app.services import reference


def _active_kinds(instrument_id: int) -> list[str]:
    rows = db.session.scalars(
        select(Order.kind).where(
            Order.instrument_id == instrument_id, Order.status.in_(ACTIVE_ORDER_STATUSES)
        )
    )
    return [kind.value for kind in rows]


def refresh(instrument: Instrument, today: date) -> bool:
    """Derive and store the instrument's status; True when it changed (and was logged)."""
    db.session.flush()  # orders changed in this transaction must be visible to the query
    status = instrument_status.derive(
        instrument.status.value, _active_kinds(instrument.id), instrument.valid_until, today
    )
    if status == instrument.status.value:
        return False
    instrument.status = InstrumentStatus(status)
    reference.touch_instrument(instrument)
    return True


def refresh_many(instrument_ids: Iterable[int], today: date) -> int:
    """:func:`refresh` each instrument; the number whose status changed."""
    changed = 0
    for instrument_id in sorted(set(instrument_ids)):
        instrument = db.session.get(Instrument, instrument_id)
        if instrument is not None and refresh(instrument, today):
            changed += 1
    return changed


def refresh_by_date(today: date) -> int:
    """The daily pass: verifications that ran out, or were renewed, since the last one.

    Only instruments whose stored status could be wrong by date are read: in service with an
    expired mark, or marked expired without an active re-verification order.
    """
    candidates = db.session.scalars(
        select(Instrument.id).where(
            or_(
                and_(
                    Instrument.status == InstrumentStatus.IN_SERVICE,
                    Instrument.valid_until < today,
                ),
                Instrument.status == InstrumentStatus.VERIFICATION_EXPIRED,
            )
        )
    ).all()
    return refresh_many(candidates, today)
