"""QR label responses shared by the web pages (session) and the API (device token).

An edge module of its own so that neither ``api/`` nor ``web/`` imports the other.
"""

from __future__ import annotations

from flask import Response, current_app, request

from inspect_app.auth import require_user
from inspect_app.services import qr_labels
from inspect_app.services.scoping import instrument_or_404


def public_base_url() -> str:
    """What printed labels point at: ``PUBLIC_BASE_URL`` when set, else this request's address.

    Unset, labels follow the address the app is reached at, so a demo served on a LAN address
    (``make demo HOST=0.0.0.0``) prints labels a shopper's phone on that LAN can open. Set it in
    production: labels outlive deployments, and a proxy's internal address must never be printed.
    """
    configured = current_app.config.get("PUBLIC_BASE_URL")
    return str(configured) if configured else request.url_root


def _label_response(body: bytes | str, mimetype: str, code: str, ext: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="label-{code}.{ext}"'
    # A rotated token makes the old label wrong: never serve a cached one.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def render_label(instrument_id: int, ext: str) -> Response:
    """The label of an instrument the signed-in user (session or token) may see."""
    instrument = instrument_or_404(require_user(), instrument_id)
    url = qr_labels.label_url(public_base_url(), instrument.qr_token)
    if ext == "png":
        return _label_response(
            qr_labels.render_png(url, instrument.code), "image/png", instrument.code, ext
        )
    return _label_response(
        qr_labels.render_svg(url, instrument.code), "image/svg+xml", instrument.code, ext
    )
