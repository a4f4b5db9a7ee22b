"""Unbound extension singletons, bound to an app in :func:`inspect_app.create_app`.

Models subclass the plain :class:`Base` (not ``db.Model``) so that ``mypy --strict`` can see
their types: mypy cannot subclass a class held by an instance (python/mypy#8603, discussed for
Flask-SQLAlchemy in pallets-eco/flask-sqlalchemy#1186 and #1327), and ``SQLAlchemy(metadata=)``
is the documented way in. The naming convention makes constraint names deterministic, which
Alembic needs to drop or alter them on SQLite and PostgreSQL alike (Alembic docs, "The
Importance of Naming Constraints").
"""

from __future__ import annotations

from flask import Flask
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


class AppLimiter(Limiter):
    """flask-limiter's ``Limiter``, reading each app's settings afresh in ``init_app``.

    The stock ``init_app`` keeps some values from the first app it saw: a
    ``RATELIMIT_ENABLED = False`` (it becomes the default for every later app) and
    ``RATELIMIT_KEY_PREFIX``. This process-wide singleton is bound to many apps in the tests,
    so one app switching limits off must not switch them off for the next.
    """

    def init_app(self, app: Flask) -> None:
        self.enabled = True
        self._key_prefix = ""
        super().init_app(app)


# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, Redis when scaled out).
limiter = AppLimiter(key_func=get_remote_address, default_limits=[])
