"""The migrations are the schema: upgrade, check for drift, downgrade to base, upgrade again.

Runs on SQLite by default and on PostgreSQL under INSPECT_TEST_DATABASE=postgresql.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
        # Below the keyed audit chain first: under it, the edits below are tampering that its
        # downgrade refuses to seal away (test_keyed_audit_chain_migration_...).
        db.session.remove()
        downgrade(revision="c3f5d2e8a614")
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


def _audit_rows() -> list[tuple[Any, ...]]:
    from inspect_app.models import AuditEntry

    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.actor_id,
                AuditEntry.action,
                AuditEntry.entity,
                AuditEntry.entity_id,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.entry_hash,
            ).order_by(AuditEntry.id)
        )
    ]


def _unkeyed_chain_holds(rows: list[tuple[Any, ...]]) -> bool:
    """The rule before b7e1a9c40d21: sha256 of the canonical JSON, no key."""
    from inspect_app.services.audit_records import canonical_json

    prev = "0" * 64
    for _id, at, actor_id, action, entity, entity_id, detail, prev_hash, entry_hash in rows:
        payload = {
            "prev_hash": prev,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        }
        digest = hashlib.sha256(canonical_json(payload).encode()).hexdigest()
        if prev_hash != prev or entry_hash != digest:
            return False
        prev = entry_hash
    return True


def _revision() -> str:
    return str(db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar())


def test_keyed_audit_chain_migration_reseals_both_ways_and_never_launders(
    tmp_path: Path, empty_database: str
) -> None:
    """b7e1a9c40d21 on the demo's chain: down to the unkeyed rule and up again gives back the
    very entries the application wrote (so its frozen record rule is the application's), and
    a chain broken under the rule it is about to replace stops it with nothing changed."""
    from datetime import date

    from inspect_app.services import audit, demo

    app = create_app(base_config(tmp_path, empty_database))
    with app.app_context():
        upgrade()
        demo.seed(today=date.today())
        db.session.commit()
        written = _audit_rows()
        creates = [row for row in written if row[3] == "inspection.create"]
        assert len(creates) == _count("inspection") > 100
        assert all(len(row[6]["record_sha256"]) == 64 for row in creates)
        db.session.remove()

        downgrade(revision="c3f5d2e8a614")
        legacy = _audit_rows()
        assert not any("record_sha256" in row[6] for row in legacy)
        assert _unkeyed_chain_holds(legacy) and "audit_checkpoint" not in _tables()
        db.session.remove()
        upgrade()
        assert _audit_rows() == written
        assert audit.verify_chain().intact

        # Tampered under the keyed rule: the downgrade refuses and leaves everything as found.
        first = int(db.session.execute(sa.text("SELECT min(id) FROM inspection")).scalar_one())
        verdict = db.session.execute(
            sa.text("SELECT verdict FROM inspection WHERE id = :id"), {"id": first}
        ).scalar_one()
        flip = "fail" if verdict == "pass" else "pass"
        db.session.execute(
            sa.text("UPDATE inspection SET verdict = :v WHERE id = :id"), {"v": flip, "id": first}
        )
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):
            downgrade(revision="c3f5d2e8a614")
        # (a later revision's downgrade may have run first: only this one must not have)
        assert _revision() != "c3f5d2e8a614" and "audit_checkpoint" in _tables()
        assert _audit_rows() == written
        db.session.execute(
            sa.text("UPDATE inspection SET verdict = :v WHERE id = :id"),
            {"v": verdict, "id": first},
        )
        db.session.commit()
        db.session.remove()

        # Tampered under the unkeyed rule: the upgrade refuses before creating anything.
        downgrade(revision="c3f5d2e8a614")
        db.session.execute(
            sa.text("UPDATE audit_entry SET entity_id = 'forged' WHERE id = :id"),
            {"id": creates[3][0]},
        )
        db.session.commit()
        before = _audit_rows()
        db.session.remove()
        with pytest.raises(SystemExit):
            upgrade()
        assert _revision() == "c3f5d2e8a614" and _audit_rows() == before
        assert "audit_checkpoint" not in _tables()
        db.session.remove()
        db.engine.dispose()
