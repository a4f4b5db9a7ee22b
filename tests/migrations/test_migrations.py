"""The migrations are the schema: upgrade, check for drift, downgrade to base, upgrade again.

Runs on SQLite by default and on PostgreSQL under INSPECT_TEST_DATABASE=postgresql.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from inspect_app import create_app
from inspect_app.extensions import db
from tests.conftest import BACKEND, base_config, throwaway_pg_database


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with throwaway_pg_database("inspect_mig") as url:
        yield url


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_check_downgrade_upgrade(tmp_path: Path, empty_database: str) -> None:
    app = create_app(base_config(tmp_path, empty_database))
    with app.app_context():
        upgrade()
        check()  # raises (exit 1) when the models drift from the migrations
        assert {"inspection", "finding", "instrument", "audit_entry", "user"} <= _tables()
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert "inspection" in _tables()
        db.engine.dispose()


def test_check_fails_when_a_model_changes_without_a_migration(
    tmp_path: Path, empty_database: str
) -> None:
    """``flask db check`` is a real gate: an unmigrated column makes it fail."""
    app = create_app(base_config(tmp_path, empty_database))
    table = db.metadata.tables["region"]
    extra = sa.Column("unmigrated_note", sa.String(10))
    table.append_column(extra)
    try:
        with app.app_context():
            upgrade()
            with pytest.raises(SystemExit):
                check()
            db.engine.dispose()
    finally:
        table._columns.remove(extra)  # restore the shared metadata for later tests


def test_every_migration_has_a_reviewed_docstring() -> None:
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    for script in versions.glob("*.py"):
        text = script.read_text()
        assert "commands auto generated" not in text, f"{script.name} was not reviewed"
        assert "inspect_app" not in text, f"{script.name} imports application code"
