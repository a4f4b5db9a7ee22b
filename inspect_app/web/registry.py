"""Registry pages: markets, merchants and instruments, registered and edited one by one.

Who (docs/registry.md): staff read the markets of their region (admins all); admins register
and edit anywhere, supervisors in their own region; inspectors read only; merchant users see
none of this (403). Out of scope is 404 (``services/scoping.py``). Each POST parses the form
with a schema (``schemas/registry.py``), calls one service (``services/registry.py``), and
either redirects to the market page or shows the form again with what was typed and each
problem beside its input (422: nothing is written).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from werkzeug.wrappers import Response

from inspect_app import registry as app_registry
from inspect_app.auth import require_user, roles_required
from inspect_app.domain.registry_rules import scale_classes
from inspect_app.error_handlers import request_lang
from inspect_app.models import Instrument, Market, Merchant
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.schemas import registry as forms
from inspect_app.services import registry
from inspect_app.services.scoping import (
    instrument_or_404,
    market_or_404,
    merchant_or_404,
    sees_contact_details,
)
from inspect_app.web.form_pages import (
    FormPage,
    Page,
    plain_number,
    render_form,
    submit,
    values_of,
)

bp = Blueprint("registry", __name__)
bp.add_app_template_filter(plain_number, "plain_number")

STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR)
REGISTRARS = (Role.ADMIN, Role.SUPERVISOR)


def _classes() -> frozenset[str]:
    return scale_classes(app_registry.rule_pack())


# ---------------------------------------------------------------- markets


@bp.get("/markets/")
@roles_required(*STAFF)
def markets() -> str:
    user = require_user()
    return render_template(
        "registry/markets.html",
        markets=registry.markets_for(user),
        may_register=user.role in REGISTRARS,
        lang=request_lang(),
    )


@bp.get("/markets/<int:market_id>")
@roles_required(*STAFF)
def market(market_id: int) -> str:
    user = require_user()
    found = market_or_404(user, market_id)
    merchants, instruments = registry.market_contents(found)
    return render_template(
        "registry/market.html",
        market=found,
        merchants=merchants,
        instruments=instruments,
        may_register=user.role in REGISTRARS,
        contacts={m.id for m in merchants if sees_contact_details(user, m)},
        saved=request.args.get("saved") == "1",
        today=date.today(),
        lang=request_lang(),
    )


_MARKET_NAMES = ("code", "region_id", *registry.MARKET_FIELDS)
_MERCHANT_NAMES = ("market_id", *registry.MERCHANT_FIELDS)
_INSTRUMENT_NAMES = ("code", *registry.INSTRUMENT_FIELDS)


def _market_form(market: Market | None) -> FormPage:
    user = require_user()
    regions = registry.all_regions() if user.role == Role.ADMIN and market is None else []

    def page(values: Mapping[str, str], errors: Mapping[str, Any]) -> str:
        return render_form(
            "registry/market_form.html",
            values,
            errors,
            fields=registry.MARKET_FIELDS if market else _MARKET_NAMES,
            market=market,
            regions=regions,
        )

    return page


def _market_saved(market: Market) -> str:
    return url_for("registry.market", market_id=market.id, saved=1)


@bp.get("/markets/new")
@roles_required(*REGISTRARS)
def new_market() -> str:
    return _market_form(None)({"geofence_radius_m": "150"}, {})


@bp.post("/markets/new")
@roles_required(*REGISTRARS)
def create_market() -> Page | Response:
    user = require_user()
    return submit(
        forms.MarketCreateIn(),
        lambda data: _market_saved(registry.create_market(user, data)),
        _market_form(None),
    )


@bp.get("/markets/<int:market_id>/edit")
@roles_required(*REGISTRARS)
def edit_market(market_id: int) -> str:
    found = market_or_404(require_user(), market_id)
    return _market_form(found)(values_of(found, registry.MARKET_FIELDS), {})


@bp.post("/markets/<int:market_id>/edit")
@roles_required(*REGISTRARS)
def update_market(market_id: int) -> Page | Response:
    user = require_user()
    found = market_or_404(user, market_id)

    def save(data: dict[str, Any]) -> str:
        registry.update_market(user, found, data)
        return _market_saved(found)

    return submit(forms.MarketEditIn(), save, _market_form(found))


# ---------------------------------------------------------------- merchants


def _merchant_saved(merchant: Merchant) -> str:
    if merchant.market_id is None:
        return url_for("merchants.detail", merchant_id=merchant.id)
    return url_for("registry.market", market_id=merchant.market_id, saved=1)


def _merchant_form(market: Market | None, merchant: Merchant | None) -> FormPage:
    region_id = merchant.region_id if merchant is not None else market.region_id if market else 0
    markets = registry.markets_in_region(region_id) if merchant is not None else []

    def page(values: Mapping[str, str], errors: Mapping[str, Any]) -> str:
        return render_form(
            "registry/merchant_form.html",
            values,
            errors,
            fields=_MERCHANT_NAMES if merchant else registry.MERCHANT_FIELDS,
            market=market,
            merchant=merchant,
            markets=markets,
            kinds=list(MerchantKind),
        )

    return page


@bp.get("/markets/<int:market_id>/merchants/new")
@roles_required(*REGISTRARS)
def new_merchant(market_id: int) -> str:
    found = market_or_404(require_user(), market_id)
    return _merchant_form(found, None)({"kind": MerchantKind.STALL.value}, {})


@bp.post("/markets/<int:market_id>/merchants/new")
@roles_required(*REGISTRARS)
def create_merchant(market_id: int) -> Page | Response:
    user = require_user()
    found = market_or_404(user, market_id)
    return submit(
        forms.MerchantCreateIn(),
        lambda data: _merchant_saved(registry.create_merchant(user, found, data)),
        _merchant_form(found, None),
    )


@bp.get("/merchants/<int:merchant_id>/edit")
@roles_required(*REGISTRARS)
def edit_merchant(merchant_id: int) -> str:
    found = merchant_or_404(require_user(), merchant_id)
    values = values_of(found, _MERCHANT_NAMES)
    return _merchant_form(found.market, found)(values, {})


@bp.post("/merchants/<int:merchant_id>/edit")
@roles_required(*REGISTRARS)
def update_merchant(merchant_id: int) -> Page | Response:
    user = require_user()
    found = merchant_or_404(user, merchant_id)

    def save(data: dict[str, Any]) -> str:
        registry.update_merchant(user, found, data)
        return _merchant_saved(found)

    return submit(forms.MerchantEditIn(), save, _merchant_form(found.market, found))


# ---------------------------------------------------------------- instruments


def _instrument_form(merchant: Merchant, instrument: Instrument | None) -> FormPage:
    pack_classes = _classes()

    def page(values: Mapping[str, str], errors: Mapping[str, Any]) -> str:
        current = values.get("accuracy_class") or ""
        classes = sorted(pack_classes | ({current} if current else set()), key=len)
        return render_form(
            "registry/instrument_form.html",
            values,
            errors,
            fields=registry.INSTRUMENT_FIELDS if instrument else _INSTRUMENT_NAMES,
            merchant=merchant,
            instrument=instrument,
            kinds=list(InstrumentKind),
            classes=classes,
        )

    return page


@bp.get("/merchants/<int:merchant_id>/instruments/new")
@roles_required(*REGISTRARS)
def new_instrument(merchant_id: int) -> str:
    found = merchant_or_404(require_user(), merchant_id)
    defaults = {"kind": InstrumentKind.PRICE_COMPUTING_SCALE.value}
    return _instrument_form(found, None)(defaults, {})


@bp.post("/merchants/<int:merchant_id>/instruments/new")
@roles_required(*REGISTRARS)
def create_instrument(merchant_id: int) -> Page | Response:
    user = require_user()
    found = merchant_or_404(user, merchant_id)

    def save(data: dict[str, Any]) -> str:
        registry.create_instrument(user, found, data, _classes())
        return _merchant_saved(found)

    return submit(forms.InstrumentCreateIn(), save, _instrument_form(found, None))


@bp.get("/instruments/<int:instrument_id>/edit")
@roles_required(*REGISTRARS)
def edit_instrument(instrument_id: int) -> str:
    found = instrument_or_404(require_user(), instrument_id)
    values = values_of(found, registry.INSTRUMENT_FIELDS)
    return _instrument_form(found.merchant, found)(values, {})


@bp.post("/instruments/<int:instrument_id>/edit")
@roles_required(*REGISTRARS)
def update_instrument(instrument_id: int) -> Page | Response:
    user = require_user()
    found = instrument_or_404(user, instrument_id)

    def save(data: dict[str, Any]) -> str:
        registry.update_instrument(user, found, data, _classes())
        return _merchant_saved(found.merchant)

    return submit(forms.InstrumentEditIn(), save, _instrument_form(found.merchant, found))
