"""Keeping the dashboard read models (:mod:`inspect_app.models.rollup`) equal to the raw rows.

Counting rule (docs/dashboards.md, "Period semantics"): an inspection counts on the calendar
day of its ``captured_at`` in the district's time zone (Asia/Shanghai), in its merchant's
district and market, for as long as it is *current*: no other inspection supersedes it. A
correction therefore moves the count: the superseded record leaves, the correction enters.
Review does not change what counts: an inspection returned in review (``has_issues``) stays
current until a correction supersedes it, so a review decision leaves every rollup as it was.

Every change goes through one function, :func:`apply`, with signed contributions (+1 enters,
-1 leaves) summed per rollup row and written as upserts (``INSERT … ON CONFLICT DO UPDATE SET
n = n + excluded.n`` on SQLite and PostgreSQL alike), in key order so that two transactions
touching the same rows lock them in the same order. Callers: ingest (:func:`after_ingest`),
deletes (:func:`remove`), a merchant moving market (:func:`merchant_moved`) and the synthetic
history (``services/synth``). :mod:`inspect_app.services.rollup_check` recomputes the tables
from the raw rows with independent SQL (``flask rollups verify`` / ``rebuild``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from inspect_app.extensions import db
from inspect_app.models import (
    Finding,
    FindingRollup,
    Inspection,
    InspectionRollup,
    InspectionRollupByForm,
    InspectionRollupByMarket,
    Merchant,
)
from inspect_app.models.inspection import Verdict
from inspect_app.models.rollup import NO_MARKET

#: The district's calendar (the same zone ingest judges verification expiry on).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
#: The counted columns of the inspection rollups, in the order of :class:`Deltas` vectors.
COUNTS = (
    "inspections",
    "failed",
    "findings_s0",
    "findings_s1",
    "findings_s2",
    "findings_s3",
    "findings_s4",
    "located_findings",
)
FINDING_COUNTS = ("findings", "located_findings")
_CHUNK = 500

FineKey = tuple[int, date, int, str]  # region_id, day, market_key, form_key
CodeKey = tuple[int, date, str, int]  # region_id, day, code, severity


def local_day(moment: datetime) -> date:
    """The district's calendar date of an aware ``moment``."""
    return moment.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class Fact:
    """What one inspection contributes to the rollups while it is current."""

    region_id: int
    day: date
    market_key: int
    form_key: str
    failed: bool
    located: bool
    #: (code, severity 0..4) of each finding.
    findings: tuple[tuple[str, int], ...] = ()


@dataclass
class Deltas:
    """Signed contributions summed per row of the fine table and of the findings table."""

    fine: dict[FineKey, list[int]] = field(default_factory=dict)
    codes: dict[CodeKey, list[int]] = field(default_factory=dict)

    def add(self, fact: Fact, sign: int = 1) -> None:
        key = (fact.region_id, fact.day, fact.market_key, fact.form_key)
        row = self.fine.setdefault(key, [0] * len(COUNTS))
        row[0] += sign
        if fact.failed:
            row[1] += sign
        for code, severity in fact.findings:
            row[2 + severity] += sign
            if fact.located:
                row[7] += sign
            counts = self.codes.setdefault((fact.region_id, fact.day, code, severity), [0, 0])
            counts[0] += sign
            if fact.located:
                counts[1] += sign

    def __bool__(self) -> bool:
        return bool(self.fine or self.codes)


