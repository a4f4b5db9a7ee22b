"""The audit ledger is append-only and tamper-evident."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from click.testing import Result

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, User
from inspect_app.models.user import Role
from inspect_app.services import audit


def _fill(actor: User, n: int = 5) -> list[AuditEntry]:
    entries = [audit.record(actor, "test.event", "thing", i, {"n": i}) for i in range(n)]
    db.session.commit()
    return entries


def test_entries_chain_to_each_other(make_user: Callable[..., User]) -> None:
    entries = _fill(make_user(Role.ADMIN))
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert audit.verify_chain().first_bad_id is None


def test_verify_names_the_first_altered_entry(make_user: Callable[..., User]) -> None:
    entries = _fill(make_user(Role.ADMIN))
    target = entries[2]
    # Tamper below the ORM, as someone with database access would.
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == target.id).values(action="test.forged")
    )
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_bad_id == target.id
    assert report.reason == "content does not match its hash"


def test_verify_detects_a_deleted_entry(make_user: Callable[..., User]) -> None:
    entries = _fill(make_user(Role.ADMIN))
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    db.session.commit()
    assert audit.verify_chain().first_bad_id == entries[2].id


def test_chain_cannot_fork(make_user: Callable[..., User]) -> None:
    """Two entries claiming the same predecessor are refused by the database."""
    entries = _fill(make_user(Role.ADMIN), 2)
    fork = AuditEntry(
        action="x", entity="y", detail={}, prev_hash=entries[0].prev_hash, entry_hash="f" * 64
    )
    db.session.add(fork)
    try:
        db.session.flush()
        raised = False
    except sa.exc.IntegrityError:
        raised = True
    db.session.rollback()
    assert raised


def test_cli_verify_reports_and_fails_on_tampering(
    runner: object, make_user: Callable[..., User]
) -> None:
    entries = _fill(make_user(Role.ADMIN))
    ok: Result = runner.invoke(args=["audit", "verify"])  # type: ignore[attr-defined]
    assert ok.exit_code == 0 and "intact" in ok.output
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[3].id).values(detail={"n": 99})
    )
    db.session.commit()
    bad: Result = runner.invoke(args=["audit", "verify"])  # type: ignore[attr-defined]
    assert bad.exit_code == 1
    assert f"entry {entries[3].id}" in bad.output
