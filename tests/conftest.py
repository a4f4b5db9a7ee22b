"""Fixtures shared by every suite that needs the app.

Factories commit, because requests run in their own session (see ``IsolatedClient``).

The schema always comes from the migrations (never ``create_all``):
* SQLite (default): migrate once per session into a template file, copy it for each test.
* PostgreSQL (``INSPECT_TEST_DATABASE=postgresql``): create a throw-away database for the run,
  migrate it once, and truncate every table after each test.
Under ``CI=true`` a PostgreSQL server that cannot be reached fails the run; it never skips.
"""

from __future__ import annotations

import contextvars
import gc
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, Region, User
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.services import accounts, reference

PG_ADMIN_URL = os.environ.get(
    "INSPECT_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKEND = os.environ.get("INSPECT_TEST_DATABASE", "sqlite")
IN_CI = os.environ.get("CI", "").lower() == "true"
# Cheap hashing in tests: scrypt's production cost would dominate the run.
FAST_HASH = "scrypt:1024:8:1"


def base_config(tmp_path: Path, uri: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789",
        "AUDIT_KEY": "test-audit-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": uri,
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "REGISTRY_IMPORT_DIR": str(tmp_path / "registry-imports"),
        "PUBLIC_BASE_URL": "https://inspect.example.test",
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        accounts, "hash_password", lambda pw: generate_password_hash(pw, method=FAST_HASH)
    )


# ---------------------------------------------------------------- database backends


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(base_config(path.parent, f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def unavailable(what: str, reason: str) -> None:
    """A suite's service or browser is missing: fail under CI=true, skip on a laptop."""
    message = f"{what} cannot run: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextmanager
def throwaway_pg_database(prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for this run, yield its URL, drop it after."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable("PostgreSQL suite", str(exc).splitlines()[0])
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    with throwaway_pg_database("inspect_test") as url:
        app = create_app(base_config(Path("/tmp"), url))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


def _truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if BACKEND == "postgresql":
        return str(request.getfixturevalue("pg_database"))
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(tmp_path: Path, database_uri: str) -> dict[str, Any]:
    """Override in a test module to change settings for its tests."""
    return base_config(tmp_path, database_uri)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        if BACKEND == "postgresql":
            db.engine.dispose()
            _truncate_all(app)
            # An unclosed psycopg connection warns when collected (filterwarnings=error): collect
            # now so the test that leaked it fails, not whichever test runs when the GC does.
            gc.collect()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in an empty contextvars context.

    Without this, Flask reuses the test's app context for the request: ``g``, the locale
    cache, the CSRF token cache and the database session would leak from one request into the
    next, which never happens in production. Each request now gets its own app context and
    session. The test's own session is committed first: what the test wrote becomes visible
    to the request, and the test's next read starts a fresh transaction that sees what the
    request wrote (a SQLite read transaction keeps its snapshot until it ends).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_region(app: Flask) -> Callable[..., Region]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Region:
        n = next(counter)
        fields = {"code": f"R{n}", "name_zh": f"区{n}", "name_en": f"Region {n}"} | overrides
        region = Region(**fields)
        db.session.add(region)
        db.session.commit()
        return region

    return make


@pytest.fixture
def region(make_region: Callable[..., Region]) -> Region:
    return make_region()


@pytest.fixture
def make_market(region: Region) -> Callable[..., Market]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Market:
        n = next(counter)
        fields = {
            "region_id": region.id,
            "code": f"M{n}",
            "name_zh": f"市场{n}",
            "name_en": f"Market {n}",
            "lat": 40.8560,
            "lon": 111.6840,
            "geofence_radius_m": 150,
        } | overrides
        market = reference.add_market(None, **fields)
        db.session.commit()
        return market

    return make


@pytest.fixture
def make_merchant(region: Region, make_market: Callable[..., Market]) -> Callable[..., Merchant]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Merchant:
        n = next(counter)
        if "market_id" not in overrides and "region_id" not in overrides:
            overrides["market_id"] = make_market().id
        fields = {
            "region_id": region.id,
            "kind": MerchantKind.STALL,
            "name": f"商户{n}",
            "stall_no": f"A-{n:02d}",
            "contact_name": "张三",
            "contact_phone": "13800000000",
        } | overrides
        merchant = reference.add_merchant(None, **fields)
        db.session.commit()
        return merchant

    return make


@pytest.fixture
def make_instrument(make_merchant: Callable[..., Merchant]) -> Callable[..., Instrument]:
    counter = iter(range(1, 100_000))

    def make(merchant: Merchant | None = None, **overrides: Any) -> Instrument:
        n = next(counter)
        fields = {
            "code": f"NM-TEST-{n:06d}",
            "kind": InstrumentKind.PRICE_COMPUTING_SCALE,
            "accuracy_class": "III",
            "max_capacity": Decimal("15000"),
            "min_capacity": Decimal("40"),
            "e_value": Decimal("5"),
            "d_value": Decimal("5"),
            "verified_at": date.today() - timedelta(days=100),
            "valid_until": date.today() + timedelta(days=265),
        } | overrides
        instrument = reference.add_instrument(None, merchant or make_merchant(), **fields)
        db.session.commit()
        return instrument

    return make


@pytest.fixture
def make_user(region: Region, make_merchant: Callable[..., Merchant]) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.INSPECTOR, **overrides: Any) -> User:
        role = Role(role)
        n = next(counter)
        password = overrides.pop("password", f"{role.value}-pw-{n}")
        fields: dict[str, Any] = {
            "username": f"{role.value}{n}",
            "display_name": f"{role.value} {n}",
            "role": role,
            "region_id": region.id if role in (Role.INSPECTOR, Role.SUPERVISOR) else None,
            "merchant_id": None,
        }
        if role == Role.MERCHANT and "merchant_id" not in overrides:
            fields["merchant_id"] = make_merchant().id
        fields |= overrides
        user = User(password_hash=accounts.hash_password(password), **fields)
        db.session.add(user)
        db.session.commit()
        user.test_password = password  # type: ignore[attr-defined]
        return user

    return make


@pytest.fixture
def token_for(client: FlaskClient) -> Callable[[User], dict[str, str]]:
    """Authorization headers for ``user`` obtained through the real token endpoint."""

    def get(user: User) -> dict[str, str]:
        db.session.commit()
        response = client.post(
            "/api/v1/auth/token",
            json={
                "username": user.username,
                "password": user.test_password,  # type: ignore[attr-defined]
                "device_name": "test tablet",
            },
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return get


# ---------------------------------------------------------------- web helpers

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = _CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Sign the test client in through the real login form, as a new user of ``role``."""

    def login(role: Role | str, **overrides: Any) -> User:
        user = make_user(role, **overrides)
        db.session.commit()
        response = client.post(
            "/login",
            data={
                "username": user.username,
                "password": user.test_password,  # type: ignore[attr-defined]
                "csrf_token": csrf_from(client),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


# ---------------------------------------------------------------- query counter


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting
