"""The error catalogue: every error a client can see, with a stable code, status and message.

API clients (the tablet) key their behaviour on ``code``; the message is for people, in the
language of the request. README and docs/sync-protocol.md list the codes; a test checks that
each code is documented there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One catalogue entry."""

    code: str
    status: int
    en: str
    zh: str


_CATALOGUE = [
    Problem("BAD_REQUEST", 400, "The request could not be understood.", "无法理解该请求。"),
    Problem(
        "INVALID_JSON", 400, "The request body is not valid JSON.", "请求内容不是有效的 JSON。"
    ),
    Problem(
        "CSRF_FAILED",
        400,
        "The form expired or was not sent from this site. Reload the page and try again.",
        "表单已过期或并非来自本站，请刷新页面后重试。",
    ),
    Problem("AUTH_REQUIRED", 401, "Sign in first.", "请先登录。"),
    Problem("AUTH_INVALID_CREDENTIALS", 401, "Wrong username or password.", "用户名或密码错误。"),
    Problem(
        "AUTH_TOKEN_INVALID",
        401,
        "The device token is unknown, expired or revoked. Sign in again.",
        "设备令牌无效、已过期或已被吊销，请重新登录。",
    ),
    Problem("FORBIDDEN", 403, "Your role does not allow this.", "您的角色无权执行此操作。"),
    Problem("NOT_FOUND", 404, "Not found.", "未找到。"),
    Problem("METHOD_NOT_ALLOWED", 405, "This method is not allowed here.", "不允许使用此方法。"),
    Problem(
        "SYNC_UUID_CONFLICT",
        409,
        "An inspection with this uuid already exists with different content.",
        "已存在相同 uuid 但内容不同的检查记录。",
    ),
    Problem(
        "SYNC_SUPERSEDE_STALE",
        409,
        "The inspection to be corrected has already been corrected.",
        "要更正的检查记录已被更正过。",
    ),
    Problem(
        "SYNC_SUPERSEDE_UNKNOWN",
        422,
        "The inspection to be corrected does not exist.",
        "要更正的检查记录不存在。",
    ),
    Problem("PAYLOAD_TOO_LARGE", 413, "The request body is too large.", "请求内容过大。"),
    Problem(
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        "Send this request as application/json.",
        "请以 application/json 格式发送请求。",
    ),
    Problem("VALIDATION_FAILED", 422, "Some fields are invalid.", "部分字段无效。"),
    Problem("FORM_UNKNOWN", 422, "This form does not exist.", "该表单不存在。"),
    Problem(
        "FORM_VERSION_UNKNOWN", 422, "This form version is not published.", "该表单版本未发布。"
    ),
    Problem(
        "FORM_CLOSED",
        422,
        "This form is closed and accepts no submissions.",
        "该表单已关闭，不再接受提交。",
    ),
    Problem("INSTRUMENT_UNKNOWN", 422, "The instrument is not registered.", "该计量器具未登记。"),
    Problem("MERCHANT_UNKNOWN", 422, "The merchant is not registered.", "该经营者未登记。"),
    Problem(
        "OUT_OF_REGION", 422, "This merchant is outside your region.", "该经营者不在您的辖区内。"
    ),
    Problem("MEASUREMENT_INVALID", 422, "A measurement cannot be evaluated.", "测量数据无法判定。"),
    Problem(
        "ATTACHMENT_HASH_MISMATCH",
        422,
        "The file's content does not match its sha256.",
        "文件内容与其 sha256 不符。",
    ),
    Problem(
        "ATTACHMENT_NOT_IMAGE",
        422,
        "The file is not an image that can be decoded.",
        "该文件不是可解码的图片。",
    ),
    Problem(
        "ATTACHMENT_NOT_EXPECTED",
        422,
        "No inspection of yours references this photo; send the inspection first.",
        "您的检查记录中没有引用该照片，请先提交检查记录。",
    ),
    Problem("ATTACHMENT_TOO_LARGE", 413, "The file exceeds the size limit.", "文件超过大小限制。"),
    Problem(
        "RATE_LIMITED",
        429,
        "Too many attempts. Wait a minute and try again.",
        "尝试次数过多，请稍候一分钟再试。",
    ),
    Problem(
        "INTERNAL_ERROR",
        500,
        "Something went wrong on the server. Nothing you sent was lost; try again later.",
        "服务器出错。您提交的内容未丢失，请稍后重试。",
    ),
]

CATALOGUE: Mapping[str, Problem] = {p.code: p for p in _CATALOGUE}

_HTTP_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


class AppError(Exception):
    """Raised anywhere below the edge; the handler turns it into the catalogue response."""

    def __init__(self, code: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.problem = CATALOGUE[code]
        self.errors = errors


def message_for(problem: Problem) -> str:
    """The catalogue message in the request's language."""
    return problem.en if str(get_locale()) == "en" else problem.zh


def problem_body(code: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``{"code", "message", "errors"?}``: the JSON shape of every API error."""
    problem = CATALOGUE[code]
    body: dict[str, Any] = {"code": code, "message": message_for(problem)}
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
        code = _HTTP_STATUS_CODES.get(exc.code or 500, "BAD_REQUEST")
        if exc.code and exc.code >= 500:
            code = "INTERNAL_ERROR"
        return _respond(code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _respond("INTERNAL_ERROR")
