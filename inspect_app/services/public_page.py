"""Read model of the public instrument page (``/q/<token>``): what a shopper may see, only that.

The page is what every QR label leads to, so it is built from one statement: the instrument's
public columns, its merchant's trade name and stall number, the market's name and the date and
verdict of its latest inspection (a subquery). A token that matches no instrument costs a
second lookup in ``retired_qr_token`` (a replaced label answers 410, not 404).

Never selected, so never at hand to leak: the merchant's contact name and phone, its uscc,
anybody's user record (inspectors included), coordinates, serial and certificate numbers, and
internal ids (the merchant id is kept only for :func:`honesty_grade`, never rendered).

"Latest inspection" is the newest by ``captured_at`` (then id) among the inspections citing the
instrument that no other inspection supersedes: a corrected record is no longer the latest
word, its correction is.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, exists, select
from sqlalchemy.orm import aliased

from inspect_app.domain.traffic_light import TrafficLight, traffic_light
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Market, Merchant, RetiredQrToken
from inspect_app.models.instrument import SCALE_KINDS

#: What :func:`inspect_app.models.instrument.new_qr_token` makes (URL-safe base64, 32 chars),
#: with room for older or imported tokens. Anything else cannot be a label: no query is spent.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Outcome(enum.StrEnum):
    FOUND = "found"
    REPLACED = "replaced"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LastInspection:
    captured_at: datetime
    #: ``pass`` or ``fail`` (the server's verdict).
    verdict: str


@dataclass(frozen=True)
class HonestyGrade:
    """A merchant's published honesty grade (诚信等级). Filled in by the credit issue."""

    grade: str
    published_on: date


@dataclass(frozen=True)
class PublicInstrument:
    """Everything the page shows, and nothing it must not."""

    qr_token: str
    code: str
    kind: str
    is_scale: bool
    accuracy_class: str | None
    max_capacity: Decimal | None
    min_capacity: Decimal | None
    e_value: Decimal | None
    status: str
    valid_until: date | None
    trade_name: str
    stall_no: str | None
    market_name_zh: str | None
    market_name_en: str | None
    last_inspection: LastInspection | None
    honesty_grade: HonestyGrade | None

    def light(self, today: date) -> TrafficLight:
        return traffic_light(self.status, self.valid_until, today)


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    instrument: PublicInstrument | None = None


def _page_statement() -> Select[*tuple[Any, ...]]:
    superseding = aliased(Inspection)
    latest_id = (
        select(Inspection.id)
        .where(
            Inspection.instrument_id == Instrument.id,
            ~exists().where(superseding.supersedes_id == Inspection.id),
        )
        .order_by(Inspection.captured_at.desc(), Inspection.id.desc())
        .limit(1)
        .correlate(Instrument)
        .scalar_subquery()
    )
    last = aliased(Inspection)
    return (
        select(
            Instrument.qr_token,
            Instrument.code,
            Instrument.kind,
            Instrument.accuracy_class,
            Instrument.max_capacity,
            Instrument.min_capacity,
            Instrument.e_value,
            Instrument.status,
            Instrument.valid_until,
            Merchant.id.label("merchant_id"),
            Merchant.name.label("trade_name"),
            Merchant.stall_no,
            Market.name_zh.label("market_name_zh"),
            Market.name_en.label("market_name_en"),
            last.captured_at.label("last_captured_at"),
            last.verdict.label("last_verdict"),
        )
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .outerjoin(Market, Merchant.market_id == Market.id)
        .outerjoin(last, last.id == latest_id)
        .where(Instrument.qr_token == bindparam("token"))
    )


# Built once: SQLAlchemy then reuses the compiled SQL for every request (its statement cache
# keys on the structure), and no per-request time goes into constructing the select.
_PAGE = _page_statement()
_RETIRED = select(RetiredQrToken.id).where(RetiredQrToken.qr_token == bindparam("token"))


def _instrument(row: Row[Any]) -> PublicInstrument:
    m = row._mapping
    last = None
    if m["last_captured_at"] is not None:
        last = LastInspection(m["last_captured_at"], str(m["last_verdict"].value))
    return PublicInstrument(
        qr_token=m["qr_token"],
        code=m["code"],
        kind=m["kind"].value,
        is_scale=m["kind"] in SCALE_KINDS,
        accuracy_class=m["accuracy_class"],
        max_capacity=m["max_capacity"],
        min_capacity=m["min_capacity"],
        e_value=m["e_value"],
        status=m["status"].value,
        valid_until=m["valid_until"],
        trade_name=m["trade_name"],
        stall_no=m["stall_no"],
        market_name_zh=m["market_name_zh"],
        market_name_en=m["market_name_en"],
        last_inspection=last,
        honesty_grade=honesty_grade(m["merchant_id"]),
    )


def lookup(token: str) -> Lookup:
    """The instrument a label token names, or whether the label was replaced, or nothing."""
    if not TOKEN_PATTERN.fullmatch(token):
        return Lookup(Outcome.UNKNOWN)
    # A Core connection of the session's engine, not the ORM session: these are column rows,
    # nothing to track, and the session's bookkeeping cost more than the query (about 310 µs
    # against 120 µs on SQLite). On PostgreSQL in autocommit: the page is one statement, which
    # reads one consistent snapshot by itself, so BEGIN and ROLLBACK (two round trips) are not
    # sent. SQLite stays as it is (a plain BEGIN in a read-only request, database.read_only):
    # its driver's autocommit switch would be undone, pool-wide, when the connection returns.
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        row = conn.execute(_PAGE, {"token": token}).first()
        if row is not None:
            return Lookup(Outcome.FOUND, _instrument(row))
        if conn.execute(_RETIRED, {"token": token}).first() is not None:
            return Lookup(Outcome.REPLACED)
    return Lookup(Outcome.UNKNOWN)


def honesty_grade(merchant_id: int) -> HonestyGrade | None:
    """The merchant's published honesty grade; ``None`` until the credit issue publishes grades.

    The seam the credit work fills: return the latest published grade of ``merchant_id`` (never
    a draft, never the reports or findings behind it). The page says "not yet published" for
    ``None``. Called once per page; keep it to one indexed lookup.
    """
    del merchant_id
    return None
