"""``sync/pull``: reference data changed since a cursor, scoped to the caller's region.

The cursor is the change log's ``seq``. A page holds at most ``limit`` log rows; several
changes to one row collapse into one entry carrying the row as it is now, and a row that no
longer exists is sent as a tombstone (``op = "delete"``) so devices drop it. Orders are on
the tablets while active (services/orders.py logs them): a closed or withdrawn one is a tombstone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from inspect_app.domain.text import neutralize_controls
from inspect_app.extensions import db
from inspect_app.models import ChangeLogEntry, Inspection, Instrument, Market, Merchant, Order, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.enforcement import ACTIVE_ORDER_STATUSES
from inspect_app.services import plan_pull
from inspect_app.services.scoping import change_log_clause

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Change:
    entity: str
    id: int
    op: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class PullPage:
    changes: list[Change]
    cursor: int
    has_more: bool


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _market(m: Market) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": {"zh": neutralize_controls(m.name_zh), "en": neutralize_controls(m.name_en)},
        "region": m.region_id,
        "lat": m.lat,
        "lon": m.lon,
        "geofence_radius_m": m.geofence_radius_m,
    }


def _merchant(m: Merchant) -> dict[str, Any]:
    # No contact details: a device cache is not the place for personal data. Names lose
    # invisible direction overrides and zero-width characters, as on the pages.
    return {
        "name": neutralize_controls(m.name),
        "kind": m.kind.value,
        "market": m.market_id,
        "region": m.region_id,
        "stall_no": m.stall_no,
        "uscc": m.uscc,
        "lat": m.lat,
        "lon": m.lon,
    }


def _instrument(i: Instrument, last: Inspection | None) -> dict[str, Any]:
    return {
        "code": i.code,
        "qr_token": i.qr_token,
        "kind": i.kind.value,
        "make": i.make,
        "model": i.model,
        "serial": i.serial,
        "accuracy_class": i.accuracy_class,
        "max": _num(i.max_capacity),
        "min": _num(i.min_capacity),
        "e": _num(i.e_value),
        "d": _num(i.d_value),
        "merchant": i.merchant_id,
        "status": i.status.value,
        "certificate_no": i.certificate_no,
        "verified_at": _day(i.verified_at),
        "valid_until": _day(i.valid_until),
        "last_inspection": None
        if last is None
        else {
            "uuid": last.uuid,
            "verdict": last.verdict.value,
            "captured_at": last.captured_at.isoformat(),
        },
    }


def _last_inspections(instrument_ids: Iterable[int]) -> dict[int, Inspection]:
    """The latest inspection of each instrument, in one query."""
    ids = list(instrument_ids)
    if not ids:
        return {}
    ranked = (
        select(
            Inspection.id,
            func.row_number()
            .over(partition_by=Inspection.instrument_id, order_by=Inspection.captured_at.desc())
            .label("rank"),
        )
        .where(Inspection.instrument_id.in_(ids))
        .subquery()
    )
    rows = db.session.scalars(
        select(Inspection).join(ranked, Inspection.id == ranked.c.id).where(ranked.c.rank == 1)
    )
    return {row.instrument_id: row for row in rows if row.instrument_id is not None}


def _load_markets(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.scalars(select(Market).where(Market.id.in_(ids)))
    return {m.id: _market(m) for m in rows}


def _load_merchants(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.scalars(select(Merchant).where(Merchant.id.in_(ids)))
    return {m.id: _merchant(m) for m in rows}


def _load_instruments(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = list(db.session.scalars(select(Instrument).where(Instrument.id.in_(ids))))
    last = _last_inspections(r.id for r in rows)
    return {r.id: _instrument(r, last.get(r.id)) for r in rows}


def _load_orders(ids: list[int]) -> dict[int, dict[str, Any]]:
    # Only active orders are on tablets: a closed or withdrawn one is missing here and so
    # goes out as a tombstone.
    rows = db.session.scalars(
        select(Order).where(Order.id.in_(ids), Order.status.in_(ACTIVE_ORDER_STATUSES))
    )
    return {
        o.id: {
            "kind": o.kind.value,
            "status": o.status.value,
            "instrument_id": o.instrument_id,
            "merchant_id": o.merchant_id,
            "finding_code": o.finding_code,
            "due_date": o.due_date.isoformat(),
            "created_at": o.created_at.isoformat(),
        }
        for o in rows
    }


#: One query per entity per page, whatever the page holds.
_LOADERS: Mapping[str, Callable[[list[int]], dict[int, dict[str, Any]]]] = {
    "market": _load_markets,
    "merchant": _load_merchants,
    "instrument": _load_instruments,
    "order": _load_orders,
}
#: Entities whose rows depend on who pulls and on the day (the inspector's own plan items).
_USER_LOADERS: Mapping[str, Callable[[User, date | None, list[int]], dict[int, dict[str, Any]]]] = {
    "plan_item": plan_pull.load_plan_items,
}


def _load(entity: str, ids: list[int], user: User, today: date | None) -> dict[int, dict[str, Any]]:
    if entity in _USER_LOADERS:
        return _USER_LOADERS[entity](user, today, ids)
    return _LOADERS[entity](ids)


def pull(user: User, cursor: int, limit: int, today: date | None = None) -> PullPage:
    """One page of changes after ``cursor`` that ``user`` may see.

    :param cursor: the ``cursor`` of the previous page, 0 for a full download.
    :param limit: log rows per page, 1..:data:`MAX_LIMIT`.
    :param today: the local date; plan items of earlier plans go out as tombstones (None:
        no date limit).
    """
    query = select(ChangeLogEntry).where(ChangeLogEntry.seq > cursor, change_log_clause(user))
    rows = list(db.session.scalars(query.order_by(ChangeLogEntry.seq).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    # Last op per (entity, id) within the page, kept in order of first appearance.
    latest: dict[tuple[str, int], ChangeLogEntry] = {}
    for row in rows:
        latest.pop((row.entity, row.entity_id), None)
        latest[(row.entity, row.entity_id)] = row
    by_entity: dict[str, list[int]] = {}
    for entity, entity_id in latest:
        by_entity.setdefault(entity, []).append(entity_id)
    data = {entity: _load(entity, ids, user, today) for entity, ids in by_entity.items()}
    changes = []
    for (entity, entity_id), row in latest.items():
        current = data[entity].get(entity_id)
        if row.op == ChangeOp.DELETE or current is None:
            changes.append(Change(entity, entity_id, "delete", None))
        else:
            changes.append(Change(entity, entity_id, "upsert", current))
    next_cursor = rows[-1].seq if rows else cursor
    return PullPage(changes=changes, cursor=next_cursor, has_more=has_more)
