"""Honesty credit at work: recompute grades, store each computation, keep the current grade.

* :func:`recompute` — one merchant, on an event that changes an input (a review decision, a
  supersede of a counted inspection, an order closed on time). :func:`mark_dirty` asks for
  the same at the end of the caller's transaction (once per merchant however often asked).
* :func:`recompute_all` — every merchant of a region (or of all regions), for the daily job:
  caps lift with time alone. A few statements per 5 000 merchants, never one per merchant.
* Every computation stores a :class:`CreditSnapshot` (inputs, rule version, result) and
  moves :class:`MerchantGrade` (the current grade, one row per merchant) to it.

Cheap snapshots: a history unchanged since the merchant's previous snapshot is stored as a
reference, ``inputs = {"sha256": …, "same_as": <id of the snapshot holding it>}``, instead of
again in full (``{"sha256": …, "history": [...]}``): a nightly row is then about 200 bytes.
:func:`explain` recomputes any stored snapshot from its inputs, rule version and ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from inspect_app.domain.credit import Credit, InspectionFacts, load_rules, merchant_credit
from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import CreditSnapshot, Merchant, Region
from inspect_app.models.types import utcnow
from inspect_app.services import credit_history, credit_store
from inspect_app.services.credit_history import History

#: Merchants computed per round of statements in :func:`recompute_all` (bounds the memory).
CHUNK = 5000
_DIRTY = "credit_dirty"


def compute(merchant_id: int, as_of: date, version: str | None = None) -> Credit:
    """The merchant's credit on ``as_of`` from the database as it is now; nothing is stored."""
    history = credit_history.histories([merchant_id]).get(merchant_id, ())
    return merchant_credit(load_rules(version), credit_history.facts(history), as_of)


def recompute(merchant_id: int, as_of: date, trigger: str, now: datetime) -> CreditSnapshot:
    """Compute the merchant's grade on ``as_of``, store the snapshot, make it the current grade.

    :raises AppError: ``NOT_FOUND`` for an unknown merchant.
    """
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        raise AppError("NOT_FOUND")
    history = credit_history.histories([merchant_id]).get(merchant_id, ())
    [row] = credit_store.snapshot_rows([(merchant_id, history)], as_of, trigger, now)
    snapshot = CreditSnapshot(**row)
    db.session.add(snapshot)
    db.session.flush()
    credit_store.upsert_grades([credit_store.grade_row(snapshot.id, merchant.region_id, row)])
    return snapshot


def recompute_all(
    as_of: date,
    trigger: str,
    now: datetime,
    region_id: int | None = None,
    after_chunk: Callable[[], None] | None = None,
) -> int:
    """Recompute every merchant of ``region_id`` (all regions when ``None``); how many.

    ``after_chunk`` is called after each chunk of :data:`CHUNK` merchants is flushed: a job
    passes the session's commit there, so that a district's run never holds SQLite's write
    lock (or PostgreSQL's row locks on ``merchant_grade``) for more than one chunk.
    """
    if region_id is None:
        regions: Sequence[int] = db.session.scalars(select(Region.id).order_by(Region.id)).all()
    else:
        regions = [region_id]
    done = 0
    for region in regions:
        ids = db.session.scalars(
            select(Merchant.id).where(Merchant.region_id == region).order_by(Merchant.id)
        ).all()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            histories = credit_history.histories(region_id=region, id_range=(chunk[0], chunk[-1]))
            items = [(m, histories.get(m, ())) for m in chunk]
            done += credit_store.store(items, region, as_of, trigger, now)
            if after_chunk is not None:
                after_chunk()
    return done


@dataclass(frozen=True)
class Published:
    """A merchant's grade as the API and the pages show it."""

    score: Decimal | None
    grade: str
    capped_by: str | None
    reasons: tuple[str, ...]
    rule_version: str
    as_of: date
    computed_at: datetime
    #: The stored snapshot it comes from; ``None`` when computed on the spot (none stored yet).
    snapshot_id: int | None


@dataclass(frozen=True)
class Breakdown:
    """The grade shown, the rule's full breakdown of it, and the history it was built from."""

    shown: Published
    credit: Credit
    history: tuple[InspectionFacts, ...]


