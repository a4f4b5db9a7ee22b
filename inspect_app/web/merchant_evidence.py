"""Evidence against an order (docs/merchant-portal.md): the merchant's upload, and the file
served to those who may see it.

* ``POST /merchant/orders/<id>/evidence`` (merchant users, their own merchant's order; another
  merchant's is 404, other roles 403): a photo, a repair invoice (PDF or photo) or a new
  verification certificate (PDF or photo, with its number, verifying body and dates). 303 to
  the order's page, or the page again with each problem beside its input (422, nothing
  stored): a file too large, of another type, a fake or active PDF, an image that does not
  decode. The lock rule of uploads (docs/decisions.md 11): the body is received before the
  request touches the database, the file checked and decoded with no transaction open.
* ``GET /evidence/<id>/file``: the order's merchant user and staff of its district (admins
  any); anyone else 404. An image as its EXIF-free copy; a PDF as a download
  (``Content-Disposition: attachment``), ``nosniff`` and ``Content-Security-Policy: sandbox``
  so a browser that opens it anyway runs nothing from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.database import read_only
from inspect_app.errors import AppError
from inspect_app.extensions import csrf, db
from inspect_app.models.enforcement import EvidenceKind
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas import merchant_portal as schema
from inspect_app.services import evidence_files, merchant_portal, scoping
from inspect_app.web.merchant_portal import DONE, order_page

bp = Blueprint("evidence", __name__)

#: Room for the text fields of a multipart body beside the file.
_TEXT_BYTES = 64 * 1024
#: What a served evidence file may do in a browser: nothing (no scripts, no plugins, no
#: same-origin access, not even for a PDF viewer that opened it inline).
FILE_CSP = "default-src 'none'; sandbox"


def _limit() -> int:
    return int(current_app.config["EVIDENCE_MAX_BYTES"])


def _file_problem(key: str) -> dict[str, list[dict[str, str]]]:
    return {"file": [schema.message(f"{key}:{_limit() // (1024 * 1024)}")]}


def _refused(
    order_id: int,
    status: int,
    typed: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> tuple[str, int]:
    order = scoping.merchant_order_or_404(require_user(), order_id)
    return order_page(order, status, typed, errors)


def _certificate(data: dict[str, Any]) -> evidence_files.Certificate | None:
    if data["kind"] != EvidenceKind.CERTIFICATE.value:
        return None
    return evidence_files.Certificate(
        data["certificate_no"], data["verifying_body"], data["verified_at"], data["valid_until"]
    )


@bp.post("/merchant/orders/<int:order_id>/evidence")
@roles_required(Role.MERCHANT)
def upload(order_id: int) -> Response | tuple[str, int]:
    """Receive, check and authorise, then store (see the module docstring)."""
    user = require_user()
    # The session lookup must not hold SQLite's write lock while a phone sends the body.
    db.session.rollback()
    request.max_content_length = _limit() + _TEXT_BYTES
    request.max_form_memory_size = _TEXT_BYTES
    request.max_form_parts = 16
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        return _refused(order_id, 422, errors=_file_problem("file_size"))
    typed = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        csrf.protect()
    except CSRFError:
        return _refused(order_id, 400, typed, {"_schema": [schema.message("expired")]})
    order = scoping.merchant_order_or_404(user, order_id)
    if not merchant_portal.is_active(order):
        raise AppError("ORDER_NOT_ACTIVE")
    try:
        data: dict[str, Any] = schema.EvidenceIn().load(typed)
    except ValidationError as exc:
        return order_page(order, 422, typed, schema.field_errors(exc))
    upload = files.get("file")
    if upload is None or not upload.filename:
        return order_page(order, 422, typed, {"file": [schema.message("file_required")]})
    kind = EvidenceKind(data["kind"])
    claimed_pdf = upload.filename.lower().endswith(".pdf") or upload.mimetype == "application/pdf"
    db.session.rollback()  # no transaction while the file is received and decoded
    root = Path(current_app.config["ATTACHMENTS_DIR"])
    try:
        with evidence_files.checked(upload.stream, root, _limit(), kind, claimed_pdf) as checked:
            order = scoping.merchant_order_or_404(user, order_id)
            evidence = evidence_files.attach(
                user, order, checked, kind, data["note"], _certificate(data), utcnow()
            )
    except AppError as exc:
        key = schema.FILE_PROBLEMS.get(exc.problem.code)
        if key is None:
            raise
        return _refused(order_id, 422, typed, _file_problem(key))
    flash(_("Your evidence was sent. A supervisor of the district will look at it."), DONE)
    target = url_for("merchant_portal.order", order_id=order_id)
    return redirect(f"{target}#evidence-{evidence.id}", 303)


csrf.exempt(upload)  # checked in the view, after the body's size limit is set


@bp.get("/evidence/<int:evidence_id>/file")
@read_only
@roles_required()
def file(evidence_id: int) -> Response:
    evidence = scoping.evidence_file_or_404(require_user(), evidence_id)
    root = Path(current_app.config["ATTACHMENTS_DIR"])
    path, media_type = evidence_files.served_file(evidence, root)
    is_pdf = media_type == evidence_files.PDF
    response = send_file(
        path,
        mimetype=media_type,
        as_attachment=is_pdf,
        download_name=f"evidence-{evidence.id}.{'pdf' if is_pdf else 'jpg'}",
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response
