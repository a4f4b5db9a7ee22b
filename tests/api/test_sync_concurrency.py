"""Two tablets (or one retrying over two connections) push the same batch at the same moment.

Runs on SQLite and, under INSPECT_TEST_DATABASE=postgresql, on PostgreSQL with real
concurrent connections: each thread's request has its own app context and database session.
"""

from __future__ import annotations

import threading
from typing import Any

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Finding, Inspection
from inspect_app.services import audit
from tests.api.conftest import Field
from tests.payloads import item, scale_answers


def _push_concurrently(field: Field, batch: list[dict[str, Any]], n: int) -> list[list[Any]]:
    barrier = threading.Barrier(n)
    outcomes: list[list[Any]] = [[] for _ in range(n)]
    errors: list[BaseException] = []
    db.session.commit()

    def worker(slot: int) -> None:
        try:
            client = field.client.application.test_client()
            barrier.wait(timeout=10)
            response = client.post(
                "/api/v1/sync/push", json={"inspections": batch}, headers=field.headers
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            outcomes[slot] = response.get_json()["results"]
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def test_the_same_batch_pushed_twice_at_once_is_stored_exactly_once(field: Field) -> None:
    batch = [
        item(
            "bazaar_scale",
            scale_answers(
                field.merchant.id,
                field.scale.code,
                cheating_device_found=(n % 7 == 0),
                cheating_methods=["remote_control"],
            ),
        )
        for n in range(40)
    ]
    for sent in batch:
        if not sent["answers"]["cheating_device_found"]:
            del sent["answers"]["cheating_methods"]
    first, second = _push_concurrently(field, batch, 2)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 40
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 6  # n = 0, 7, …, 35
    for a, b in zip(first, second, strict=True):
        assert {a["status"], b["status"]} == {"created", "duplicate"}
        assert (a["verdict"], a["findings"]) == (b["verdict"], b["findings"])
    # one audit entry per stored inspection, and the chain is still a single line
    creates = db.session.scalar(
        db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "inspection.create")
    )
    assert creates == 40
    assert audit.verify_chain().first_bad_id is None


def test_two_racing_corrections_of_one_record_leave_exactly_one(field: Field) -> None:
    original = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    field.push(original)
    corrections = [
        item(
            "bazaar_scale",
            scale_answers(field.merchant.id, field.scale.code),
            supersedes=original["uuid"],
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    statuses: list[str] = []
    db.session.commit()

    def worker(sent: dict[str, Any]) -> None:
        client = field.client.application.test_client()
        barrier.wait(timeout=10)
        response = client.post(
            "/api/v1/sync/push", json={"inspections": [sent]}, headers=field.headers
        )
        statuses.append(response.get_json()["results"][0]["status"])

    threads = [threading.Thread(target=worker, args=(c,)) for c in corrections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == ["created", "stale"]
    db.session.commit()
    assert (
        db.session.scalar(
            db.select(db.func.count(Inspection.id)).where(Inspection.supersedes_id.is_not(None))
        )
        == 1
    )
