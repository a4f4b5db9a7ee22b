"""The edge of the error catalogue: catalogue errors rendered for the request at hand.

API paths answer ``{"code", "message", "errors"?}`` (JSON even for errors raised before
routing, such as 404 and 413); HTML pages render ``error.html``; never a bare 500 page. Only
the edge imports this module; services raise :class:`inspect_app.errors.AppError`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from inspect_app.errors import CATALOGUE, HTTP_STATUS_CODES, AppError, Problem

logger = logging.getLogger(__name__)


def request_lang() -> str:
    """``en`` or ``zh``: the language of the current request."""
    return "en" if str(get_locale()) == "en" else "zh"


def message_for(problem: Problem) -> str:
    """The catalogue message in the request's language."""
    return problem.message(request_lang())


def problem_body(code: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``{"code", "message", "errors"?}``: the JSON shape of every API error."""
    body: dict[str, Any] = {"code": code, "message": message_for(CATALOGUE[code])}
    if errors:
        body["errors"] = dict(errors)
    return body


def wants_json() -> bool:
    """API paths always get JSON, even for errors raised before routing (404, 413)."""
    return request.path.startswith("/api/")


def _respond(code: str, errors: Mapping[str, Any] | None = None) -> tuple[Response | str, int]:
    problem = CATALOGUE[code]
    if wants_json():
        return jsonify(problem_body(code, errors)), problem.status
    page = render_template(
        "error.html", problem=problem, message=message_for(problem), errors=errors
    )
    return page, problem.status


def register_error_handlers(app: Flask) -> None:
    """JSON for ``/api/``, HTML error pages elsewhere; never a bare 500 page."""

    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> tuple[Response | str, int]:
        return _respond(exc.problem.code, exc.errors)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> tuple[Response | str, int]:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return _respond("VALIDATION_FAILED", messages)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        return _respond("CSRF_FAILED")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        code = HTTP_STATUS_CODES.get(exc.code or 500, "BAD_REQUEST")
        if exc.code and exc.code >= 500:
            code = "INTERNAL_ERROR"
        return _respond(code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _respond("INTERNAL_ERROR")
