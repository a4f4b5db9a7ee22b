"""HTML side: login, role home pages, merchant pages, the field app shell and labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask, Response, current_app, request
from markupsafe import Markup

from inspect_app.auth import load_session_user
from inspect_app.domain.text import neutralize_controls

#: Every HTML page, the field app's shell included: scripts, styles, fonts and images from this
#: site only, no inline script or style, no plugins, never framed. ``blob:`` carries photos
#: the tablet took (shown before upload) and files it offers for download; ``data:`` images
#: are allowed for small icons. The camera preview (a MediaStream set as ``srcObject``) needs
#: no source. The service worker and the manifest come from this site.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _policy() -> str:
    """The CSP, with the dashboard map's tile server in ``img-src`` when one is configured
    (``MAP_TILE_URL``; :func:`inspect_app.web.dashboard_query.tile_origin`)."""
    from inspect_app.web.dashboard_query import tile_origin

    origin = tile_origin(current_app.config.get("MAP_TILE_URL"))
    if origin is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}"
    )


def _security_headers(response: Response) -> Response:
    """``after_request`` for every response (pages, API and errors alike).

    ``Cache-Control: no-store`` goes on everything dynamic that does not choose its own
    caching: signed-in pages, the login form (its CSRF token belongs to one session) and every
    API answer stay out of shared and back-forward caches. Responses that set Cache-Control on
    purpose keep it (the field shell, service worker and manifest: ``no-cache``; photos:
    ``private, max-age=86400, immutable``; form manifests: ETag + ``no-cache``; labels), and
    static files keep Flask's default.
    """
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", _policy())
    if "Cache-Control" not in response.headers and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _finalize(value: Any) -> Any:
    """Jinja's ``finalize``: every ``{{ … }}`` passes here before it is escaped and printed.

    Names and other stored text lose their invisible format characters (direction overrides,
    zero-width spaces; :func:`inspect_app.domain.text.neutralize_controls`), so a merchant
    named ``"\u202e…"`` cannot reorder the rest of a page. Markup stays Markup: taking those
    characters out never changes its tags.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return neutralize_controls(value)
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    if hasattr(value, "__html__"):
        return Markup(neutralize_controls(str(value.__html__())))
    # Anything else (a date, a lazy string, an object with __str__) prints as its str().
    return neutralize_controls(str(value))


def register_web(app: Flask) -> None:
    from inspect_app.web import (
        account,
        admin,
        alert_inbox,
        credit,
        dashboard,
        dashboard_lists,
        display,
        district_orders,
        field,
        grades,
        health,
        home,
        inspection_detail,
        label_sheets,
        merchant_evidence,
        merchant_portal,
        merchants,
        plans,
        public,
        public_plans,
        registry,
        registry_import,
        report_queue,
        reports,
        review,
        users,
    )

    app.before_request(load_session_user)
    # Set before any template is compiled (compilation bakes ``finalize`` in).
    app.jinja_env.finalize = _finalize
    display.init_app(app)
    app.after_request(_security_headers)
    for bp in (
        account.bp,
        home.bp,
        admin.bp,
        merchants.bp,
        field.bp,
        public.bp,
        health.bp,
        label_sheets.bp,
        registry.bp,
        registry_import.bp,
        users.bp,
        reports.bp,
        report_queue.bp,
        review.bp,
        alert_inbox.bp,
        district_orders.bp,
        merchant_portal.bp,
        merchant_evidence.bp,
        plans.bp,
        public_plans.bp,
        credit.bp,
        grades.bp,
        dashboard.bp,
        dashboard_lists.bp,
        inspection_detail.bp,
    ):
        app.register_blueprint(bp)
