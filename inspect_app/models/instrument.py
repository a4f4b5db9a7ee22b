"""Measuring instruments with their verification data and QR label token."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.place import Merchant
from inspect_app.models.types import UTCDateTime, str_enum, utcnow


class InstrumentKind(enum.StrEnum):
    PRICE_COMPUTING_SCALE = "price_computing_scale"
    PLATFORM_SCALE = "platform_scale"
    DIAL_SCALE = "dial_scale"
    STEELYARD = "steelyard"
    FOCIMETER = "focimeter"
    REFRACTOMETER = "refractometer"
    TRIAL_LENS_SET = "trial_lens_set"


SCALE_KINDS = frozenset(
    {
        InstrumentKind.PRICE_COMPUTING_SCALE,
        InstrumentKind.PLATFORM_SCALE,
        InstrumentKind.DIAL_SCALE,
        InstrumentKind.STEELYARD,
    }
)


class InstrumentStatus(enum.StrEnum):
    """Derived by services from orders and verification dates; never edited by hand."""

    IN_SERVICE = "in_service"
    REPAIR_ORDER = "repair_order"
    CONDEMNED = "condemned"
    VERIFICATION_EXPIRED = "verification_expired"
    SEIZED = "seized"
    RETIRED = "retired"


def new_qr_token() -> str:
    """An unguessable label token: 24 random bytes (192 bits), URL-safe, 32 characters."""
    return secrets.token_urlsafe(24)


class Instrument(Base):
    """One instrument. ``code`` is printed on the label; ``qr_token`` is what the QR encodes."""

    __tablename__ = "instrument"
    __table_args__ = (
        CheckConstraint("max_capacity IS NULL OR max_capacity > 0", name="max_positive"),
        CheckConstraint("e_value IS NULL OR e_value > 0", name="e_positive"),
        CheckConstraint("d_value IS NULL OR d_value > 0", name="d_positive"),
        CheckConstraint("min_capacity IS NULL OR min_capacity >= 0", name="min_non_negative"),
        CheckConstraint(
            "accuracy_class IS NULL OR accuracy_class IN ('I', 'II', 'III', 'IIII')",
            name="accuracy_class",
        ),
        CheckConstraint(
            "valid_until IS NULL OR verified_at IS NULL OR valid_until >= verified_at",
            name="valid_after_verified",
        ),
        CheckConstraint("length(qr_token) >= 22", name="qr_token_entropy"),
        # Instruments by verification date on the dashboard (services/dashboard_registry.py).
        Index("ix_instrument_valid_until_id", "valid_until", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Org-unique human code printed under the QR code, e.g. NM-0150-000123.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: Opaque token the label's QR encodes (<base>/q/<token>); rotate it if a label is copied.
    qr_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_qr_token)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    kind: Mapped[InstrumentKind] = mapped_column(str_enum(InstrumentKind, "instrument_kind"))
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100))
    accuracy_class: Mapped[str | None] = mapped_column(String(4))
    #: Scales: grams. Optical instruments: dioptres (measuring range), where meaningful.
    max_capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    min_capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    e_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    d_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    verifying_body: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[InstrumentStatus] = mapped_column(
        str_enum(InstrumentStatus, "instrument_status"), default=InstrumentStatus.IN_SERVICE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    merchant: Mapped[Merchant] = relationship()

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS


class RetiredQrToken(Base):
    """A label token replaced by a new one: its public page answers 410 "label replaced".

    Kept (not deleted) so a shopper scanning an old label learns it was replaced rather than
    that it never existed.
    """

    __tablename__ = "retired_qr_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
