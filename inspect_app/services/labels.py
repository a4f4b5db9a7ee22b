"""QR labels for a whole market, and replacing one instrument's label (rotating its token).

* A market's sheet holds every instrument on its stalls that is **in service or under a repair
  order**: both stand on a counter where shoppers scan them (the public page shows a repair
  order as such). Condemned, seized and retired instruments are off the counter and get none.
  Order: stall number (naturally: A-2 before A-10; no stall last), then code.
* Replacing a label gives the instrument a new token: the old one is kept in
  ``retired_qr_token`` so ``/q/<old>`` answers 410 "label replaced" instead of 404, the change
  log gets the instrument (tablets pull the new token) and the audit ledger the rotation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, User
from inspect_app.models.instrument import InstrumentKind, InstrumentStatus, RetiredQrToken
from inspect_app.services import reference
from inspect_app.services.label_sheet import LabelText, render_sheets
from inspect_app.services.qr_labels import label_url

#: Instruments that get a label on a market's sheet.
PRINTED_STATUSES = (InstrumentStatus.IN_SERVICE, InstrumentStatus.REPAIR_ORDER)
#: (Chinese, English) name of each kind, as printed.
KindNames = Mapping[InstrumentKind, tuple[str, str]]

_DIGITS = re.compile(r"(\d+)")


def stall_sort_key(stall_no: str | None) -> tuple[int, tuple[tuple[int, int, str], ...]]:
    """Natural order of stall numbers: digit runs compare as numbers, text case-insensitively;
    merchants without a stall number come last."""
    if not stall_no:
        return (1, ())
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(stall_no.strip())
        if part
    )
    return (0, parts)


def market_instruments(market: Market) -> list[tuple[Instrument, str | None]]:
    """The instruments a market's sheet labels, with their stall numbers, in print order."""
    rows = db.session.execute(
        select(Instrument, Merchant.stall_no)
        .join(Merchant, Instrument.merchant_id == Merchant.id)
        .where(Merchant.market_id == market.id, Instrument.status.in_(PRINTED_STATUSES))
    ).all()
    pairs = [(instrument, stall_no) for instrument, stall_no in rows]
    pairs.sort(key=lambda pair: (stall_sort_key(pair[1]), pair[0].code))
    return pairs


def market_label_sheet(market: Market, base_url: str, kinds: KindNames, font_path: Path) -> bytes:
    """The PDF of a market's labels (A4, 3 × 8 labels of 70 × 37 mm; several pages if needed).

    :param base_url: what the codes point at (``<base_url>/q/<token>``).
    :param kinds: the printed name of each instrument kind, Chinese and English.
    :param font_path: the vendored CJK font subset (``static/`` + ``label_sheet.FONT_FILE``).
    """
    labels = [
        LabelText(
            url=label_url(base_url, instrument.qr_token),
            code=instrument.code,
            kind_zh=kinds[instrument.kind][0],
            kind_en=kinds[instrument.kind][1],
            stall_no=stall_no,
        )
        for instrument, stall_no in market_instruments(market)
    ]
    return render_sheets(labels, font_path, title=f"QR labels {market.code}")


def rotate_token(actor: User, instrument: Instrument) -> Instrument:
    """Replace the instrument's label token; the old token is retired (``/q/<old>`` → 410).

    The instrument row is locked first (PostgreSQL; SQLite request transactions already hold
    the write lock), so two replacements at once retire each token exactly once.
    """
    db.session.refresh(instrument, with_for_update=True)
    old_token = instrument.qr_token
    reference.rotate_qr_token(actor, instrument)  # new token, change log, audit entry
    db.session.add(
        RetiredQrToken(qr_token=old_token, instrument_id=instrument.id, retired_by_id=actor.id)
    )
    db.session.flush()
    return instrument
