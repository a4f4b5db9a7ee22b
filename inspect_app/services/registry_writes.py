"""The registry as a registry import sees it: lookups by code and stall, and the writes.

Scope: the command line (actor None) may use every market; a user only the markets where
:func:`scoping.may_register_in` holds (admins all, supervisors their district). An instrument
code held by a merchant outside that scope can be neither updated nor reused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.domain.registry_issues import Issue
from inspect_app.domain.registry_rows import RegistryRow
from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.services import reference, scoping

StallKey = tuple[str, str]  # (market code, stall number)


def instrument_fields(row: RegistryRow) -> dict[str, Any]:
    """The ``Instrument`` attributes a row sets. Empty optional text cells (make, model,
    serial_no, certificate_no) are left out: an update keeps what is registered."""
    fields: dict[str, Any] = {
        "kind": InstrumentKind(row.instrument_kind),
        "accuracy_class": row.accuracy_class,
        "max_capacity": row.max,
        "min_capacity": row.min,
        "e_value": row.e,
        "d_value": row.d,
        "verified_at": row.verified_at,
        "valid_until": row.valid_until,
    }
    optional = {
        "make": row.make,
        "model": row.model,
        "serial": row.serial_no,
        "certificate_no": row.certificate_no,
    }
    return fields | {k: v for k, v in optional.items() if v is not None}


def stall_label(merchant: Merchant) -> str:
    """How a message names a merchant: its name, and its market and stall when it has them."""
    if merchant.market is not None and merchant.stall_no:
        return f"{merchant.name}, {merchant.market.code} {merchant.stall_no}"
    return merchant.name


class Registry:
    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self._markets: dict[str, Market] | None = None
        self._by_id: dict[int, Market] = {}
        #: Merchants the write pass has matched or created, by stall: (id, region id).
        self.merchants: dict[StallKey, tuple[int, int]] = {}

    def market(self, code: str) -> Market | None:
        """A market the importer may register in, by code; None otherwise (unknown)."""
        if self._markets is None:
            query = select(Market)
            if self.actor is not None:
                query = query.where(scoping.region_clause(self.actor, Market.region_id))
            markets = [
                m
                for m in db.session.scalars(query)
                if self.actor is None or scoping.may_register_in(self.actor, m.region_id)
            ]
            self._markets = {m.code: m for m in markets}
            self._by_id = {m.id: m for m in markets}
        return self._markets.get(code)

    def may_change(self, instrument: Instrument) -> bool:
        if self.actor is None:
            return True
        return scoping.may_register_in(self.actor, instrument.merchant.region_id)

    def merchants_at(self, keys: Iterable[StallKey]) -> dict[StallKey, list[Merchant]]:
        """The merchants registered at each stall (a stall should have one at most)."""
        wanted = set(keys)
        market_ids = {m.id for code, _ in wanted if (m := self.market(code)) is not None}
        if not market_ids:
            return {}
        stall_nos = {stall for _, stall in wanted}
        query = select(Merchant).where(
            Merchant.market_id.in_(market_ids), Merchant.stall_no.in_(stall_nos)
        )
        found: dict[StallKey, list[Merchant]] = {}
        for merchant in db.session.scalars(query.order_by(Merchant.id)):
            market = self._by_id[merchant.market_id]  # type: ignore[index]
            key = (market.code, merchant.stall_no or "")
            if key in wanted:
                found.setdefault(key, []).append(merchant)
        return found

    def instruments(self, codes: Iterable[str]) -> dict[str, Instrument]:
        query = (
            select(Instrument)
            .where(Instrument.code.in_(set(codes)))
            .options(joinedload(Instrument.merchant).joinedload(Merchant.market))
        )
        return {i.code: i for i in db.session.scalars(query)}

    def write(self, rows: list[RegistryRow]) -> Issue | None:
        """Create or update one chunk of clean rows; an issue when the registry changed.

        New merchants, then new instruments, are inserted together (one flush each, so the
        database sees batched INSERTs), each with its change-log row
        (:func:`reference.log_change`, what ``reference.add_*`` does one by one).
        """
        new: dict[StallKey, Merchant] = {}
        found = self.merchants_at(
            {(r.market_code, r.stall_no) for r in rows} - self.merchants.keys()
        )
        for row in rows:
            key = (row.market_code, row.stall_no)
            if key in self.merchants or key in new:
                continue
            market = self.market(row.market_code)
            candidates = found.get(key, [])
            if market is None or len(candidates) > 1:
                return Issue("FILE_CHANGED", row.row)
            if candidates:
                self.merchants[key] = (candidates[0].id, candidates[0].region_id)
                continue
            new[key] = Merchant(
                region_id=market.region_id,
                market_id=market.id,
                kind=MerchantKind(row.merchant_kind),
                name=row.merchant_name,
                stall_no=row.stall_no,
            )
        _insert("merchant", list(new.values()), lambda m: m.region_id)
        self.merchants |= {key: (m.id, m.region_id) for key, m in new.items()}
        existing = self.instruments(r.instrument_code for r in rows)
        created: list[Instrument] = []
        regions: dict[int, int] = {}  # merchant id → region id, for the change log
        for row in rows:
            merchant_id, region_id = self.merchants[(row.market_code, row.stall_no)]
            instrument = existing.get(row.instrument_code)
            fields = instrument_fields(row)
            if instrument is None:
                regions[merchant_id] = region_id
                created.append(
                    Instrument(merchant_id=merchant_id, code=row.instrument_code, **fields)
                )
                continue
            if instrument.merchant_id != merchant_id or not self.may_change(instrument):
                return Issue("FILE_CHANGED", row.row)
            changed = {k: v for k, v in fields.items() if getattr(instrument, k) != v}
            if changed:
                for name, value in changed.items():
                    setattr(instrument, name, value)
                with db.session.no_autoflush:  # see _insert
                    reference.touch_instrument(instrument)
        _insert("instrument", created, lambda i: regions[i.merchant_id])
        return None


def _insert(entity: str, rows: list[Any], region_of: Callable[[Any], int]) -> None:
    """Insert ``rows`` in one flush, then give each its change-log row.

    Without autoflush: on PostgreSQL ``log_change`` locks the change log with a statement,
    which would otherwise first flush the previous row's entry alone (one INSERT per row);
    the entries are flushed together instead.
    """
    if not rows:
        return
    db.session.add_all(rows)
    db.session.flush()
    with db.session.no_autoflush:
        for row in rows:
            reference.log_change(entity, row.id, region_of(row), ChangeOp.UPSERT)
    db.session.flush()
