"""The inspection page's detail (``supervision/inspection.html``, served by
:mod:`inspect_app.web.review`): the answers as the form showed them, the evaluation point by
point, the photos, the geotag on a small map, the device and the correction chain.

Photos are served here for signed-in staff: the EXIF-free copy ingest made
(``services/attachments.served_path``), only of a photo the inspection references, to staff
who may see the inspection (``scoping.staff_inspection_or_404``) and the photo
(``scoping.may_view_attachment``, the rule of ``GET /api/v1/attachments/<sha256>``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, send_file
from werkzeug.wrappers import Response

from inspect_app import registry
from inspect_app.auth import require_user, roles_required
from inspect_app.error_handlers import request_lang
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Merchant
from inspect_app.models.user import Role
from inspect_app.services import attachments, inspection_answers, inspection_detail, scoping

bp = Blueprint("inspection_detail", __name__)

STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR)
_SHA = re.compile(r"^[0-9a-f]{64}$")


def context(inspection: Inspection, merchant: Merchant) -> dict[str, Any]:
    """What ``supervision/_inspection_detail.html`` shows."""
    lang = request_lang()
    definition = registry.forms().get(inspection.form_key, inspection.form_version)
    instrument = (
        db.session.get(Instrument, inspection.instrument_id) if inspection.instrument_id else None
    )
    ctx = inspection_answers.Context(
        lang,
        merchants={merchant.id: merchant.name},
        instruments={instrument.code: instrument.code} if instrument else {},
    )
    labels = inspection_answers.field_labels(definition, lang)
    return {
        "answers": inspection_answers.as_shown(definition, inspection.answers or {}, ctx),
        "evaluation": inspection_detail.evaluation(inspection.evaluation or {}, labels, lang),
        "photos": inspection_detail.photos(inspection),
        "chain": inspection_detail.chain(inspection),
        "device": inspection_detail.device(inspection),
        "place": inspection_detail.reference_place(merchant),
        "instrument": instrument,
        "photo_labels": labels,
    }


@bp.get("/inspections/<uuid>/photos/<sha256>")
@roles_required(*STAFF)
def photo(uuid: str, sha256: str) -> Response:
    user = require_user()
    inspection = scoping.staff_inspection_or_404(user, uuid)
    if not _SHA.match(sha256) or sha256 not in {a.sha256 for a in inspection.attachments}:
        raise AppError("NOT_FOUND")
    if not scoping.may_view_attachment(user, sha256):
        raise AppError("NOT_FOUND")
    path = attachments.served_path(sha256, Path(current_app.config["ATTACHMENTS_DIR"]))
    if not path.exists():
        raise AppError("NOT_FOUND")
    response = send_file(path, mimetype="image/jpeg", max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
