"""The public side of consumer reports (docs/reports.md): the form behind "Report a problem"
on an instrument's page, and the reporter's status page. No login.

* ``GET /q/<token>/report``: the form, in the reporter's language (``?lang=`` when given, else
  Accept-Language). Its CSRF token needs the session cookie: the instrument page itself sets
  none, this page does.
* ``POST /q/<token>/report``: 303 to ``/reports/<tracking_code>``, or the form again with what
  was typed and each problem beside its input (400 for an expired form or a filled honeypot,
  413 for a photo too large to receive, 422 otherwise; nothing is stored). Rate limited per
  client address (every POST counts) and per instrument (stored reports count).
* ``GET /reports/<tracking_code>``: status and outcome in plain words, no phone number, no
  internal id, no inspector.

An unknown label answers P4's friendly 404 page, a replaced one its 410 page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from inspect_app.database import read_only
from inspect_app.errors import AppError
from inspect_app.extensions import csrf, db, limiter
from inspect_app.models.report import MAX_DESCRIPTION, ReportCategory
from inspect_app.models.types import utcnow
from inspect_app.schemas import reports as schema
from inspect_app.services import public_page, report_photos, reports
from inspect_app.services.public_page import Outcome
from inspect_app.web import public_language

bp = Blueprint("reports", __name__)

#: The form's inputs: problems of anything else are listed above the form.
_FIELDS = frozenset({"category", "claimed_weight", "found_weight", "description", "photo", "phone"})
#: Room for the text fields of a multipart body beside the photo.
_TEXT_BYTES = 64 * 1024


def _page(template: str, status: int, lang: str, explicit: bool, **context: Any) -> Response:
    body = public_language.render(
        template, lang, explicit and bool(request.args.get("lang")), **context
    )
    response = make_response(body, status)
    response.headers["Content-Language"] = "en" if lang == "en" else "zh-CN"
    if not explicit:
        response.vary.add("Accept-Language")
    return response


def _photo_mb() -> int:
    return int(current_app.config["REPORT_PHOTO_MAX_BYTES"]) // (1024 * 1024)


def _problem(key: str) -> dict[str, str]:
    """A message of ``schemas.reports.MESSAGES``; photo sizes in the configured megabytes."""
    return schema.message(f"{key}:{_photo_mb()}")


def _form_page(
    found: public_page.PublicInstrument,
    status: int,
    values: dict[str, str] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
) -> Response:
    lang, explicit = public_language.choose()
    errors = errors or {}
    return _page(
        "reports/form.html",
        status,
        lang,
        explicit,
        instrument=found,
        values=values or {},
        errors=errors,
        page_errors=[e for name, listed in errors.items() if name not in _FIELDS for e in listed],
        categories=[c.value for c in ReportCategory],
        max_description=MAX_DESCRIPTION,
        photo_mb=_photo_mb(),
        photo_max_bytes=int(current_app.config["REPORT_PHOTO_MAX_BYTES"]),
    )


def _lookup(token: str) -> public_page.PublicInstrument | Response:
    """The instrument for the form, or P4's 404 / 410 page in the reporter's language."""
    found = public_page.lookup(token)
    if found.outcome is Outcome.REPLACED:
        return _page("public/replaced.html", 410, *public_language.choose())
    if found.instrument is None:
        return _page("public/unknown.html", 404, *public_language.choose())
    return found.instrument


# ---------------------------------------------------------------- limits


def _address_key() -> str:
    return f"report-address:{get_remote_address() or '-'}"


def _instrument_key() -> str:
    return f"report-instrument:{(request.view_args or {}).get('token', '-')}"


_VIEW_LIMIT = limiter.limit(lambda: str(current_app.config["RATELIMIT_PUBLIC"]))
_BY_ADDRESS = limiter.limit(
    lambda: str(current_app.config["RATELIMIT_REPORT_ADDRESS"]),
    key_func=_address_key,
    error_message="address",
)
#: Only stored reports count: a reporter correcting a typo does not use the instrument's share.
_BY_INSTRUMENT = limiter.limit(
    lambda: str(current_app.config["RATELIMIT_REPORT_INSTRUMENT"]),
    key_func=_instrument_key,
    error_message="instrument",
    deduct_when=lambda response: response.status_code == 303,
)


@bp.errorhandler(429)
def too_many(exc: Exception) -> Response:
    if request.method == "GET":  # pages opened too often: the public pages' own answer
        return _page("public/limited.html", 429, *public_language.choose())
    which = "instrument" if getattr(exc, "description", "") == "instrument" else "address"
    return _page("reports/limited.html", 429, *public_language.choose(), which=which)


# ---------------------------------------------------------------- the form


@bp.get("/q/<token>/report")
@read_only
@_VIEW_LIMIT
def report_form(token: str) -> Response:
    found = _lookup(token)
    if isinstance(found, Response):
        return found
    return _form_page(found, 200)


@bp.post("/q/<token>/report")
@_BY_ADDRESS
@_BY_INSTRUMENT
def submit_report(token: str) -> Response:
    """Check everything, receive and decode the photo with no transaction open, then store
    the report in a short one (the lock rule of decisions.md 11)."""
    db.session.rollback()  # a signed-in visitor's session lookup must not hold the write lock
    photo_limit = int(current_app.config["REPORT_PHOTO_MAX_BYTES"])
    request.max_content_length = photo_limit + _TEXT_BYTES
    request.max_form_memory_size = _TEXT_BYTES
    request.max_form_parts = 16
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        found = _lookup(token)
        if isinstance(found, Response):
            return found
        return _form_page(found, 413, errors={"_schema": [_problem("photo_too_large")]})
    typed = {k: v for k, v in form.items() if k not in ("csrf_token", "website")}
    found = _lookup(token)
    if isinstance(found, Response):
        return found
    try:
        csrf.protect()
    except CSRFError:
        return _form_page(found, 400, typed, {"_schema": [_problem("expired")]})
    if form.get("website"):  # the honeypot: people never see it (docs/reports.md)
        return _form_page(found, 400, typed, {"_schema": [_problem("honeypot")]})
    try:
        data = schema.ReportFormIn().load(typed)
    except ValidationError as exc:
        return _form_page(found, 422, typed, schema.field_errors(exc))
    lang, _explicit = public_language.choose()
    new = reports.NewReport(
        category=ReportCategory(data["category"]),
        claimed_weight_g=data["claimed_weight"],
        found_weight_g=data["found_weight"],
        description=data["description"],
        reporter_phone=data["phone"],
        locale=public_language.LOCALES[lang],
    )
    upload = files.get("photo")
    if upload is None or not upload.filename:
        return _store(token, new, None)
    instrument = reports.instrument_by_token(token)
    config = current_app.config
    if instrument is None or not report_photos.room_for_photo(
        instrument.id,
        utcnow(),
        int(config["REPORT_PHOTOS_PER_INSTRUMENT_DAY"]),
        int(config["REPORT_PHOTOS_PER_DAY"]),
    ):
        return _store(token, new, None, photo_dropped=True)
    db.session.rollback()  # ends the reading transaction (and SQLite's write lock)
    root = Path(config["ATTACHMENTS_DIR"])
    try:
        with report_photos.prepared(upload.stream, root, photo_limit) as photo:
            return _store(token, new, photo)
    except AppError as exc:
        code = exc.problem.code
        if code not in schema.PHOTO_PROBLEMS:
            raise
        return _form_page(found, 422, typed, {"photo": [_problem(schema.PHOTO_PROBLEMS[code])]})


def _store(
    token: str,
    new: reports.NewReport,
    photo: report_photos.PreparedPhoto | None,
    photo_dropped: bool = False,
) -> Response:
    instrument = reports.instrument_by_token(token)
    if instrument is None:  # the label was replaced while the photo was being read
        return _page("public/replaced.html", 410, *public_language.choose())
    report = reports.create_report(instrument, new, photo.sha256 if photo else None)
    if photo is not None:
        report_photos.keep(photo)
    lang, explicit = public_language.choose()
    target = url_for(
        "reports.status_page",
        tracking_code=report.tracking_code,
        lang=lang if explicit else None,
        photo="not_kept" if photo_dropped else None,
    )
    return redirect(target, 303)


csrf.exempt(submit_report)  # checked in the view, so an expired form keeps what was typed


# ---------------------------------------------------------------- the status page


@bp.get("/reports/<tracking_code>")
@read_only
@_VIEW_LIMIT
def status_page(tracking_code: str) -> Response:
    report = reports.by_tracking_code(tracking_code)
    if report is None:
        return _page("reports/unknown.html", 404, *public_language.choose())
    lang, explicit = public_language.choose("en" if report.locale == "en" else "zh")
    return _page(
        "reports/status.html",
        200,
        lang,
        explicit,
        report=report,
        inspection=reports.linked_inspection(report),
        photo_not_kept=request.args.get("photo") == "not_kept" and not report.photo_sha256,
    )
