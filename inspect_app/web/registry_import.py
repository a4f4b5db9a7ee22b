"""The registry import page: upload a CSV or XLSX file, see its report, commit a clean file.

Admins and supervisors (their district's markets only). Upload → the file is kept on the
server (:mod:`inspect_app.web.registry_uploads`) and checked → 303 to its preview (every
problem by row and column, in the user's language, and the counts) → "Import" re-checks the
kept copy and writes it all or nothing in this request's transaction (a refusal answers 422,
so ``commit_on_success`` rolls back). Works as plain form posts; with JavaScript
(``static/js/registry_import.js``) the upload shows its progress.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from inspect_app.auth import require_user, roles_required
from inspect_app.domain.registry_issues import Issue
from inspect_app.domain.registry_rows import COLUMNS
from inspect_app.errors import AppError
from inspect_app.models.user import Role
from inspect_app.services import registry_import
from inspect_app.services.registry_files import FileRefused, file_kind
from inspect_app.services.registry_import import ImportAborted, ImportReport, ImportSettings
from inspect_app.web import registry_uploads

bp = Blueprint("registry_import", __name__, url_prefix="/registry/import")

DONE_KEY = "registry_import_done"
#: Room for the multipart envelope and the CSRF field around the file.
_ENVELOPE = 64 * 1024


def _settings() -> ImportSettings:
    settings = ImportSettings.from_config(current_app.config)
    # The whole request must also fit MAX_CONTENT_LENGTH (checked before any view runs).
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request_limit and settings.limits.max_bytes > int(request_limit) - _ENVELOPE:
        limits = replace(settings.limits, max_bytes=int(request_limit) - _ENVELOPE)
        settings = replace(settings, limits=limits)
    return settings


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


def _upload_page(issue: Issue | None = None, status: int = 200) -> tuple[str, int]:
    settings = _settings()
    page = render_template(
        "registry_import/upload.html",
        error=issue.message(_lang()) if issue else None,
        max_bytes=settings.limits.max_bytes,
        max_mb=f"{settings.limits.max_bytes / 1024 / 1024:.0f}",
        max_rows=settings.limits.max_rows,
        columns=COLUMNS,
        done=session.pop(DONE_KEY, None),
    )
    return page, status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over MAX_CONTENT_LENGTH is refused while the form is read (before the view)."""
    return _too_large_page(request.content_length or 0)


def _too_large_page(size: int) -> tuple[str, int]:
    limit = _settings().limits.max_bytes
    params = {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.1f}"}
    return _upload_page(Issue("FILE_TOO_LARGE", params=params), 413)


@bp.get("")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def upload_form() -> tuple[str, int]:
    return _upload_page()


@bp.post("")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def upload() -> tuple[str, int] | Response:
    user = require_user()
    settings = _settings()
    if (request.content_length or 0) > settings.limits.max_bytes + _ENVELOPE:
        return _too_large_page(request.content_length or 0)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _upload_page(Issue("FILE_EMPTY"), 422)
    try:
        file_kind(file.filename)
    except FileRefused as exc:
        return _upload_page(exc.issue, 422)
    upload_id, path = registry_uploads.save(
        file.stream, file.filename, user.id, settings.limits.max_bytes
    )
    report = registry_import.check(path, file.filename, user, settings)
    registry_uploads.set_report(upload_id, report.as_dict())
    return redirect(url_for("registry_import.preview", upload_id=upload_id), 303)


def _upload_or_404(upload_id: str) -> registry_uploads.Upload:
    upload = registry_uploads.load(upload_id, require_user().id)
    if upload is None:
        raise AppError("NOT_FOUND")
    return upload


def _preview_page(upload_id: str, report: ImportReport, status: int = 200) -> tuple[str, int]:
    lang = _lang()
    issues = [
        {
            "code": issue.code,
            "row": issue.row,
            "column": issue.column or "",
            "cell": issue.cell or "",
            "message": issue.message(lang),
            "warning": issue.level == "warning",
        }
        for issue in report.issues
    ]
    page = render_template(
        "registry_import/preview.html",
        upload_id=upload_id,
        report=report,
        issues=issues,
    )
    return page, status


@bp.get("/<upload_id>")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def preview(upload_id: str) -> tuple[str, int]:
    upload = _upload_or_404(upload_id)
    return _preview_page(upload.id, ImportReport.from_dict(upload.report))


@bp.post("/<upload_id>/commit")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def commit(upload_id: str) -> tuple[str, int] | Response:
    """Check the kept copy again (the registry may have changed) and write it if clean."""
    upload = _upload_or_404(upload_id)
    try:
        report = registry_import.commit(upload.path, upload.filename, require_user(), _settings())
    except ImportAborted as exc:
        stale = ImportReport.from_dict(upload.report)
        stale.add(exc.issue)
        return _preview_page(upload.id, stale, 422)
    if not report.committed:
        registry_uploads.set_report(upload.id, report.as_dict())
        return _preview_page(upload.id, report, 422)
    registry_uploads.discard()
    session[DONE_KEY] = _done(report)
    return redirect(url_for("registry_import.upload_form"), 303)


def _done(report: ImportReport) -> dict[str, Any]:
    return {
        "filename": report.filename,
        "rows": report.rows,
        "merchants": report.merchants_to_create,
        "created": report.instruments_to_create,
        "updated": report.instruments_to_update,
    }
