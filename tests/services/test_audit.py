"""The audit ledger is append-only and tamper-evident, and so are the inspections it records.

Tampering is done below the application, with SQL, as someone with database access would;
``flask audit verify`` must then exit 1 naming the first bad entry or inspection. Runs on
SQLite and, under INSPECT_TEST_DATABASE=postgresql, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.extensions import db
from inspect_app.models import (
    AuditCheckpoint,
    AuditEntry,
    Finding,
    Inspection,
    InspectionAttachment,
    Instrument,
    Merchant,
    User,
)
from inspect_app.models.user import Role
from inspect_app.services import audit, audit_records
from tests.payloads import item, scale_answers


def _fill(actor: User | None, n: int = 5) -> list[AuditEntry]:
    entries = [audit.record(actor, "test.event", "thing", i, {"n": i}) for i in range(n)]
    db.session.commit()
    return entries


def _verify(runner: Any) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output.strip()


def _entry_ids() -> list[int]:
    return list(db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)))


@dataclass
class Pushed:
    """Three inspections stored through sync/push: a pass, a fail with a finding, a cheat."""

    uuids: list[str]
    #: uuid → id of its ``inspection.create`` entry
    entries: dict[str, int]

    @property
    def failed(self) -> str:
        return self.uuids[1]


@pytest.fixture
def pushed(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> Pushed:
    inspector = make_user(Role.INSPECTOR)
    merchant = make_merchant()
    scale = make_instrument(merchant)
    sent = [
        item("bazaar_scale", scale_answers(merchant.id, scale.code)),
        item(
            "bazaar_scale",
            scale_answers(
                merchant.id, scale.code, test_points=[{"load": 10000, "indication": 10011}]
            ),
        ),
        item(
            "bazaar_scale",
            scale_answers(
                merchant.id,
                scale.code,
                cheating_device_found=True,
                cheating_methods=["remote_control"],
            ),
        ),
    ]
    response = client.post(
        "/api/v1/sync/push", json={"inspections": sent}, headers=token_for(inspector)
    )
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["created"] * 3
    assert [r["verdict"] for r in results] == ["pass", "fail", "fail"]
    uuids = [s["uuid"] for s in sent]
    entries = dict(
        db.session.execute(
            sa.select(AuditEntry.entity_id, AuditEntry.id).where(
                AuditEntry.action == "inspection.create"
            )
        ).all()
    )
    # something after the creates, so the chain goes on past them
    _fill(None, 3)
    return Pushed(uuids, entries)


def _inspection_id(uuid: str) -> int:
    return int(db.session.scalar(sa.select(Inspection.id).where(Inspection.uuid == uuid)) or 0)


def _sql(statement: str, **params: object) -> None:
    db.session.execute(sa.text(statement), params)
    db.session.commit()


# ---------------------------------------------------------------- the chain itself


def test_entries_chain_to_each_other(make_user: Callable[..., User]) -> None:
    entries = _fill(make_user(Role.ADMIN))
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert audit.verify_chain().intact


def test_entry_hash_is_an_hmac_under_the_configured_key(
    app: Flask, make_user: Callable[..., User]
) -> None:
    entry = _fill(make_user(Role.ADMIN), 1)[0]
    payload = audit_records.canonical_json(
        {
            "prev_hash": entry.prev_hash,
            "at": entry.at.isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "detail": entry.detail,
        }
    ).encode()
    key = app.config["AUDIT_KEY"].encode()
    assert entry.entry_hash == hmac.new(key, payload, hashlib.sha256).hexdigest()
    assert entry.entry_hash != hashlib.sha256(payload).hexdigest()


def test_verify_names_the_first_altered_entry(make_user: Callable[..., User]) -> None:
    entries = _fill(make_user(Role.ADMIN))
    target = entries[2]
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
    runner: Any, make_user: Callable[..., User]
) -> None:
    entries = _fill(make_user(Role.ADMIN))
    assert _verify(runner) == (0, "audit chain intact: 5 entries, 0 inspections checked")
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[3].id).values(detail={"n": 99})
    )
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert output == (
        f"audit chain BROKEN at entry {entries[3].id}: content does not match its hash"
    )


# ---------------------------------------------------------------- the inspections it vouches for


def test_pushed_inspections_verify(runner: Any, pushed: Pushed) -> None:
    entries = len(_entry_ids())
    assert _verify(runner) == (
        0,
        f"audit chain intact: {entries} entries, 3 inspections checked",
    )
    details = db.session.scalars(
        sa.select(AuditEntry.detail).where(AuditEntry.action == "inspection.create")
    ).all()
    assert {d["verdict"] for d in details} == {"pass", "fail"}
    assert all(len(d["record_sha256"]) == 64 for d in details)


def _assert_broken_at(runner: Any, entry_id: int, uuid: str, reason: str) -> None:
    code, output = _verify(runner)
    assert code == 1, output
    assert output.startswith(f"audit chain BROKEN at entry {entry_id}: inspection {uuid} ")
    assert reason in output


def test_an_edited_verdict_is_caught(runner: Any, pushed: Pushed) -> None:
    _sql("UPDATE inspection SET verdict = 'pass' WHERE uuid = :u", u=pushed.failed)
    _assert_broken_at(runner, pushed.entries[pushed.failed], pushed.failed, "differs")


def _delete_what_findings_caused(inspection_id: int) -> None:
    """Whoever deletes findings must first delete the orders and alerts they caused (foreign
    keys); the ledger still catches the record that no longer matches its hash."""
    found = "SELECT id FROM finding WHERE inspection_id = :i"
    orders = f"SELECT id FROM enforcement_order WHERE inspection_id = :i OR finding_id IN ({found})"
    alerts = f"SELECT id FROM alert WHERE inspection_id = :i OR order_id IN ({orders})"
    for table, column, ids in (
        ("alert_event", "alert_id", alerts),
        ("alert_delivery", "alert_id", alerts),
        ("alert", "id", alerts),
        ("order_event", "order_id", orders),
        ("order_evidence", "order_id", orders),
        ("enforcement_order", "id", orders),
    ):
        _sql(f"DELETE FROM {table} WHERE {column} IN ({ids})", i=inspection_id)


def test_deleted_findings_are_caught(runner: Any, pushed: Pushed) -> None:
    i = _inspection_id(pushed.failed)
    _delete_what_findings_caused(i)
    _sql("DELETE FROM finding WHERE inspection_id = :i", i=i)
    _assert_broken_at(runner, pushed.entries[pushed.failed], pushed.failed, "differs")


def test_edited_answers_are_caught(runner: Any, pushed: Pushed) -> None:
    row = db.session.get(Inspection, _inspection_id(pushed.failed))
    assert row is not None
    answers = dict(row.answers, test_points=[{"load": 10000, "indication": 10010}])
    db.session.execute(
        sa.update(Inspection.__table__)
        .where(Inspection.__table__.c.uuid == pushed.failed)
        .values(answers=answers)
    )
    db.session.commit()
    _assert_broken_at(runner, pushed.entries[pushed.failed], pushed.failed, "differs")


def test_an_edited_finding_is_caught(runner: Any, pushed: Pushed) -> None:
    db.session.execute(
        sa.update(Finding.__table__)
        .where(Finding.__table__.c.inspection_id == _inspection_id(pushed.uuids[2]))
        .values(severity=0)
    )
    db.session.commit()
    _assert_broken_at(runner, pushed.entries[pushed.uuids[2]], pushed.uuids[2], "differs")


def test_a_deleted_inspection_is_caught(runner: Any, pushed: Pushed) -> None:
    target = _inspection_id(pushed.failed)
    _delete_what_findings_caused(target)
    for table in (Finding.__tablename__, InspectionAttachment.__tablename__):
        _sql(f"DELETE FROM {table} WHERE inspection_id = :i", i=target)
    _sql("DELETE FROM inspection WHERE id = :i", i=target)
    _assert_broken_at(runner, pushed.entries[pushed.failed], pushed.failed, "deleted")


def test_an_inspection_inserted_behind_the_application_is_caught(
    runner: Any, pushed: Pushed
) -> None:
    table = Inspection.__table__
    row = db.session.execute(sa.select(table).where(table.c.uuid == pushed.uuids[0])).one()
    copy = dict(row._mapping)
    del copy["id"]
    copy["uuid"] = "00000000-0000-4000-8000-000000000001"
    db.session.execute(sa.insert(table).values(copy))
    db.session.commit()
    assert _verify(runner) == (
        1,
        f"audit chain BROKEN at inspection {copy['uuid']}: no inspection.create entry records it",
    )


# ---------------------------------------------------------------- truncation and the checkpoint


@pytest.mark.parametrize("n", [1, 5])
def test_deleting_the_last_entries_is_caught(runner: Any, pushed: Pushed, n: int) -> None:
    """n = 5 reaches back into the inspection.create entries: the truncation is still named."""
    ids = _entry_ids()
    _sql("DELETE FROM audit_entry WHERE id >= :first", first=ids[-n])
    assert audit.verify_chain().first_bad_id == ids[-1]
    code, output = _verify(runner)
    assert code == 1
    assert output.startswith(f"audit chain BROKEN at entry {ids[-1]}: missing: ")
    assert f"{len(ids)} entries" in output and f"ending at entry {ids[-n - 1]}" in output


def test_a_truncation_stays_reported_after_later_appends(
    runner: Any, make_user: Callable[..., User]
) -> None:
    """Appends leave a checkpoint that no longer matches the chain as found (whether or not
    the engine reuses the deleted ids), so the evidence survives the next sign-in."""
    ids = [e.id for e in _fill(make_user(Role.ADMIN), 6)]
    _sql("DELETE FROM audit_entry WHERE id >= :first", first=ids[-2])
    _fill(None, 3)
    code, output = _verify(runner)
    assert code == 1
    assert output.startswith(f"audit chain BROKEN at entry {ids[-1]}: ")


def test_a_deleted_checkpoint_is_caught(runner: Any, make_user: Callable[..., User]) -> None:
    ids = [e.id for e in _fill(make_user(Role.ADMIN))]
    _sql("DELETE FROM audit_checkpoint")
    code, output = _verify(runner)
    assert code == 1
    assert output.startswith(f"audit chain BROKEN at entry {ids[-1]}: the audit checkpoint")


def test_a_forged_checkpoint_is_caught(runner: Any, make_user: Callable[..., User]) -> None:
    ids = [e.id for e in _fill(make_user(Role.ADMIN))]
    _sql("DELETE FROM audit_entry WHERE id = :i", i=ids[-1])
    head = db.session.get(AuditEntry, ids[-2])
    assert head is not None
    _sql(
        "UPDATE audit_checkpoint SET entry_id = :i, entry_count = entry_count - 1, entry_hash = :h",
        i=head.id,
        h=head.entry_hash,
    )
    code, output = _verify(runner)
    assert code == 1
    assert (
        output
        == f"audit chain BROKEN at entry {head.id}: the audit checkpoint does not match its MAC"
    )


# ---------------------------------------------------------------- recomputing without the key


def _reseal_without_the_key(seal: Callable[[bytes], str]) -> None:
    """What someone with database access but no AUDIT_KEY can do after editing a record:
    recompute its record hash (the rule is public) and every entry hash and checkpoint."""
    table = AuditEntry.__table__
    rows = db.session.execute(sa.select(table).order_by(table.c.id)).all()
    records = audit_records.digests_by_uuid([r.entity_id for r in rows if r.entity_id])
    prev = audit.GENESIS_HASH
    for row in rows:
        detail = dict(row.detail)
        if row.action == "inspection.create":
            detail["record_sha256"] = records[row.entity_id]
        payload = {
            "prev_hash": prev,
            "at": row.at.isoformat(timespec="microseconds"),
            "actor_id": row.actor_id,
            "action": row.action,
            "entity": row.entity,
            "entity_id": row.entity_id,
            "detail": detail,
        }
        entry_hash = seal(audit_records.canonical_json(payload).encode())
        db.session.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values(prev_hash=prev, entry_hash=entry_hash, detail=detail)
        )
        prev = entry_hash
    db.session.execute(
        sa.update(AuditCheckpoint.__table__).values(
            entry_hash=prev, mac=seal(f"{rows[-1].id}:{len(rows)}:{prev}".encode())
        )
    )
    db.session.commit()


@pytest.mark.parametrize(
    "seal",
    [
        pytest.param(lambda data: hashlib.sha256(data).hexdigest(), id="plain-sha256"),
        pytest.param(
            lambda data: hmac.new(b"a-guessed-key-0123456789", data, hashlib.sha256).hexdigest(),
            id="wrong-key",
        ),
    ],
)
def test_a_chain_recomputed_without_the_key_is_caught(
    runner: Any, pushed: Pushed, seal: Callable[[bytes], str]
) -> None:
    _sql("UPDATE inspection SET verdict = 'pass' WHERE uuid = :u", u=pushed.failed)
    _reseal_without_the_key(seal)
    first = _entry_ids()[0]
    assert _verify(runner) == (
        1,
        f"audit chain BROKEN at entry {first}: content does not match its hash",
    )


def test_verify_under_another_key_fails(app: Flask, runner: Any, pushed: Pushed) -> None:
    app.config["AUDIT_KEY"] = "another-audit-key-0123456789"
    code, output = _verify(runner)
    assert code == 1 and f"entry {_entry_ids()[0]}:" in output
