"""Unbound extension singletons, bound to an app in :func:`inspect_app.create_app`.

Models subclass the plain :class:`Base` (not ``db.Model``) so that ``mypy --strict`` can see
their types (flask-style.md 8.4); the naming convention makes constraint names deterministic,
which Alembic needs to drop or alter them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model; carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, Redis when scaled out).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
