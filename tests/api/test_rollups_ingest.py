"""Records stored by the real sync push are counted exactly once by the read models, a
correction included: ``push_batch`` calls ``rollups.after_ingest`` once per batch with what it
created (a spy proves the call), and the rollups then equal the raw rows. A merchant moved to
another market takes its history with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from inspect_app.extensions import db
from inspect_app.models import Inspection
from inspect_app.services import rollup_check, rollups
from tests.api.conftest import Field
from tests.payloads import item, scale_answers


def test_pushed_records_and_their_correction_are_counted_once(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    original = rollups.after_ingest

    def spy(created: Sequence[Inspection]) -> None:
        calls.append([i.uuid for i in created])
        original(created)

    monkeypatch.setattr(rollups, "after_ingest", spy)

    def push(*items: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(calls)
        results: list[dict[str, Any]] = field.push(*items)
        assert len(calls) == before + 1  # once per batch
        created = [r["uuid"] for r in results if r["status"] == "created"]
        assert calls[-1] == created
        return results

    failing = scale_answers(field.merchant.id, field.scale.code, nameplate_complete=False)
    first = item("bazaar_scale", failing)
    clean = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    results = push(first, clean)
    assert [r["status"] for r in results] == ["created", "created"]
    assert rollup_check.verify() == []
    fixed = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    fixed["supersedes"] = first["uuid"]
    assert push(fixed)[0]["status"] == "created"
    db.session.expire_all()
    assert rollup_check.verify() == []
    assert field.push(clean)[0]["status"] == "duplicate"  # a resend counts nothing again
    assert rollup_check.verify() == []


def test_a_merchant_moved_to_another_market_takes_its_history(
    field: Field, make_market: Any, make_user: Any
) -> None:
    from inspect_app.models import Merchant
    from inspect_app.models.user import Role
    from inspect_app.services import registry

    field.push(item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)))
    other = make_market()
    admin = make_user(Role.ADMIN)
    db.session.rollback()
    merchant = db.session.get(Merchant, field.merchant.id)
    assert merchant is not None
    registry.update_merchant(
        db.session.merge(admin),
        merchant,
        {"name": merchant.name, "kind": merchant.kind.value, "market_id": other.id},
    )
    db.session.commit()
    assert merchant.market_id == other.id
    assert rollup_check.verify() == []
