"""Registering and editing markets, merchants and instruments one by one (the web forms).

Every change goes through :mod:`inspect_app.services.reference`, so the change log gets a row
and tablets receive it by pull, and into the audit ledger (the names of the fields changed,
never their values: contact details are personal data). Scope: an admin registers anywhere, a
supervisor in their own region (:func:`scoping.may_register_in`); anything else is
``NOT_FOUND``. Row rules are :mod:`inspect_app.domain.registry_rules`, the ones the importer
applies; a problem is ``VALIDATION_FAILED`` with ``{field: [{"code", "en", "zh"}]}``.

What stays fixed once registered (docs/registry.md): a market's code and region, an
instrument's code, merchant and status (status follows inspections and repair orders), and
a merchant's region (it may move to another market of its region).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from inspect_app.domain.registry_rules import (
    InstrumentFields,
    RuleIssue,
    check_code,
    check_instrument,
    check_uscc,
    issues_by_field,
    normalize_code,
)
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.change import ChangeOp
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.services import audit, reference, rollups, scoping

T = TypeVar("T")

MARKET_FIELDS = ("name_zh", "name_en", "lat", "lon", "geofence_radius_m")
MERCHANT_FIELDS = ("name", "kind", "stall_no", "uscc", "contact_name", "contact_phone")
INSTRUMENT_FIELDS = (
    "kind",
    "make",
    "model",
    "serial",
    "accuracy_class",
    "max_capacity",
    "min_capacity",
    "e_value",
    "d_value",
    "certificate_no",
    "verifying_body",
    "verified_at",
    "valid_until",
)


def _refuse(issues: Iterable[RuleIssue]) -> None:
    found = list(issues)
    if found:
        raise AppError("VALIDATION_FAILED", issues_by_field(found))


def _insert(make: Callable[[], T], issue: RuleIssue) -> T:
    """Insert in a savepoint: the unique index has the last word when two people register the
    same code at once (PostgreSQL; SQLite's writers queue), and the loser hears ``issue``."""
    try:
        with db.session.begin_nested():
            return make()
    except IntegrityError:
        _refuse([issue])
        raise


def _require_scope(actor: User, region_id: int | None) -> None:
    if not scoping.may_register_in(actor, region_id):
        raise AppError("NOT_FOUND")


def _taken(column: Any, value: object, *, besides: ColumnElement[bool] | None = None) -> bool:
    query = select(func.count()).where(column == value)
    if besides is not None:
        query = query.where(besides)
    return bool(db.session.scalar(query))


def _with_kind(
    data: Mapping[str, Any], kinds: type[InstrumentKind] | type[MerchantKind]
) -> dict[str, Any]:
    """``data`` with its ``kind`` as the model's enum member."""
    return {**data, "kind": kinds(data["kind"])}


def _changed(row: object, data: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """Set each of ``names`` from ``data`` on ``row``; return those whose value changed."""
    changed = []
    for name in names:
        if getattr(row, name) != data.get(name):
            setattr(row, name, data.get(name))
            changed.append(name)
    return changed


# ---------------------------------------------------------------- markets


def create_market(actor: User, data: Mapping[str, Any]) -> Market:
    """A new market in ``data["region_id"]`` (a supervisor's own region when absent)."""
    region_id = data.get("region_id") or actor.region_id
    if region_id is None or db.session.get(Region, region_id) is None:
        if actor.region_id is None:  # an admin who chose no (or no real) region
            _refuse([RuleIssue("region_id", "REGION_REQUIRED", "Choose a region.", "请选择辖区。")])
        raise AppError("NOT_FOUND")
    _require_scope(actor, region_id)
    code = normalize_code(data["code"])
    _refuse(check_code(code))
    if _taken(Market.code, code):
        _refuse([_code_taken()])
    fields = {n: data[n] for n in MARKET_FIELDS}
    market = _insert(
        lambda: reference.add_market(actor, region_id=region_id, code=code, **fields),
        _code_taken(),
    )
    audit.record(actor, "market.create", "market", market.id, {"code": code})
    return market


def _code_taken() -> RuleIssue:
    return RuleIssue("code", "CODE_TAKEN", "This code is already registered.", "该编码已登记。")


def update_market(actor: User, market: Market, data: Mapping[str, Any]) -> None:
    _require_scope(actor, market.region_id)
    changed = _changed(market, data, MARKET_FIELDS)
    if changed:
        reference.log_change("market", market.id, market.region_id, ChangeOp.UPSERT)
        audit.record(actor, "market.update", "market", market.id, {"changed": changed})


def markets_for(user: User) -> list[Market]:
    """The markets ``user`` may see, by region then code."""
    query = select(Market).where(scoping.region_clause(user, Market.region_id))
    return list(db.session.scalars(query.order_by(Market.region_id, Market.code)))


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def markets_in_region(region_id: int) -> list[Market]:
    query = select(Market).where(Market.region_id == region_id).order_by(Market.code)
    return list(db.session.scalars(query))


def market_contents(market: Market) -> tuple[list[Merchant], list[Instrument]]:
    """A market's merchants (by stall number) and their instruments (by code)."""
    merchants = list(
        db.session.scalars(
            select(Merchant)
            .where(Merchant.market_id == market.id)
            .order_by(Merchant.stall_no, Merchant.id)
        )
    )
    instruments = list(
        db.session.scalars(
            select(Instrument)
            .join(Merchant)
            .where(Merchant.market_id == market.id)
            .order_by(Instrument.code)
        )
    )
    return merchants, instruments


# ---------------------------------------------------------------- merchants


def _merchant_issues(
    data: Mapping[str, Any], market_id: int | None, merchant: Merchant | None
) -> list[RuleIssue]:
    """USCC well formed (unless an edit leaves a stored one as it was) and not another
    merchant's; stall number not another merchant's in the same market (the importer finds a
    merchant by market and stall number)."""
    issues: list[RuleIssue] = []
    others = None if merchant is None else Merchant.id != merchant.id
    uscc = data.get("uscc")
    if uscc and (merchant is None or uscc != merchant.uscc):
        issues += check_uscc(uscc)
        if not issues and _taken(Merchant.uscc, uscc, besides=others):
            issues.append(
                RuleIssue(
                    "uscc",
                    "USCC_TAKEN",
                    "Another merchant is registered with this code.",
                    "已有其他经营者以该代码登记。",
                )
            )
    stall = data.get("stall_no")
    if stall and market_id is not None:
        where = Merchant.market_id == market_id
        if _taken(Merchant.stall_no, stall, besides=where if others is None else where & others):
            issues.append(
                RuleIssue(
                    "stall_no",
                    "STALL_TAKEN",
                    "Another merchant of this market has this stall number.",
                    "本市场已有其他经营者使用该摊位号。",
                )
            )
    return issues


def create_merchant(actor: User, market: Market, data: Mapping[str, Any]) -> Merchant:
    """A new merchant at ``market`` (in the market's region)."""
    _require_scope(actor, market.region_id)
    _refuse(_merchant_issues(data, market.id, None))
    data = _with_kind(data, MerchantKind)
    merchant = reference.add_merchant(
        actor,
        region_id=market.region_id,
        market_id=market.id,
        **{n: data.get(n) for n in MERCHANT_FIELDS},
    )
    audit.record(actor, "merchant.create", "merchant", merchant.id, {"market_id": market.id})
    return merchant


def update_merchant(actor: User, merchant: Merchant, data: Mapping[str, Any]) -> None:
    """Edit a merchant; ``data["market_id"]`` may name another market of its region, or none."""
    _require_scope(actor, merchant.region_id)
    market_id = data.get("market_id")
    if market_id is not None:
        market = db.session.get(Market, market_id)
        if market is None or market.region_id != merchant.region_id:
            _refuse(
                [
                    RuleIssue(
                        "market_id",
                        "MARKET_OTHER_REGION",
                        "Choose a market of the merchant's region.",
                        "请选择该经营者所在辖区的市场。",
                    )
                ]
            )
    _refuse(_merchant_issues(data, market_id, merchant))
    data = _with_kind(data, MerchantKind)
    old_market_id = merchant.market_id
    changed = _changed(merchant, data, (*MERCHANT_FIELDS, "market_id"))
    if merchant.market_id != old_market_id:
        db.session.flush()
        rollups.merchant_moved(merchant.id, old_market_id)  # its history moves with it
    if changed:
        reference.log_change("merchant", merchant.id, merchant.region_id, ChangeOp.UPSERT)
        audit.record(actor, "merchant.update", "merchant", merchant.id, {"changed": changed})


# ---------------------------------------------------------------- instruments


def _instrument_fields(code: str, data: Mapping[str, Any]) -> InstrumentFields:
    return InstrumentFields(
        code=code,
        kind=data["kind"],
        accuracy_class=data.get("accuracy_class"),
        max_capacity=data.get("max_capacity"),
        min_capacity=data.get("min_capacity"),
        e_value=data.get("e_value"),
        d_value=data.get("d_value"),
        verified_at=data.get("verified_at"),
        valid_until=data.get("valid_until"),
    )


def create_instrument(
    actor: User, merchant: Merchant, data: Mapping[str, Any], classes: frozenset[str]
) -> Instrument:
    """A new instrument of ``merchant``, in service, with a fresh label token.

    :param classes: the accuracy classes the active rule pack covers.
    """
    _require_scope(actor, merchant.region_id)
    code = normalize_code(data["code"])
    issues = check_instrument(_instrument_fields(code, data), classes)
    if not any(i.field == "code" for i in issues) and _taken(Instrument.code, code):
        issues.append(_code_taken())
    _refuse(issues)
    data = _with_kind(data, InstrumentKind)
    fields = {n: data.get(n) for n in INSTRUMENT_FIELDS}
    instrument = _insert(
        lambda: reference.add_instrument(actor, merchant, code=code, **fields), _code_taken()
    )
    audit.record(actor, "instrument.create", "instrument", instrument.id, {"code": code})
    return instrument


def update_instrument(
    actor: User, instrument: Instrument, data: Mapping[str, Any], classes: frozenset[str]
) -> None:
    """Edit an instrument's registered data (not its code, merchant or status)."""
    _require_scope(actor, instrument.merchant.region_id)
    _refuse(check_instrument(_instrument_fields(instrument.code, data), classes))
    data = _with_kind(data, InstrumentKind)
    changed = _changed(instrument, data, INSTRUMENT_FIELDS)
    if changed:
        reference.touch_instrument(instrument)
        audit.record(actor, "instrument.update", "instrument", instrument.id, {"changed": changed})
