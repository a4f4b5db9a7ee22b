"""What a finding sets in motion: review decisions, orders, evidence, replies, commitments.

An order is created when the inspection is stored (the inspector hands the notice over at the
stall) and withdrawn if review returns the inspection or a correction removes its finding.
The order's history is kept row by row in :class:`OrderEvent`; nothing is deleted.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.domain.traffic_light import LOCAL_ZONE
from inspect_app.extensions import Base
from inspect_app.models.inspection import Finding, Inspection
from inspect_app.models.instrument import Instrument
from inspect_app.models.place import Merchant
from inspect_app.models.types import UTCDateTime, str_enum, utcnow

#: Longest reply or reason a person may write.
MAX_TEXT = 2000


class ReviewDecision(enum.StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class InspectionReview(Base):
    """One review decision on an inspection; the inspection's ``review_state`` is the latest."""

    __tablename__ = "inspection_review"
    __table_args__ = (
        CheckConstraint("decision != 'return' OR length(reason) > 0", name="return_has_reason"),
        CheckConstraint(f"length(reason) <= {MAX_TEXT}", name="reason_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(str_enum(ReviewDecision, "review_decision"))
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship()


class OrderKind(enum.StrEnum):
    REPAIR = "repair"  # blue tag, 限期整改
    CONDEMN = "condemn"  # red tag, 禁止使用
    REVERIFY = "reverify"  # re-verification of an expired or missing mark


class OrderStatus(enum.StrEnum):
    OPEN = "open"
    EVIDENCE_SUBMITTED = "evidence_submitted"
    CLOSED = "closed"
    OVERDUE = "overdue"
    WITHDRAWN = "withdrawn"


#: Statuses in which an order still binds the merchant (and the instrument's status).
ACTIVE_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.EVIDENCE_SUBMITTED, OrderStatus.OVERDUE)


class Order(Base):
    """A repair, condemnation or re-verification order caused by one finding."""

    __tablename__ = "enforcement_order"
    __table_args__ = (
        UniqueConstraint("finding_id", "kind", name="uq_enforcement_order_finding_kind"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_iff_at"),
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_iff_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind, "order_kind"))
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, "order_status"), default=OrderStatus.OPEN, index=True
    )
    #: Copied from the merchant when the order is made, so district lists need no join.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    #: None for an order on the merchant itself (e.g. a prepackaged lot, no instrument).
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"), index=True)
    #: The inspection whose finding caused it (may move to a correction that keeps the finding).
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    finding_code: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who closed it: a supervisor accepting evidence, or None when a re-inspection did.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The passing re-inspection that closed it, when one did.
    closed_by_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    merchant: Mapped[Merchant] = relationship()
    instrument: Mapped[Instrument | None] = relationship()
    inspection: Mapped[Inspection] = relationship(foreign_keys=[inspection_id])
    finding: Mapped[Finding] = relationship()
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[OrderEvidence]] = relationship(
        back_populates="order", order_by="OrderEvidence.id", cascade="all, delete-orphan"
    )

    @property
    def corrected_on_time(self) -> bool:
        """Closed on or before its deadline, on the district's calendar (the credit rule's
        correction factor reads this)."""
        return (
            self.status == OrderStatus.CLOSED
            and self.closed_at is not None
            and self.closed_at.astimezone(LOCAL_ZONE).date() <= self.due_date
        )


class OrderEvent(Base):
    """One line of an order's history: who did what, when, and the status it moved to."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("enforcement_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when the system acted (a deadline passing, a re-inspection arriving by sync).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: created, acknowledged, evidence, evidence_accepted, evidence_rejected, reinspected,
    #: overdue, closed, withdrawn, carried (moved to a correction that kept the finding).
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))

    order: Mapped[Order] = relationship(back_populates="events")


class EvidenceKind(enum.StrEnum):
    PHOTO = "photo"
    INVOICE = "invoice"  # a repair invoice (PDF or photo)
    CERTIFICATE = "certificate"  # a new verification certificate (updates the instrument)


class EvidenceDecision(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OrderEvidence(Base):
    """A file a merchant uploaded against an order: a photo, an invoice or a certificate.

    The bytes are stored by content address (``sha256``) like inspection photos; images are
    served as EXIF-free copies and PDFs only as attachments with a safe content type.
    """

    __tablename__ = "order_evidence"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint(f"length(note) <= {MAX_TEXT}", name="note_length"),
        CheckConstraint(
            "kind != 'certificate' OR (certificate_no IS NOT NULL AND valid_until IS NOT NULL)",
            name="certificate_complete",
        ),
        CheckConstraint(
            "(decision = 'pending') = (decided_at IS NULL)", name="decided_iff_not_pending"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("enforcement_order.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    verifying_body: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[EvidenceDecision] = mapped_column(
        str_enum(EvidenceDecision, "evidence_decision"), default=EvidenceDecision.PENDING
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="evidence")


class MerchantReply(Base):
    """The merchant's reply to an inspection (right of reply, 21 days), kept with the record."""

    __tablename__ = "merchant_reply"
    __table_args__ = (
        UniqueConstraint("inspection_id", name="uq_merchant_reply_inspection_id"),
        CheckConstraint(f"length(body) > 0 AND length(body) <= {MAX_TEXT}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Commitment(Base):
    """The yearly honesty commitment (诚信计量承诺书) a merchant signs online."""

    __tablename__ = "commitment"
    __table_args__ = (
        UniqueConstraint("merchant_id", "year", name="uq_commitment_merchant_year"),
        CheckConstraint("length(signatory) > 0", name="signatory_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    #: The wording's version, so a signature can be tied to the text that was signed.
    text_version: Mapped[str] = mapped_column(String(16))
    signatory: Mapped[str] = mapped_column(String(100))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
