"""Replacing an instrument's label from a device: a new QR token, the old one retired.

Bearer tokens only, like the rest of the API (no session, hence no CSRF); the web page has its
own form (``web/label_sheets.py``).
"""

from __future__ import annotations

from typing import Any

from inspect_app.api import bp
from inspect_app.auth import require_user, token_required
from inspect_app.errors import AppError
from inspect_app.label_response import public_base_url
from inspect_app.models.user import Role
from inspect_app.schemas.labels import RotatedTokenOut
from inspect_app.services import labels, qr_labels
from inspect_app.services.scoping import instrument_or_404, may_replace_label


@bp.post("/instruments/<int:instrument_id>/rotate-token")
@token_required(Role.ADMIN, Role.SUPERVISOR)
def rotate_token(instrument_id: int) -> dict[str, Any]:
    user = require_user()
    instrument = instrument_or_404(user, instrument_id)
    if not may_replace_label(user, instrument):
        raise AppError("NOT_FOUND")
    labels.rotate_token(user, instrument)
    body: dict[str, Any] = RotatedTokenOut().dump(
        {
            "instrument_id": instrument.id,
            "code": instrument.code,
            "qr_token": instrument.qr_token,
            "label_url": qr_labels.label_url(public_base_url(), instrument.qr_token),
        }
    )
    return body
