"""Liveness and readiness for load balancers and orchestrators: no login, no cookie.

``GET /healthz`` answers ``{"status": "ok"}`` without touching the database (the process is
up and serving); ``GET /readyz`` runs ``SELECT 1`` and answers 503 with the catalogue's
``SERVICE_UNAVAILABLE`` body when the database cannot be reached. Both are read-only requests
(no write lock, no commit) and are not rate limited: whatever probes them is trusted to be on
the operator's side.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from inspect_app.database import read_only
from inspect_app.error_handlers import problem_body
from inspect_app.services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@read_only
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
@read_only
def readyz() -> tuple[Response, int]:
    if not health.database_ready():
        return jsonify(problem_body("SERVICE_UNAVAILABLE")), 503
    return jsonify(status="ok"), 200
