"""Read model of the public instrument page (``/q/<token>``): what a shopper may see, only that.

The page is what every QR label leads to, so it is built from one statement: the instrument's
public columns, its merchant's trade name and stall number, the market's name, the date and
verdict of its latest inspection and the latest year of the merchant's honesty commitment
(subqueries). A token that matches no instrument costs a
second lookup in ``retired_qr_token`` (a replaced label answers 410, not 404).

Never selected, so never at hand to leak: the merchant's contact name and phone, its uscc,
anybody's user record (inspectors included), coordinates, serial and certificate numbers, and
internal ids.

The merchant's honesty grade comes from ``merchant_grade`` (the current grade, kept by
``services/credit.py``) with the reasons of its snapshot: two outer joins on primary keys.

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

from sqlalchemy import Row, Select, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from inspect_app.domain.traffic_light import LOCAL_ZONE, TrafficLight, traffic_light
from inspect_app.extensions import db
from inspect_app.models import (
    Commitment,
    CreditSnapshot,
    Inspection,
    Instrument,
    Market,
    Merchant,
    MerchantGrade,
    RetiredQrToken,
)
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
    """A merchant's published honesty grade (诚信等级): the current grade (docs/credit.md)."""

    grade: str
    #: The day (Asia/Shanghai) it was computed.
    published_on: date
    score: Decimal | None
    #: Reason codes (``provisional``, or a cap); the page writes them out in words.
    reasons: tuple[str, ...]


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
    #: The latest year for which the merchant signed the honesty commitment (never who signed).
    commitment_year: int | None = None

    def light(self, today: date) -> TrafficLight:
        return traffic_light(self.status, self.valid_until, today)

    def signed_commitment(self, today: date) -> int | None:
        """This year, when this year's honesty commitment is signed (else None: a lapsed one
        says nothing)."""
        return today.year if self.commitment_year == today.year else None


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
    commitment_year = (
        select(func.max(Commitment.year))
        .where(Commitment.merchant_id == Merchant.id)
        .correlate(Merchant)
        .scalar_subquery()
    )
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
            commitment_year.label("commitment_year"),
            MerchantGrade.grade.label("grade"),
            MerchantGrade.score.label("grade_score"),
            MerchantGrade.computed_at.label("grade_computed_at"),
            CreditSnapshot.reasons.label("grade_reasons"),
        )
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .outerjoin(Market, Merchant.market_id == Market.id)
        .outerjoin(MerchantGrade, MerchantGrade.merchant_id == Merchant.id)
        .outerjoin(CreditSnapshot, CreditSnapshot.id == MerchantGrade.snapshot_id)
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
        honesty_grade=honesty_grade(m),
        commitment_year=m["commitment_year"],
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


def honesty_grade(m: Any) -> HonestyGrade | None:
    """The merchant's current grade from the page's row (``None`` before its first snapshot:
    the page says "not yet published")."""
    if m["grade"] is None:
        return None
    return HonestyGrade(
        grade=m["grade"],
        published_on=m["grade_computed_at"].astimezone(LOCAL_ZONE).date(),
        score=m["grade_score"],
        reasons=tuple(m["grade_reasons"] or ()),
    )
