"""Printed label sheets for a market (PDF) and "Replace label" on the merchant page."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, url_for
from flask_babel import force_locale, gettext
from werkzeug.wrappers import Response as BaseResponse

from inspect_app.auth import current_user, require_user, roles_required
from inspect_app.database import read_only
from inspect_app.errors import AppError
from inspect_app.label_response import public_base_url
from inspect_app.models import Instrument
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.user import Role
from inspect_app.services import labels, qr_labels
from inspect_app.services.label_sheet import FONT_FILE
from inspect_app.services.scoping import instrument_or_404, market_or_404, may_replace_label

bp = Blueprint("label_sheets", __name__)

#: The flash category the merchant page reads to show a freshly replaced label.
REPLACED = "label_replaced"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def kind_names() -> labels.KindNames:
    """Each kind as the catalogues name it, in both languages whatever the reader's."""
    names: dict[InstrumentKind, tuple[str, str]] = {}
    for kind in InstrumentKind:
        with force_locale("zh_CN"):
            zh = gettext(kind.value)
        with force_locale("en"):
            en = gettext(kind.value)
        names[kind] = (zh, en)
    return names


@bp.get("/markets/<int:market_id>/labels.pdf")
@read_only
@roles_required(*qr_labels.LABEL_ROLES)
def market_labels(market_id: int) -> Response:
    """A market's label sheet. Read-only: drawing a large market takes seconds (about 15 ms
    a label, mostly choosing each code's mask), during which no tablet should wait on SQLite's
    write lock."""
    market = market_or_404(require_user(), market_id)
    font = Path(str(current_app.static_folder)) / FONT_FILE
    pdf = labels.market_label_sheet(market, public_base_url(), kind_names(), font)
    response = Response(pdf, mimetype="application/pdf")
    name = _UNSAFE_FILENAME.sub("_", market.code) or "market"
    response.headers["Content-Disposition"] = f'attachment; filename="labels-{name}.pdf"'
    return response


@bp.post("/instruments/<int:instrument_id>/replace-label")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def replace_label(instrument_id: int) -> BaseResponse:
    """Rotate the token, then back to the merchant page, which shows the new label (the
    redirect keeps a reload from replacing the label just printed once more)."""
    user = require_user()
    instrument = instrument_or_404(user, instrument_id)
    if not may_replace_label(user, instrument):
        raise AppError("NOT_FOUND")
    labels.rotate_token(user, instrument)
    flash(str(instrument.id), REPLACED)
    target = url_for("merchants.detail", merchant_id=instrument.merchant_id)
    return redirect(f"{target}#instrument-{instrument.id}", code=303)


@bp.app_template_global()
def can_replace_label(instrument: Instrument) -> bool:
    """For templates: whether the signed-in user sees the "Replace label" button."""
    user = current_user()
    return user is not None and may_replace_label(user, instrument)


@bp.app_template_global()
def can_print_labels() -> bool:
    """For templates: whether the signed-in user may open labels (PNG, SVG, sheets)."""
    user = current_user()
    return user is not None and user.role in qr_labels.LABEL_ROLES
