"""The public instrument page behind every QR label: ``GET /q/<token>``. No login, no cookie.

What it shows and never shows, the traffic-light rule, caching and the read-only rule are in
docs/public-page.md. In short:

* Language: ``?lang=en`` / ``?lang=zh`` when given (the toggle is a plain link), otherwise the
  browser's ``Accept-Language`` (then ``Vary: Accept-Language``). Never a cookie or the
  session: a shopper's phone keeps nothing from this site, and a shared cache can keep the page.
* 200 with the instrument; 410 for a replaced label (nothing else about the instrument); a
  friendly 404 for a token nobody issued. Each in the shopper's language, from templates of
  their own (the staff base template puts a CSRF token, hence a session cookie, on every page).
* ``ETag`` (hash of language and body) and ``Cache-Control: public, max-age=60``; a matching
  ``If-None-Match`` gets 304 with no body. Inside the process, a label's finished page is kept
  for ``PUBLIC_PAGE_CACHE_SECONDS`` (5 s) and its rendering memoised (``public_cache``).
* Rate limited per client address (``RATELIMIT_PUBLIC``); the 429 page is public too.
* Read-only (``database.read_only``): never SQLite's write lock, never a commit.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from inspect_app.database import read_only
from inspect_app.domain import display_units
from inspect_app.domain.traffic_light import LOCAL_ZONE, local_today
from inspect_app.extensions import limiter
from inspect_app.services import public_page
from inspect_app.services.public_page import Outcome, PublicInstrument
from inspect_app.web import public_cache, public_language

bp = Blueprint("public", __name__)

#: Short, so a condemnation or a new inspection shows within a minute, yet a crowd scanning
#: the same label at a market stall (or a proxy in front) is served from cache meanwhile.
CACHE_CONTROL = "public, max-age=60"

#: ``?lang=`` values and the Babel locale each selects.

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8)
def _limit_item(value: str) -> RateLimitItem:
    return parse(value)


def _over_public_limit() -> int | None:
    """Count this request against ``RATELIMIT_PUBLIC`` for the client address.

    Returns None within the limit, else the seconds until the window resets (``Retry-After``).
    The app's limiter decides (its strategy and storage: memory, or Redis shared by every
    worker), called directly rather than through ``@limiter.limit``: flask-limiter's per-request
    bookkeeping for a decorated view (resolving, filtering and evaluating every limit twice,
    then writing headers) cost about 0.2 ms a page, more than the page's query. A storage that
    cannot be reached lets the page through (logged): the page is read-only and public, and
    must not go down with the limiter's Redis.
    """
    if not limiter.enabled:
        return None
    item = _limit_item(str(current_app.config["RATELIMIT_PUBLIC"]))
    address = get_remote_address() or "-"
    try:
        if limiter.limiter.hit(item, "public-page", address):
            return None
        reset = limiter.limiter.get_window_stats(item, "public-page", address).reset_time
    except Exception:  # the storage's own errors differ by backend
        logger.warning("Rate-limit storage unreachable; public page served unlimited")
        return None
    return max(1, math.ceil(reset - time.time()))


def _render_body(
    template: str, lang: str, explicit: bool, found: PublicInstrument | None, today: date
) -> tuple[str, str]:
    """``(body, etag)`` of a page: a pure function of its arguments (and the templates)."""
    context: dict[str, Any] = {}
    if found is not None:
        last = found.last_inspection
        context = {
            "instrument": found,
            "light": found.light(today),
            "capacity": _capacity(found),
            "last_date": last.captured_at.astimezone(LOCAL_ZONE).date().isoformat()
            if last
            else None,
            "report_path": f"/q/{found.qr_token}/report",
            "commitment_year": found.signed_commitment(today),
        }
    body = public_language.render(template, lang, explicit, **context)
    return body, hashlib.sha256(f"{lang}\n{body}".encode()).hexdigest()[:32]


def _page(token: str, lang: str, explicit: bool) -> tuple[int, str, str]:
    """``(status, body, etag)`` of the page a token leads to: one query, one (memoised) render."""
    found = public_page.lookup(token)
    if found.outcome is Outcome.REPLACED:
        template, status = "public/replaced.html", 410
    elif found.instrument is None:
        template, status = "public/unknown.html", 404
    else:
        template, status = "public/instrument.html", 200
    render = public_cache.memoised(current_app, _render_body)
    body, etag = render(template, lang, explicit, found.instrument, local_today())
    return status, body, etag


def _respond(status: int, body: str, etag: str, lang: str, explicit: bool) -> Response:
    headers = {"Content-Language": "en" if lang == "en" else "zh-CN"}
    if not explicit:
        headers["Vary"] = "Accept-Language"
    if status != 429:  # a 429 stays no-store (the app default)
        headers["Cache-Control"] = CACHE_CONTROL
    if status == 200:
        headers["ETag"] = f'"{etag}"'
        if request.if_none_match.contains_weak(etag):  # RFC 9110 13.1.2: weak comparison
            return Response(b"", 304, headers)
    return Response(body, status, headers, mimetype="text/html")


def _capacity(instrument: PublicInstrument) -> list[str]:
    """``["Max 15 kg", "Min 40 g", "e = 5 g"]`` (grams in the register), dioptres for optics."""
    unit = display_units.mass if instrument.is_scale else display_units.dioptres
    parts = []
    if instrument.max_capacity is not None:
        parts.append(f"Max {unit(instrument.max_capacity)}")
    if instrument.min_capacity is not None and instrument.is_scale:
        parts.append(f"Min {unit(instrument.min_capacity)}")
    if instrument.e_value is not None and instrument.is_scale:
        parts.append(f"e = {unit(instrument.e_value)}")
    return parts


@bp.get("/q/<token>")
@read_only
def instrument_page(token: str) -> Response:
    lang, explicit = public_language.choose()
    retry_after = _over_public_limit()
    if retry_after is not None:
        body, etag = _render_body("public/limited.html", lang, explicit, None, local_today())
        response = _respond(429, body, etag, lang, explicit)
        response.headers["Retry-After"] = str(retry_after)
        return response
    seconds = float(current_app.config.get("PUBLIC_PAGE_CACHE_SECONDS", 5))
    # Anything that cannot be a token is one entry (the same 404), however long the URL.
    key = token if public_page.TOKEN_PATTERN.fullmatch(token) else ""
    page = public_cache.page_cache(current_app).get_or_make(
        (key, lang, explicit), seconds, lambda: _page(key, lang, explicit)
    )
    return _respond(*page, lang, explicit)
