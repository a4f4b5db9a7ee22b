"""Writing credit snapshots and current grades in bulk (used by :mod:`services.credit`).

A history equal to the one of the merchant's current snapshot is stored as a reference to
the snapshot that holds it (``{"sha256", "same_as"}``), otherwise in full
(``{"sha256", "history"}``); the comparison reads only the two small keys of the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from inspect_app.domain.credit import load_rules, merchant_credit
from inspect_app.extensions import db
from inspect_app.models import CreditSnapshot, MerchantGrade
from inspect_app.services import credit_history
from inspect_app.services.credit_history import History


def store(
    items: Sequence[tuple[int, History]], region_id: int, as_of: date, trigger: str, now: datetime
) -> int:
    """Compute and store a snapshot for each ``(merchant, history)`` of one region, and move
    each merchant's current grade to it: two statements (and the lookup of the previous
    inputs), whatever the number of merchants. Returns how many were stored."""
    rows = snapshot_rows(items, as_of, trigger, now, region_id)
    # RETURNING without asking for the rows' order (SQLite would then insert one row a
    # statement): each merchant is in ``items`` once, so its id names its row.
    # Core, not the ORM's bulk insert: that one splits the rows into a statement per run of
    # rows with the same NULL columns (a grade with and without a cap...).
    table = _table(CreditSnapshot)
    returned = db.session.execute(insert(table).returning(table.c.merchant_id, table.c.id), rows)
    inserted: dict[int, int] = dict(returned.all())
    upsert_grades([grade_row(inserted[row["merchant_id"]], region_id, row) for row in rows])
    return len(rows)


def previous_inputs(
    merchant_ids: Sequence[int], region_id: int | None = None
) -> dict[int, tuple[int, str, int | None]]:
    """``{merchant: (snapshot id, sha256, same_as)}`` of each merchant's current snapshot.

    With ``region_id``, the merchants are looked up by the range of their ids in that region
    (three bound values instead of thousands); a merchant whose current grade was computed in
    another region is then missed, and its history stored in full once.
    """
    wanted = set(merchant_ids)
    if region_id is not None and wanted:
        scope = and_(
            MerchantGrade.region_id == region_id,
            MerchantGrade.merchant_id.between(min(wanted), max(wanted)),
        )
    else:
        scope = MerchantGrade.merchant_id.in_(wanted)
    rows = db.session.execute(
        select(
            MerchantGrade.merchant_id,
            CreditSnapshot.id,
            CreditSnapshot.inputs["sha256"].as_string(),
            CreditSnapshot.inputs["same_as"].as_integer(),
        )
        .join(CreditSnapshot, CreditSnapshot.id == MerchantGrade.snapshot_id)
        .where(scope)
    ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows if row[0] in wanted}


def snapshot_rows(
    histories: Iterable[tuple[int, History]],
    as_of: date,
    trigger: str,
    now: datetime,
    region_id: int | None = None,
) -> list[dict[str, Any]]:
    """One ``credit_snapshot`` row (as a dict) per merchant, in the order given."""
    items = list(histories)
    previous = previous_inputs([m for m, _ in items], region_id)
    rules = load_rules()
    rows = []
    for merchant_id, history in items:
        credit = merchant_credit(rules, credit_history.facts(history), as_of)
        stored = credit_history.to_json(history)
        sha = credit_history.digest(stored)
        inputs: dict[str, Any] = {"sha256": sha, "history": stored}
        before = previous.get(merchant_id)
        if before is not None and before[1] == sha:
            inputs = {"sha256": sha, "same_as": before[2] or before[0]}
        rows.append(
            {
                "merchant_id": merchant_id,
                "as_of": as_of,
                "computed_at": now,
                "rule_version": credit.rule_version,
                "score": credit.score,
                "grade": credit.grade,
                "capped_by": credit.capped_by,
                "reasons": list(credit.reasons),
                "inputs": inputs,
                "trigger": trigger,
            }
        )
    return rows


def grade_row(snapshot_id: int, region_id: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "merchant_id": row["merchant_id"],
        "snapshot_id": snapshot_id,
        "region_id": region_id,
        "grade": row["grade"],
        "score": row["score"],
        "computed_at": row["computed_at"],
    }


def upsert_grades(rows: list[dict[str, Any]]) -> None:
    """Insert or move each merchant's current grade; never back to an older snapshot (two
    computations racing: the later snapshot wins whichever commits last), nor to one computed
    for an earlier moment (a back-dated recomputation is kept as a snapshot, not published)."""
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = _table(MerchantGrade)
    stmt = dialect.insert(table)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.merchant_id],
        set_={
            "snapshot_id": excluded.snapshot_id,
            "region_id": excluded.region_id,
            "grade": excluded.grade,
            "score": excluded.score,
            "computed_at": excluded.computed_at,
        },
        where=and_(
            table.c.snapshot_id < excluded.snapshot_id,
            table.c.computed_at <= excluded.computed_at,
        ),
    )
    db.session.execute(stmt, rows)
    for held in list(db.session.identity_map.values()):  # rows loaded before are stale now
        if isinstance(held, MerchantGrade):
            db.session.expire(held)


def _table(model: type[CreditSnapshot] | type[MerchantGrade]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
