"""JSON API under /api/v1 for devices. Token auth, never a redirect, never CSRF cookies."""

from __future__ import annotations

from flask import Blueprint, Flask

from inspect_app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register_api(app: Flask) -> None:
    # Imported for their route registrations on ``bp``.
    from inspect_app.api import (  # noqa: F401
        attachments,
        auth,
        credit,
        dashboard,
        enforcement,
        exports,
        forms,
        label_tokens,
        labels,
        openapi,
        reports,
        sync,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
