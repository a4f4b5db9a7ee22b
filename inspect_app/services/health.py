"""Readiness: can this process reach its database right now (``GET /readyz``)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from inspect_app.extensions import db

logger = logging.getLogger(__name__)


def database_ready() -> bool:
    """Run ``SELECT 1``; False (and a warning in the log) when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("Readiness check failed: %s", str(exc).splitlines()[0])
        return False
    return True
