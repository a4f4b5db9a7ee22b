"""QR labels for devices: the same PNG and SVG as the web pages, with a bearer token."""

from __future__ import annotations

from flask import Response

from inspect_app.api import bp
from inspect_app.auth import token_required
from inspect_app.label_response import render_label
from inspect_app.services import qr_labels


@bp.get("/instruments/<int:instrument_id>/label.png")
@token_required(*qr_labels.LABEL_ROLES)
def instrument_label_png(instrument_id: int) -> Response:
    return render_label(instrument_id, "png")


@bp.get("/instruments/<int:instrument_id>/label.svg")
@token_required(*qr_labels.LABEL_ROLES)
def instrument_label_svg(instrument_id: int) -> Response:
    return render_label(instrument_id, "svg")
