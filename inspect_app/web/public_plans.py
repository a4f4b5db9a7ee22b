"""``GET /public/plans``: published inspection plans (双随机一公开). No login, no cookie.

Each published plan's date and district, and for each planned visit the merchant's trade
name, stall number and market, and the result of the inspection (passed, failed, or not
inspected). Never a person: no inspector, no contact name or phone, no priority or reason
(those are internal). docs/plans.md says when a plan may be published.

Language as on the other public pages (``?lang=``, else Accept-Language; never a cookie),
rate limited per client address (``RATELIMIT_PUBLIC``; its 429 page is public too), and
read-only (``database.read_only``): never SQLite's write lock, never a commit.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response
from werkzeug.wrappers import Response

from inspect_app.database import read_only
from inspect_app.extensions import limiter
from inspect_app.services import plan_reports
from inspect_app.web import public_language

bp = Blueprint("public_plans", __name__)

_LIMIT = limiter.limit(lambda: str(current_app.config["RATELIMIT_PUBLIC"]))


def _page(template: str, status: int, **context: object) -> Response:
    lang, explicit = public_language.choose()
    body = public_language.render(template, lang, explicit, **context)
    response = make_response(body, status)
    response.headers["Content-Language"] = "en" if lang == "en" else "zh-CN"
    if not explicit:
        response.vary.add("Accept-Language")
    if status == 200:
        response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.errorhandler(429)
def too_many(_exc: Exception) -> Response:
    return _page("public/limited.html", 429)


@bp.get("/public/plans")
@read_only
@_LIMIT
def index() -> Response:
    return _page(
        "public/plans.html",
        200,
        plans=plan_reports.published_plans(),
        limit=plan_reports.PUBLIC_LIMIT,
    )
