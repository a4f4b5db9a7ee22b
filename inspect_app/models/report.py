"""Consumer reports (投诉举报 / 复秤) made from an instrument's public page."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.instrument import Instrument
from inspect_app.models.place import Merchant
from inspect_app.models.types import UTCDateTime, str_enum, utcnow

#: Longest description a reporter may write.
MAX_DESCRIPTION = 500


class ReportCategory(enum.StrEnum):
    SHORT_WEIGHT = "short_weight"
    TAMPERED_DISPLAY = "tampered_display"
    NO_VERIFICATION_MARK = "no_verification_mark"
    NON_LEGAL_UNIT = "non_legal_unit"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    """``received`` until a supervisor closes it with one of the three outcomes."""

    RECEIVED = "received"
    DISMISSED = "dismissed"
    INSPECTION_PLANNED = "inspection_planned"
    LINKED = "linked"


def new_tracking_code() -> str:
    """An unguessable tracking code: 15 random bytes (120 bits), 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


class Report(Base):
    """One report. The reporter's phone number is for the district's supervisors only.

    It feeds inspection priority, never the public grade. ``region_id`` is copied from the
    merchant when the report is made, so the district's queue needs no join to scope it.
    """

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(f"length(description) <= {MAX_DESCRIPTION}", name="description_length"),
        CheckConstraint(
            "claimed_weight_g IS NULL OR claimed_weight_g > 0", name="claimed_positive"
        ),
        CheckConstraint("found_weight_g IS NULL OR found_weight_g >= 0", name="found_non_negative"),
        CheckConstraint(
            "(status = 'received') = (closed_at IS NULL)", name="closed_iff_not_received"
        ),
        CheckConstraint(
            "status != 'dismissed' OR outcome_reason IS NOT NULL", name="dismissal_has_reason"
        ),
        CheckConstraint(
            "status != 'linked' OR linked_inspection_id IS NOT NULL", name="link_has_inspection"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_tracking_code)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    category: Mapped[ReportCategory] = mapped_column(str_enum(ReportCategory, "report_category"))
    #: What the stall's scale said, and what the market's fair scale (公平秤) found, in grams.
    claimed_weight_g: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    found_weight_g: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    description: Mapped[str] = mapped_column(Text, default="")
    #: sha256 of the stored photo (same checks and EXIF stripping as inspection photos).
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Optional; shown only to the district's supervisors, never on a public page or export.
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    #: The language the reporter used, for the status page.
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"), default=ReportStatus.RECEIVED, index=True
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    linked_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    instrument: Mapped[Instrument] = relationship()
    merchant: Mapped[Merchant] = relationship()
