"""What a pushed item cites (merchant, instruments, the record it corrects), resolved.

Steps 5 and 6 of the push decision tree (``sync_push``): an unknown merchant or instrument,
one of another region or merchant, a correction of an unknown or already corrected record.

Two modes, one rule:

* **batch** (:meth:`Lookups.prefetch`): everything the batch's items cite is read in one
  query per kind before any item is built, and the records the batch itself is about to
  insert (:meth:`Lookups.claim`) count as stored. A later item of the batch may correct one
  of them, and a second correction of one record is stale: the answers are those the items
  would get if each were stored before the next one was read.
* **live** (no prefetch; the item-by-item path): each question goes to the database, where
  the batch's earlier items were flushed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.forms import FormDefinition, instrument_refs
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Merchant, User
from inspect_app.models.types import MAX_ID
from inspect_app.services import scoping
from inspect_app.services.inspection_draft import InspectionDraft
from inspect_app.services.inspection_record import Rejected

#: Instruments by QR token or code (None: no such instrument), shared by one batch's items:
#: a day's queue inspects the same stall's scales again and again.
InstrumentCache = dict[str, "Instrument | None"]


def _merchant_id(answers: dict[str, Any]) -> int | None:
    raw = str(answers.get("merchant"))
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None


class Lookups:
    """The reference rows of one batch's items; see the module docstring for the modes."""

    def __init__(self) -> None:
        self.instruments: InstrumentCache = {}
        #: The batch's records built and waiting for the bulk insert, by uuid (batch mode).
        self.pending: dict[str, InspectionDraft] = {}
        self._prefetched = False
        self._merchants: dict[int, Merchant] = {}
        self._missing_merchants: set[int] = set()
        self._originals: dict[str, Inspection] = {}
        #: ``instrument_refs`` of the items' answers, by ``id`` of (definition, answers): each
        #: item's answers are walked once for them (the objects live as long as the batch).
        self._refs: dict[tuple[int, int], list[tuple[str, str]]] = {}
        #: Ids of stored records that a stored correction already replaces.
        self._corrected: set[int] = set()
        #: Uuids of records that a pending record of the batch corrects.
        self._claimed: set[str] = set()
        #: Pending correction's uuid → the pending record it corrects (id set at insert).
        self._corrects: dict[str, InspectionDraft] = {}

    def prefetch(
        self, items: Iterable[tuple[FormDefinition | None, dict[str, Any], str | None]]
    ) -> None:
        """Read what ``(definition, answers, supersedes)`` triples cite: one query per kind."""
        merchant_ids: set[int] = set()
        refs: set[str] = set()
        originals: set[str] = set()
        for definition, answers, supersedes in items:
            if supersedes is not None:
                originals.add(supersedes)
            try:  # answers not validated yet: whatever is odd here, the item's judge reports
                if (merchant_id := _merchant_id(answers)) is not None:
                    merchant_ids.add(merchant_id)
                if definition is not None:
                    cited = instrument_refs(definition, answers)
                    self._refs[id(definition), id(answers)] = cited
                    refs.update(ref for _path, ref in cited)
            except Exception:  # read again, and answered for, by the item's judge
                continue
        if merchant_ids:
            found = db.session.scalars(
                select(Merchant)
                .where(Merchant.id.in_(merchant_ids))
                .options(selectinload(Merchant.market))
            ).all()
            self._merchants = {m.id: m for m in found}
            self._missing_merchants = merchant_ids - self._merchants.keys()
        self._load_instruments(refs)
        if originals:
            rows = db.session.scalars(select(Inspection).where(Inspection.uuid.in_(originals)))
            self._originals = {row.uuid: row for row in rows}
            ids = [row.id for row in self._originals.values()]
            self._corrected = set(
                db.session.scalars(
                    select(Inspection.supersedes_id).where(Inspection.supersedes_id.in_(ids))
                )
            )
        self._prefetched = True

    def _load_instruments(self, refs: set[str]) -> None:
        unknown = refs - self.instruments.keys()
        if not unknown:
            return
        rows = db.session.scalars(
            select(Instrument)
            .where(Instrument.qr_token.in_(unknown) | Instrument.code.in_(unknown))
            .options(selectinload(Instrument.merchant))
        ).all()
        self.instruments.update(dict.fromkeys(unknown))
        self.instruments.update({row.qr_token: row for row in rows if row.qr_token in unknown})
        self.instruments.update({row.code: row for row in rows if row.code in unknown})

    def merchant(self, actor: User, answers: dict[str, Any]) -> Merchant:
        """The inspected merchant, in the sender's region."""
        merchant_id = _merchant_id(answers)
        merchant = (
            None
            if merchant_id is None or merchant_id in self._missing_merchants
            else self._merchants.get(merchant_id) or db.session.get(Merchant, merchant_id)
        )
        if merchant is None:
            raise Rejected("MERCHANT_UNKNOWN", {"merchant": ["no such merchant"]})
        if not scoping.may_inspect(actor, merchant):
            raise Rejected("OUT_OF_REGION", {"merchant": ["outside your region"]})
        return merchant

    def cited_instruments(
        self, actor: User, merchant: Merchant, definition: FormDefinition, answers: dict[str, Any]
    ) -> dict[str, Instrument]:
        """Each instrument answer resolved by QR token or printed code, by answer path.

        An instrument outside the sender's region is unknown to them (its existence is not
        revealed); one of another merchant in their region is refused by name.
        """
        refs = self._refs.pop((id(definition), id(answers)), None)
        if refs is None:
            refs = instrument_refs(definition, answers)
            self._load_instruments({ref for _path, ref in refs})
        found: dict[str, Instrument] = {}
        missing: dict[str, list[str]] = {}
        foreign: dict[str, list[str]] = {}
        for path, ref in refs:
            instrument = self.instruments.get(ref)
            if instrument is None or not scoping.can_see_merchant(actor, instrument.merchant):
                missing[path] = ["no registered instrument with this code or QR token"]
            elif not scoping.may_cite_instrument(actor, merchant, instrument):
                foreign[path] = ["this instrument is registered to another merchant"]
            else:
                found[path] = instrument
        if missing:
            raise Rejected("INSTRUMENT_UNKNOWN", missing)
        if foreign:
            raise Rejected("INSTRUMENT_OTHER_MERCHANT", foreign)
        return found

    def superseded(self, actor: User, uuid: str | None) -> int | None:
        """The id of the record a correction replaces; None for none, or for a record still
        pending in this batch (:meth:`claim` notes it; its id is set at insert time). One the
        sender may not correct is unknown; one already corrected is stale."""
        if uuid is None:
            return None
        pending = self.pending.get(uuid)
        original: Inspection | None
        if pending is not None:
            # A pending record has the columns scoping reads (its inspector and merchant).
            original = cast(Inspection, pending)
        elif self._prefetched:
            original = self._originals.get(uuid)
        else:
            original = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
        if original is None or not scoping.may_supersede(actor, original):
            raise Rejected(
                "SYNC_SUPERSEDE_UNKNOWN", {"supersedes": ["no inspection with this uuid"]}
            )
        if uuid in self._claimed or (pending is None and self._already_corrected(original)):
            raise Rejected("SYNC_SUPERSEDE_STALE")
        return None if pending is not None else original.id

    def _already_corrected(self, original: Inspection) -> bool:
        """Whether a stored correction replaces the stored ``original``."""
        if self._prefetched:
            return original.id in self._corrected
        query = select(Inspection.id).where(Inspection.supersedes_id == original.id)
        return db.session.scalar(query) is not None

    def claim(self, draft: InspectionDraft, supersedes: str | None) -> None:
        """Count a built record as stored for the batch's later items (batch mode)."""
        if supersedes is not None:
            self._claimed.add(supersedes)
            if supersedes in self.pending:
                self._corrects[draft.uuid] = self.pending[supersedes]
        self.pending[draft.uuid] = draft

    def pending_original(self, draft: InspectionDraft) -> InspectionDraft | None:
        """The pending record of the batch that ``draft`` corrects, if any."""
        return self._corrects.get(draft.uuid)
