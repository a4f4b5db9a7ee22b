"""What the batch-at-a-time ingest could break, checked through ``POST /api/v1/sync/push``.

The batch path judges every item first and inserts the stored ones together; when that insert
fails (a uuid committed elsewhere since the batch was read, a row the database refuses) the
batch is stored again item by item. Runs on SQLite and, with
``INSPECT_TEST_DATABASE=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Finding, Inspection, InspectionAttachment, User
from inspect_app.registry import forms, rule_pack
from inspect_app.schemas.sync import InspectionIn
from inspect_app.services import audit, audit_records, enforcement, sync_batch, sync_push
from inspect_app.services.inspection_record import PushItem, build_inspection
from tests.api.conftest import Field
from tests.payloads import item, scale_answers

SHA = "ab" * 32


def _scale(field: Field, **changes: Any) -> dict[str, Any]:
    return item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code), **changes)


def _failing(field: Field) -> dict[str, Any]:
    """A scale reading far out of tolerance: a finding (and its order)."""
    answers = scale_answers(
        field.merchant.id, field.scale.code, test_points=[{"load": 10000, "indication": 10100}]
    )
    return item("bazaar_scale", answers)


def _stored(uuid_: str) -> Inspection:
    row = db.session.scalar(db.select(Inspection).where(Inspection.uuid == uuid_))
    assert row is not None
    return row


def _creates() -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "inspection.create")
        )
        or 0
    )


# ---------------------------------------------------------------- a race the insert meets


def _plant_before_insert(
    field: Field, monkeypatch: pytest.MonkeyPatch, planted: dict[str, Any]
) -> list[bool]:
    """Store ``planted`` after the batch was read and judged, right before its bulk insert.

    PostgreSQL: another connection pushes it and commits (a second tablet, for real).
    SQLite takes one writer at a time (requests begin IMMEDIATE), so no other connection can
    commit in between there; the same transaction stores it through the service instead,
    which the bulk insert meets in the same way. Returns each bulk insert's outcome (True:
    kept, False: rolled back for the item-by-item path).
    """
    real = sync_batch.insert
    outcomes: list[bool] = []
    planting: list[bool] = []
    inspector_id = field.inspector.id  # read now: the request has its own session
    # A second tablet of the same inspector (its own device row: the request being planted
    # in holds its own device's row until it commits).
    token = field.client.post(
        "/api/v1/auth/token",
        json={
            "username": field.inspector.username,
            "password": field.inspector.test_password,  # type: ignore[attr-defined]
            "device_name": "second tablet",
        },
    ).get_json()["token"]
    other_headers = {"Authorization": f"Bearer {token}"}
    status: list[int] = []

    def other_tablet() -> None:
        client = field.client.application.test_client()
        body = {"inspections": [planted]}
        status.append(
            client.post("/api/v1/sync/push", json=body, headers=other_headers).status_code
        )

    def plant() -> None:
        planting.append(True)  # the planted push takes the real insert
        try:
            if db.engine.dialect.name == "postgresql":
                thread = threading.Thread(target=other_tablet)
                thread.start()
                thread.join(timeout=30)
                assert status == [200]
            else:
                parsed = PushItem.from_wire(InspectionIn().load(planted))
                actor = db.session.get(User, inspector_id)
                assert actor is not None
                [result] = sync_push.push_batch(actor, None, [parsed], forms(), rule_pack())
                assert result.status == "created"
        finally:
            planting.clear()

    def insert(records: Any, lookups: Any) -> Any:
        if planting:
            return real(records, lookups)
        if not outcomes:
            plant()
        ids = real(records, lookups)
        outcomes.append(ids is not None)
        return ids

    monkeypatch.setattr(sync_batch, "insert", insert)
    return outcomes


def test_a_uuid_committed_between_the_read_and_the_insert_is_answered_as_a_duplicate(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [_scale(field) for _ in range(6)] + [_failing(field)]
    outcomes = _plant_before_insert(field, monkeypatch, batch[2])
    results = field.push(*batch)
    assert outcomes == [False]  # the bulk insert met the row and was rolled back whole
    assert [r["uuid"] for r in results] == [b["uuid"] for b in batch]
    assert [r["status"] for r in results] == ["created"] * 2 + ["duplicate"] + ["created"] * 4
    assert results[-1]["verdict"] == "fail" and results[-1]["findings"]
    for sent in batch:  # exactly once, with one audit entry each
        assert _stored(sent["uuid"]).content_sha256
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 7
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 1
    assert _creates() == 7
    assert audit.verify_chain().first_bad_id is None


def test_a_uuid_committed_with_other_content_in_between_is_a_conflict(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [_scale(field) for _ in range(3)]
    other = _failing(field) | {"uuid": batch[1]["uuid"]}
    _plant_before_insert(field, monkeypatch, other)
    results = field.push(*batch)
    assert [r["status"] for r in results] == ["created", "conflict", "created"]
    assert results[1]["code"] == "SYNC_UUID_CONFLICT"
    assert _stored(batch[1]["uuid"]).verdict.value == "fail"  # the other one stands
    assert _creates() == 3


def test_a_correction_committed_in_between_makes_the_batch_correction_stale(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = _failing(field)
    field.push(original)
    ours, theirs = (_scale(field, supersedes=original["uuid"]) for _ in range(2))
    _plant_before_insert(field, monkeypatch, theirs)
    results = field.push(_scale(field), ours)
    assert [r["status"] for r in results] == ["created", "stale"]
    assert _stored(theirs["uuid"]).supersedes_id == _stored(original["uuid"]).id


# ---------------------------------------------------------------- order, duplicates, chains


def test_every_kind_of_answer_comes_back_in_the_order_sent(field: Field) -> None:
    stored = _scale(field)
    field.push(stored)
    a = _scale(field)
    batch = [
        _failing(field),  # created, with a finding
        stored,  # duplicate of a stored record
        stored | {"answers": {**stored["answers"], "seal": "broken"}},  # conflict
        a,  # created
        _scale(field, supersedes=a["uuid"]),  # corrects a record of this batch: created
        _scale(field, supersedes=a["uuid"]),  # a second correction of it: stale
        _scale(field, supersedes=str(uuid.uuid4())),  # rejected: unknown original
        a,  # the same record again: duplicate
        item("bazaar_scale", scale_answers(field.merchant.id, "NM-NOPE-1")),  # rejected
        _scale(field, attachments=[SHA]),  # created, its photo expected
    ]
    results = field.push(*batch)
    assert [r["uuid"] for r in results] == [b["uuid"] for b in batch]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("created", None),
        ("duplicate", None),
        ("conflict", "SYNC_UUID_CONFLICT"),
        ("created", None),
        ("created", None),
        ("stale", "SYNC_SUPERSEDE_STALE"),
        ("rejected", "SYNC_SUPERSEDE_UNKNOWN"),
        ("duplicate", None),
        ("rejected", "INSTRUMENT_UNKNOWN"),
        ("created", None),
    ]
    assert results[7] == results[3] | {"status": "duplicate"}
    assert results[9]["missing_attachments"] == [SHA]
    assert _creates() == 1 + 4


def test_the_same_record_three_times_in_a_batch_is_stored_once(field: Field) -> None:
    sent = _failing(field)
    changed = sent | {"answers": {**sent["answers"], "seal": "broken"}}
    bad = item("bazaar_scale", scale_answers(field.merchant.id, "NM-NOPE-1"))
    results = field.push(sent, sent, changed, bad, sent, bad)
    assert [r["status"] for r in results] == [
        "created",
        "duplicate",
        "conflict",
        "rejected",
        "duplicate",
        "rejected",
    ]
    assert results[1]["findings"] == results[0]["findings"] != []
    assert results[5] == results[3]  # refused again, for the same reason
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 1
    assert _creates() == 1


def test_a_chain_of_corrections_in_one_batch_links_each_to_the_one_before(field: Field) -> None:
    a = _failing(field)
    b = _scale(field, supersedes=a["uuid"])
    c = _failing(field) | {"supersedes": b["uuid"]}
    d = _scale(field)
    results = field.push(a, b, d, c)
    assert [r["status"] for r in results] == ["created"] * 4
    ra, rb, rc, rd = (_stored(x["uuid"]) for x in (a, b, c, d))
    assert (ra.supersedes_id, rb.supersedes_id, rc.supersedes_id) == (None, ra.id, rb.id)
    assert rd.supersedes_id is None
    assert ra.id < rb.id < rd.id < rc.id  # ids follow the order sent
    details = {
        e.entity_id: e.detail
        for e in db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "inspection.create")
        )
    }
    assert details[c["uuid"]]["supersedes"] == rb.id


def test_a_correction_sent_before_its_original_is_unknown(field: Field) -> None:
    a = _scale(field)
    results = field.push(_scale(field, supersedes=a["uuid"]), a)
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "SYNC_SUPERSEDE_UNKNOWN"),
        ("created", None),
    ]


# ---------------------------------------------------------------- one bad row among 500


def test_a_row_the_database_refuses_among_500_leaves_499_stored_in_order(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [_scale(field) if n % 5 else _failing(field) for n in range(500)]
    target = batch[321]["uuid"]

    def build(*args: Any, **kwargs: Any) -> Any:
        draft = build_inspection(*args, **kwargs)
        if draft.uuid == target:
            draft.form_key = None  # NOT NULL: refused by the database, not by the judge
        return draft

    monkeypatch.setattr(sync_push, "build_inspection", build)
    results = field.push(*batch)
    assert [r["uuid"] for r in results] == [b["uuid"] for b in batch]
    assert results[321]["status"] == "rejected" and results[321]["code"] == "ITEM_UNPROCESSABLE"
    assert all(r["status"] == "created" for n, r in enumerate(results) if n != 321)
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 499
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 100
    assert _creates() == 499


# ---------------------------------------------------------------- what comes after the insert


def test_the_audit_hash_is_the_hash_of_the_rows_read_back(field: Field) -> None:
    a = _failing(field)
    batch = [
        a,
        _scale(field, supersedes=a["uuid"], attachments=[SHA]),
        _scale(field, geotag=None, started_at="2026-01-01T08:00:00+08:00"),
    ]
    field.push(*batch)
    uuids = [b["uuid"] for b in batch]
    expected = audit_records.digests_by_uuid(uuids)
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "inspection.create")
    )
    assert {e.entity_id: e.detail["record_sha256"] for e in entries} == expected
    assert db.session.scalar(db.select(db.func.count(InspectionAttachment.id))) == 1
    assert audit.verify_chain().first_bad_id is None


@pytest.mark.parametrize("path", ["batch", "item by item"])
def test_the_hooks_get_the_stored_records_with_ids_and_findings(
    field: Field, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    batch = [_failing(field), _scale(field), _failing(field)]
    seen: list[list[tuple[str, int, list[str], bool]]] = []
    real = enforcement.after_ingest

    def after_ingest(created: Any, violations: Any, now: Any) -> None:
        seen.append(
            [
                (
                    i.uuid,
                    i.id,
                    [f.code for f in i.findings],
                    sa_inspect(i).persistent and "findings" in sa_inspect(i).dict,
                )
                for i in created
            ]
        )
        real(created, violations, now)

    monkeypatch.setattr(enforcement, "after_ingest", after_ingest)
    if path == "item by item":
        monkeypatch.setattr(sync_batch, "insert", lambda *_args: None)
    field.push(*batch)
    [created] = seen
    assert [uuid_ for uuid_, *_ in created] == [b["uuid"] for b in batch]
    assert all(loaded and id_ == _stored(u).id for u, id_, _codes, loaded in created)
    assert [bool(codes) for _u, _id, codes, _loaded in created] == [True, False, True]


def test_a_batch_without_races_never_takes_the_item_by_item_path(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback answers correctly too, so only this shows the fast path still works."""

    def item_by_item(*_args: Any) -> Any:
        raise AssertionError("the bulk insert failed")

    monkeypatch.setattr(sync_push, "store_items", item_by_item)
    a = _failing(field)
    batch = [a, _scale(field, supersedes=a["uuid"], attachments=[SHA]), _scale(field, geotag=None)]
    stored = _scale(field, attachments=["cd" * 32])
    [first] = field.push(stored)
    results = field.push(*batch, stored, batch[0])
    assert [r["status"] for r in results] == ["created"] * 3 + ["duplicate"] * 2
    assert results[3] == first | {"status": "duplicate"}  # the photo is still expected
    assert results[3]["missing_attachments"] == ["cd" * 32]


@pytest.mark.parametrize(
    "answers",
    [
        {"merchant": "²"},  # str.isdigit() but not int(): read before validation
        {"merchant": {"id": 1}, "instrument": ["NM-B-1"]},
        {"instrument": {"nested": [None, 1.5]}, "test_points": "many"},
    ],
    ids=["superscript-digit", "wrong-types", "odd-shapes"],
)
def test_odd_answers_read_before_validation_reject_only_their_item(
    field: Field, answers: dict[str, Any]
) -> None:
    bad = _scale(field)
    bad["answers"] = {**bad["answers"], **answers}
    batch = [_scale(field), bad, _failing(field)]
    results = field.push(*batch)
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["code"] == "VALIDATION_FAILED"
