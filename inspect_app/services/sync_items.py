"""The item-by-item path of ``sync/push``: each item in its own savepoint and flush.

Used when the batch path's insert failed (``sync_batch``): a uuid or a correction committed
by another connection after the batch was read, or a row the database refuses. Here the
database's unique indexes decide each item alone: the item whose insert fails on one is
re-read and answered as a duplicate, a conflict or stale; any other failure of one item
rolls back its savepoint and answers ``rejected ITEM_UNPROCESSABLE``; the batch goes on.
Slower (a savepoint and a flush per item), and only taken when the fast path cannot decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.extensions import db
from inspect_app.models import Inspection
from inspect_app.services.inspection_record import ItemResult, PushItem, Rejected, result_for
from inspect_app.services.sync_batch import (
    SERVER_FAILURES,
    BatchEffects,
    Push,
    judge,
    logger,
    replay,
    unprocessable,
)
from inspect_app.services.sync_lookups import Lookups


def stored(uuids: Iterable[str]) -> dict[str, Inspection]:
    """The stored inspections among ``uuids``, by uuid, with what a replay's result reads
    (findings and photos: a resent batch is answered without a query per item)."""
    rows = db.session.scalars(
        select(Inspection)
        .where(Inspection.uuid.in_(list(uuids)))
        .options(selectinload(Inspection.findings), selectinload(Inspection.attachments))
    )
    return {row.uuid: row for row in rows}


def store_items(
    push: Push, items: Sequence[PushItem | ItemResult]
) -> tuple[list[ItemResult], BatchEffects]:
    """One result per item in the order sent, storing each valid item in its own savepoint."""
    existing = stored(i.uuid for i in items if isinstance(i, PushItem))
    lookups = Lookups()  # live: earlier items of the batch are flushed, so queries see them
    effects = BatchEffects()
    seen: dict[str, ItemResult] = {}
    results: list[ItemResult] = []
    for item in items:
        if isinstance(item, ItemResult):
            results.append(item)
        elif item.uuid in existing:
            results.append(replay(item, existing[item.uuid]))
        elif item.uuid in seen:
            # The same record twice in one batch: answer like a resend.
            again = stored([item.uuid]).get(item.uuid)
            results.append(replay(item, again) if again else seen[item.uuid])
        else:
            result = _store_one(push, item, lookups, effects)
            seen[item.uuid] = result
            results.append(result)
    return results, effects


def _store_one(push: Push, item: PushItem, lookups: Lookups, effects: BatchEffects) -> ItemResult:
    """Store one item in its own savepoint and answer for it; never fails the batch for it.

    Refusals are :class:`Rejected`; a lost race on a unique index is re-read (duplicate,
    conflict or stale). Anything else that goes wrong with this item (a value a database
    refuses, a bug met by odd data) rolls its savepoint back, is logged with its uuid and is
    answered ``rejected ITEM_UNPROCESSABLE``, and the batch goes on. Failures of the database
    itself (:data:`SERVER_FAILURES`) propagate: the request fails and the client retries.
    """
    try:
        inspection = judge(push, item, lookups).model()
        with db.session.begin_nested():
            db.session.add(inspection)
            db.session.flush()
            # Inside the savepoint: should describing it fail, the row goes with it.
            result = result_for(inspection, "created")
    except Rejected as rejection:
        return rejection.result(item.uuid)
    except IntegrityError:
        # Lost a race: the same uuid (or a correction of the same record) committed first.
        race = _after_race(item)
        if race is not None:
            return race
        logger.exception("Push item %s by user %s broke a constraint", item.uuid, push.actor.id)
        return unprocessable(item)
    except SERVER_FAILURES:
        raise
    except Exception:
        logger.exception("Push item %s by user %s could not be stored", item.uuid, push.actor.id)
        return unprocessable(item)
    effects.note(inspection)
    return result


def _after_race(item: PushItem) -> ItemResult | None:
    """The answer for an item whose insert hit a unique index, or None if it was another one."""
    stored_row = db.session.scalar(select(Inspection).where(Inspection.uuid == item.uuid))
    if stored_row is not None:
        return replay(item, stored_row)
    if item.supersedes is not None:
        return ItemResult(item.uuid, "stale", code="SYNC_SUPERSEDE_STALE")
    return None
