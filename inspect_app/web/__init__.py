"""HTML side: login, role home pages, merchant pages, the field app shell and labels."""

from __future__ import annotations

from flask import Flask, Response

from inspect_app.auth import load_session_user


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register_web(app: Flask) -> None:
    from inspect_app.web import account, admin, display, field, home, merchants

    app.before_request(load_session_user)
    display.init_app(app)
    app.after_request(_security_headers)
    for bp in (account.bp, home.bp, admin.bp, merchants.bp, field.bp):
        app.register_blueprint(bp)