def published(merchant_id: int, now: datetime) -> Published:
    """The merchant's current snapshot, as shown.

    A merchant without one yet (registered since the last daily run and never recomputed)
    gets the grade computed now from the same records, *not stored* (``snapshot_id`` None):
    reading a grade never writes (docs/credit.md).
    """
    snapshot = current(merchant_id)
    if snapshot is None:
        return _unstored(compute(merchant_id, now.astimezone(LOCAL_ZONE).date()), now)
    return _shown(snapshot)


def breakdown(merchant_id: int, now: datetime) -> Breakdown:
    """:func:`published` with the rule's breakdown and the history (the merchant's page)."""
    snapshot = current(merchant_id)
    if snapshot is None:
        history = credit_history.histories([merchant_id]).get(merchant_id, ())
        facts = credit_history.facts(history)
        result = merchant_credit(load_rules(), facts, now.astimezone(LOCAL_ZONE).date())
        return Breakdown(_unstored(result, now), result, facts)
    facts = credit_history.facts(history_of(snapshot))
    result = merchant_credit(load_rules(snapshot.rule_version), facts, snapshot.as_of)
    return Breakdown(_shown(snapshot), result, facts)


def _unstored(result: Credit, now: datetime) -> Published:
    fields = (result.score, result.grade, result.capped_by, result.reasons)
    return Published(*fields, result.rule_version, result.as_of, now, None)


def _shown(snapshot: CreditSnapshot) -> Published:
    return Published(
        snapshot.score,
        snapshot.grade,
        snapshot.capped_by,
        tuple(snapshot.reasons),
        snapshot.rule_version,
        snapshot.as_of,
        snapshot.computed_at,
        snapshot.id,
    )


def current(merchant_id: int) -> CreditSnapshot | None:
    """The merchant's latest snapshot (what the public page and the API show), or ``None``."""
    return db.session.scalars(
        select(CreditSnapshot)
        .where(CreditSnapshot.merchant_id == merchant_id)
        .order_by(CreditSnapshot.id.desc())
        .limit(1)
    ).first()


def history_of(snapshot: CreditSnapshot) -> History:
    """The history a snapshot was computed from (following a ``same_as`` reference)."""
    inputs = snapshot.inputs
    if "history" not in inputs:
        holder = db.session.get(CreditSnapshot, int(inputs["same_as"]))
        assert holder is not None, f"snapshot {snapshot.id}: its inputs' holder is gone"
        inputs = holder.inputs
    return credit_history.from_json(inputs["history"])


def explain(snapshot: CreditSnapshot) -> Credit:
    """The full breakdown of a stored grade: the rule of its version rerun on its inputs."""
    history = credit_history.facts(history_of(snapshot))
    return merchant_credit(load_rules(snapshot.rule_version), history, snapshot.as_of)


# ---------------------------------------------------------------- recompute at commit


def mark_dirty(merchant_id: int, trigger: str, now: datetime | None = None) -> None:
    """Recompute ``merchant_id`` just before the caller's transaction commits.

    For code inside a request or job that may change several inputs of one merchant (a batch
    of inspections, a decision that withdraws orders): the merchant is computed once, from
    what the transaction finally holds. ``now`` defaults to the time of the commit; the
    computation date is ``now``'s day in Asia/Shanghai. Forgotten on rollback.
    """
    marked: dict[int, tuple[str, datetime | None]] = db.session.info.setdefault(_DIRTY, {})
    earlier = marked.get(merchant_id)
    if earlier is None or (now is not None and earlier[1] is not None and now > earlier[1]):
        marked[merchant_id] = (trigger, now)  # computed once, as of the latest change


@event.listens_for(db.session, "before_commit")
def _recompute_marked(session: Session) -> None:
    marked: dict[int, tuple[str, datetime | None]] = session.info.pop(_DIRTY, {})
    for merchant_id, (trigger, now) in sorted(marked.items()):
        moment = now or utcnow()
        recompute(merchant_id, moment.astimezone(LOCAL_ZONE).date(), trigger, moment)


@event.listens_for(db.session, "after_rollback")
def _forget_marked(session: Session) -> None:
    session.info.pop(_DIRTY, None)
