"""Inspections (append-only records of one form), their findings and attachments."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.place import Merchant, lat_lon_checks
from inspect_app.models.types import UTCDateTime, str_enum, utcnow

#: A capture time this far after the server's clock means the device clock is wrong.
CLOCK_SKEW_LIMIT = timedelta(minutes=5)


class GeotagStatus(enum.StrEnum):
    """Evidence quality of the geotag; never a reason to reject (docs/sync-protocol.md, "Flags")."""

    OK = "ok"
    FAR = "far"
    IMPRECISE = "imprecise"
    SUSPECT = "suspect"
    MISSING = "missing"
    NO_REFERENCE = "no_reference"  # the merchant has no market or location to compare with


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"


class ReviewState(enum.StrEnum):
    RECEIVED = "received"
    APPROVED = "approved"
    HAS_ISSUES = "has_issues"
    REJECTED = "rejected"


class Inspection(Base):
    """One visit's record of one form. Never updated in place: corrections supersede."""

    __tablename__ = "inspection"
    __table_args__ = (
        *lat_lon_checks(),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy_non_negative"),
        CheckConstraint("length(content_sha256) = 64", name="content_sha256_length"),
        # The dashboard lists page on (captured_at, id) (services/dashboard_lists.py).
        Index("ix_inspection_captured_at_id", "captured_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Minted by the tablet; the database makes it unique, which is what makes resends safe.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    form_key: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int]
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Device clock; compare with received_at for skew.
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    geotag_status: Mapped[GeotagStatus] = mapped_column(str_enum(GeotagStatus, "geotag_status"))
    #: Metres from the market centre (or merchant location), kept as evidence.
    geotag_distance_m: Mapped[float | None] = mapped_column(Float)
    #: Exactly as submitted; the evaluation can always be recomputed from it.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: Server-computed: every number behind the verdict plus the rule pack id and version.
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict, "verdict"))
    client_verdict: Mapped[str | None] = mapped_column(String(16))
    review_state: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState, "review_state"), default=ReviewState.RECEIVED
    )
    #: The inspection this one corrects. Unique: a record can be superseded only once, and the
    #: database enforces it when two corrections race.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), unique=True)
    is_demo: Mapped[bool] = mapped_column(default=False)

    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", order_by="Finding.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[InspectionAttachment]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )

    # Derived, not stored: both follow from columns of this (never updated) row.

    @property
    def clock_skew(self) -> bool:
        """The device clock was ahead: captured more than 5 minutes after it was received."""
        return self.captured_at - self.received_at > CLOCK_SKEW_LIMIT

    @property
    def verdict_discrepancy(self) -> bool:
        """The tablet's preview disagreed with the server's verdict (recorded, never trusted)."""
        return self.client_verdict is not None and self.client_verdict != self.verdict.value


class FindingDomain(enum.StrEnum):
    INSTR = "INSTR"
    TRANS = "TRANS"
    MGMT = "MGMT"


class Finding(Base):
    """One violation found by an inspection, with its catalogue code and severity."""

    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint("severity >= 0 AND severity <= 4", name="severity_range"),
        CheckConstraint("extent >= 1 AND extent <= 5", name="extent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    #: Denormalised from the inspection so merchant histories need no join.
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    domain: Mapped[FindingDomain] = mapped_column(str_enum(FindingDomain, "finding_domain"))
    #: S0..S4 stored as 0..4.
    severity: Mapped[int] = mapped_column(Integer)
    extent: Mapped[int] = mapped_column(Integer, default=1)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Set when the finding's severity asks for a supervisor alert (the alert job reads these).
    needs_alert: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    merchant: Mapped[Merchant] = relationship()


class InspectionAttachment(Base):
    """A photo an inspection references by sha256; "expected" until the bytes arrive."""

    __tablename__ = "inspection_attachment"
    __table_args__ = (UniqueConstraint("inspection_id", "sha256", name="uq_inspection_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: Where in the answers it was referenced, e.g. "photos" or "test_points.0.photo".
    field_path: Mapped[str] = mapped_column(String(200))

    inspection: Mapped[Inspection] = relationship(back_populates="attachments")


class Attachment(Base):
    """Stored bytes, by content address. EXIF time and position are kept here as evidence."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("exif_lat IS NULL OR (exif_lat >= -90 AND exif_lat <= 90)", name="lat"),
        CheckConstraint("exif_lon IS NULL OR (exif_lon >= -180 AND exif_lon <= 180)", name="lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    exif_taken_at: Mapped[str | None] = mapped_column(String(32))
    exif_lat: Mapped[float | None] = mapped_column(Float)
    exif_lon: Mapped[float | None] = mapped_column(Float)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