def project(
    fine: dict[FineKey, list[int]], keep: tuple[int, ...]
) -> dict[tuple[Any, ...], list[int]]:
    """Sum fine rows over the key positions not in ``keep`` (0 region, 1 day, 2 market, 3 form)."""
    out: dict[tuple[Any, ...], list[int]] = {}
    for key, counts in fine.items():
        row = out.setdefault(tuple(key[i] for i in keep), [0] * len(counts))
        for n, value in enumerate(counts):
            row[n] += value
    return out


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, as the Core ``Table`` it is."""
    return cast(Table, model.__table__)


#: Each inspection rollup table, its key columns, and which fine-key positions they are.
TABLES: tuple[tuple[Table, tuple[str, ...], tuple[int, ...]], ...] = (
    (table_of(InspectionRollup), ("region_id", "day", "market_key", "form_key"), (0, 1, 2, 3)),
    (table_of(InspectionRollupByForm), ("region_id", "day", "form_key"), (0, 1, 3)),
    (table_of(InspectionRollupByMarket), ("region_id", "day", "market_key"), (0, 1, 2)),
)
CODE_TABLE: Table = table_of(FindingRollup)
CODE_KEYS = ("region_id", "day", "code", "severity")


def _upsert(
    table: Table, keys: Sequence[str], counts: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counts},
    )
    db.session.execute(statement, rows)


def _rows(
    deltas: dict[tuple[Any, ...], list[int]], keys: Sequence[str], counts: Sequence[str]
) -> list[dict[str, Any]]:
    """Non-zero deltas as parameter rows, in key order (the lock order)."""
    return [
        {**dict(zip(keys, key, strict=True)), **dict(zip(counts, values, strict=True))}
        for key, values in sorted(deltas.items())
        if any(values)
    ]


def apply(deltas: Deltas) -> None:
    """Add signed contributions to every rollup table (flushes the session first; never
    commits: the caller's transaction holds the rows it counts and the counts together)."""
    if not deltas:
        return
    db.session.flush()
    for table, keys, positions in TABLES:
        projected = deltas.fine if len(positions) == 4 else project(deltas.fine, positions)
        _upsert(table, keys, COUNTS, _rows(projected, keys, COUNTS))
    codes: dict[tuple[Any, ...], list[int]] = dict(deltas.codes)
    _upsert(CODE_TABLE, CODE_KEYS, FINDING_COUNTS, _rows(codes, CODE_KEYS, FINDING_COUNTS))


# ---------------------------------------------------------------- facts of stored inspections


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def facts_of(ids: Iterable[int]) -> dict[int, Fact]:
    """The contribution each stored inspection makes while current (two queries a chunk)."""
    wanted = sorted(set(ids))
    facts: dict[int, Fact] = {}
    for chunk in _chunks(wanted):
        findings: dict[int, list[tuple[str, int]]] = {}
        for finding in db.session.execute(
            select(Finding.inspection_id, Finding.code, Finding.severity)
            .where(Finding.inspection_id.in_(chunk))
            .order_by(Finding.id)
        ):
            findings.setdefault(finding.inspection_id, []).append((finding.code, finding.severity))
        for row in db.session.execute(
            select(
                Inspection.id,
                Inspection.captured_at,
                Inspection.form_key,
                Inspection.verdict,
                Inspection.lat,
                Merchant.region_id,
                Merchant.market_id,
            )
            .join(Merchant, Merchant.id == Inspection.merchant_id)
            .where(Inspection.id.in_(chunk))
        ):
            facts[row.id] = Fact(
                region_id=row.region_id,
                day=local_day(row.captured_at),
                market_key=row.market_id or NO_MARKET,
                form_key=row.form_key,
                failed=row.verdict == Verdict.FAIL,
                located=row.lat is not None,
                findings=tuple(findings.get(row.id, ())),
            )
    return facts


def _superseded_among(ids: Collection[int]) -> set[int]:
    """Those of ``ids`` that some stored inspection supersedes."""
    out: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        out.update(
            db.session.scalars(
                select(Inspection.supersedes_id).where(Inspection.supersedes_id.in_(chunk))
            )
        )
    return out


# ---------------------------------------------------------------- the entry points


def after_ingest(created: Sequence[Inspection]) -> None:
    """Count newly stored inspections; a correction also takes its original out.

    Call once per batch after the inserts (rows flushed), next to ``enforcement.after_ingest``.
    A correction of a correction in the same batch nets out (+B −A +C −B).
    """
    if not created:
        return
    originals = [i.supersedes_id for i in created if i.supersedes_id is not None]
    facts = facts_of([i.id for i in created] + originals)
    deltas = Deltas()
    for inspection in created:
        deltas.add(facts[inspection.id], +1)
    for original in originals:
        deltas.add(facts[original], -1)
    apply(deltas)


def remove(inspections: Sequence[Inspection]) -> None:
    """Adjust the rollups for inspections about to be deleted (call before deleting them).

    A current record leaves the counts; if it was a correction, the record it superseded is
    current again and comes back (unless it is deleted too). A superseded record counts
    nowhere, so deleting it changes nothing. No page deletes inspections today (records are
    append-only); this is what a retention job or an erasure would call.
    """
    ids = {i.id for i in inspections}
    if not ids:
        return
    superseded = _superseded_among(ids)
    current = [i for i in inspections if i.id not in superseded]
    returning = [
        i.supersedes_id
        for i in current
        if i.supersedes_id is not None and i.supersedes_id not in ids
    ]
    facts = facts_of([i.id for i in current] + returning)
    deltas = Deltas()
    for inspection in current:
        deltas.add(facts[inspection.id], -1)
    for original in returning:
        deltas.add(facts[original], +1)
    apply(deltas)


def merchant_moved(merchant_id: int, old_market_id: int | None) -> None:
    """Move a merchant's current inspections to its new market (call after the change).

    The rollups count an inspection under its merchant's market as the registry holds it (the
    same rule ``flask rollups verify`` recomputes), so moving a stall moves its history.
    """
    correction = aliased(Inspection)
    ids = db.session.scalars(
        select(Inspection.id).where(
            Inspection.merchant_id == merchant_id,
            ~exists().where(correction.supersedes_id == Inspection.id),
        )
    ).all()
    old_key = old_market_id or NO_MARKET
    deltas = Deltas()
    for fact in facts_of(ids).values():
        if fact.market_key == old_key:
            continue
        deltas.add(fact, +1)
        deltas.add(
            Fact(
                fact.region_id,
                fact.day,
                old_key,
                fact.form_key,
                fact.failed,
                fact.located,
                fact.findings,
            ),
            -1,
        )
    apply(deltas)
