"""QR label responses shared by the web pages (session) and the API (device token).

An edge module of its own so that neither ``api/`` nor ``web/`` imports the other.
"""

from __future__ import annotations

from flask import Response, current_app

from inspect_app.auth import require_user
from inspect_app.services import qr_labels
from inspect_app.services.scoping import instrument_or_404


def _label_response(body: bytes | str, mimetype: str, code: str, ext: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="label-{code}.{ext}"'
    # A rotated token makes the old label wrong: never serve a cached one.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def render_label(instrument_id: int, ext: str) -> Response:
    """The label of an instrument the signed-in user (session or token) may see."""
    instrument = instrument_or_404(require_user(), instrument_id)
    url = qr_labels.label_url(current_app.config["PUBLIC_BASE_URL"], instrument.qr_token)
    if ext == "png":
        return _label_response(
            qr_labels.render_png(url, instrument.code), "image/png", instrument.code, ext
        )
    return _label_response(
        qr_labels.render_svg(url, instrument.code), "image/svg+xml", instrument.code, ext
    )
