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


def test_derived_flags_migration_keeps_every_row_both_ways(
    tmp_path: Path, empty_database: str
) -> None:
    """cd463d14f118 rebuilds the inspection table (SQLite batch mode) under live foreign keys
    from findings: every row survives, and the downgrade recomputes the dropped flags."""
    from datetime import date, timedelta

    from inspect_app.models import Inspection
    from inspect_app.services import demo

    app = create_app(base_config(tmp_path, empty_database))
    with app.app_context():
        upgrade()
        demo.seed(today=date.today())
        db.session.commit()
        counts = {t: _count(t) for t in ("inspection", "finding", "inspection_attachment")}
        assert counts["finding"] > 0
        # one record from a clock two hours ahead, one whose preview disagreed
        ahead, disputed = db.session.scalars(
            sa.select(Inspection).order_by(Inspection.id).limit(2)
        ).all()
        ahead.captured_at = ahead.received_at + timedelta(hours=2)
        disputed.client_verdict = "fail" if disputed.verdict.value == "pass" else "pass"
        db.session.commit()
        expected = {ahead.id: (True, False), disputed.id: (False, True)}
        db.session.remove()
        downgrade(revision="a2778ae39830")
        assert {t: _count(t) for t in counts} == counts
        flags = {
            row[0]: (bool(row[1]), bool(row[2]))
            for row in db.session.execute(
                sa.text("SELECT id, clock_skew, verdict_discrepancy FROM inspection")
            )
        }
        assert {k: v for k, v in flags.items() if any(v)} == expected
        db.session.remove()
        upgrade()
        assert {t: _count(t) for t in counts} == counts
        db.session.remove()
        db.engine.dispose()


def _count(table: str) -> int:
    return int(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
