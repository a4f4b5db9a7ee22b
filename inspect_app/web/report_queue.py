"""The supervisors' queue of consumer reports (docs/reports.md): supervisors see their
district's reports, admins all; inspectors and merchant users none (403). Out of scope is 404.

Open reports come newest first, each with a close form: dismissed (a reason is required: the
reporter reads it), inspection planned, or linked to one of the stall's recent inspections.
Closed reports are listed below. The reporter's phone number is shown here and nowhere else.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.domain import display_units
from inspect_app.error_handlers import request_lang
from inspect_app.errors import AppError
from inspect_app.models.report import MAX_DESCRIPTION, ReportStatus
from inspect_app.models.user import Role
from inspect_app.schemas import reports as schema
from inspect_app.services import report_photos, reports
from inspect_app.services.scoping import report_or_404

bp = Blueprint("report_queue", __name__)

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@bp.app_template_filter("report_kg")
def report_kg(grams: Decimal | None) -> str:
    """A stored weight (grams) as the reporter typed it: ``1250.0`` → ``1.25 kg``."""
    if grams is None:
        return ""
    return f"{display_units.plain(grams / 1000)} kg"


@bp.app_template_filter("report_mass")
def report_mass(grams: Decimal) -> str:
    """A difference of weights, in g below 1 kg (``50 g``), else kg."""
    return display_units.mass(grams)


def _queue_page(
    status: int = 200,
    failed: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> tuple[str, int]:
    user = require_user()
    queue = reports.queue_for(user)
    page = render_template(
        "reports/queue.html",
        queue=queue,
        outcomes=[o.value for o in schema.OUTCOMES],
        failed=failed,
        values=values or {},
        errors=errors or {},
        closed_id=request.args.get("closed", type=int),
        max_reason=MAX_DESCRIPTION,
        lang=request_lang(),
    )
    return page, status


@bp.get("/supervisor/reports")
@roles_required(*SUPERVISORS)
def queue() -> tuple[str, int]:
    return _queue_page()


@bp.post("/supervisor/reports/<int:report_id>/close")
@roles_required(*SUPERVISORS)
def close_report(report_id: int) -> Response | tuple[str, int]:
    user = require_user()
    report = report_or_404(user, report_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data: dict[str, Any] = schema.ReportCloseIn().load(typed)
        reports.close_report(
            user, report, ReportStatus(data["outcome"]), data["reason"], data["inspection"]
        )
    except ValidationError as exc:
        return _queue_page(422, report.id, typed, schema.field_errors(exc))
    except AppError as exc:
        if exc.problem.code != "VALIDATION_FAILED" or not exc.errors:
            raise
        errors = {name: [schema.message(k) for k in keys] for name, keys in exc.errors.items()}
        return _queue_page(422, report.id, typed, errors)
    return redirect(url_for("report_queue.queue", closed=report.id) + f"#report-{report.id}", 303)


@bp.get("/supervisor/reports/<int:report_id>/photo.jpg")
@roles_required(*SUPERVISORS)
def photo(report_id: int) -> Response:
    """The report's photo (the EXIF-free copy, the only one kept), to whoever sees the report."""
    report = report_or_404(require_user(), report_id)
    if report.photo_sha256 is None:
        raise AppError("NOT_FOUND")
    path = report_photos.photo_path(
        Path(current_app.config["ATTACHMENTS_DIR"]), report.photo_sha256
    )
    if not path.is_file():
        raise AppError("NOT_FOUND")
    response = send_file(path, mimetype="image/jpeg", max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
