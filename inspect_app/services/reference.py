"""Reference data that devices cache: markets, merchants, instruments.

Every change goes through here so it lands in the change log that ``sync/pull`` reads.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text

from inspect_app.extensions import db
from inspect_app.models import ChangeLogEntry, Instrument, Market, Merchant, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.instrument import new_qr_token
from inspect_app.services import audit

logger = logging.getLogger(__name__)


def log_change(entity: str, entity_id: int, region_id: int | None, op: ChangeOp) -> None:
    """Append to the change log.

    On PostgreSQL the table is locked (EXCLUSIVE still lets readers in) until commit, so
    sequence numbers become visible in order and a pull can never skip a change that commits
    late. Reference data changes are rare; serialising their writers costs nothing.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE change_log IN EXCLUSIVE MODE"))
    db.session.add(ChangeLogEntry(entity=entity, entity_id=entity_id, op=op, region_id=region_id))


def _add(entity: str, row: Market | Merchant | Instrument, region_id: int) -> None:
    db.session.add(row)
    db.session.flush()  # the id is what the change log records
    log_change(entity, row.id, region_id, ChangeOp.UPSERT)


def add_market(actor: User | None, **fields: Any) -> Market:
    market = Market(**fields)
    _add("market", market, market.region_id)
    return market


def add_merchant(actor: User | None, **fields: Any) -> Merchant:
    merchant = Merchant(**fields)
    _add("merchant", merchant, merchant.region_id)
    return merchant


def add_instrument(actor: User | None, merchant: Merchant, **fields: Any) -> Instrument:
    instrument = Instrument(merchant_id=merchant.id, **fields)
    _add("instrument", instrument, merchant.region_id)
    return instrument


def touch_instrument(instrument: Instrument) -> None:
    """Record that an instrument's cached data changed (status, verification, token)."""
    log_change("instrument", instrument.id, instrument.merchant.region_id, ChangeOp.UPSERT)


def rotate_qr_token(actor: User, instrument: Instrument) -> str:
    """Give an instrument a new label token (a copied label stops resolving at once)."""
    instrument.qr_token = new_qr_token()
    touch_instrument(instrument)
    audit.record(actor, "instrument.rotate_qr", "instrument", instrument.id)
    return instrument.qr_token
