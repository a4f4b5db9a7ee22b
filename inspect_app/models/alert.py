"""Alerts: a row per severe event, acknowledged and assigned by supervisors, delivered outward.

The row comes first; delivery is a task that reads it, so a lost task is re-enqueued from the
rows (``flask alerts redeliver``). One :class:`AlertDelivery` per alert, channel and target
makes "never delivered twice" a database fact rather than a hope.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.instrument import Instrument
from inspect_app.models.place import Merchant
from inspect_app.models.types import UTCDateTime, str_enum, utcnow


class AlertKind(enum.StrEnum):
    SEVERE_FINDING = "severe_finding"  # an S4 finding (cheating device, tampering, fraud)
    OBSTRUCTION = "obstruction"  # the inspection was obstructed
    OVERDUE_CONDEMNATION = "overdue_condemnation"  # a condemned instrument past its deadline


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("kind", "finding_id", name="uq_alert_kind_finding"),
        UniqueConstraint("kind", "order_id", name="uq_alert_kind_order"),
        CheckConstraint("severity >= 0 AND severity <= 4", name="severity_range"),
        CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by_id IS NULL)", name="ack_complete"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, "alert_kind"))
    severity: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_order.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when review returned the inspection or a correction removed the finding.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    merchant: Mapped[Merchant] = relationship()
    instrument: Mapped[Instrument | None] = relationship()
    events: Mapped[list[AlertEvent]] = relationship(
        back_populates="alert", order_by="AlertEvent.id", cascade="all, delete-orphan"
    )
    deliveries: Mapped[list[AlertDelivery]] = relationship(
        back_populates="alert", order_by="AlertDelivery.id", cascade="all, delete-orphan"
    )


class AlertEvent(Base):
    """Who did what to an alert, and when (created, acknowledged, assigned, withdrawn)."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)

    alert: Mapped[Alert] = relationship(back_populates="events")


class DeliveryChannel(enum.StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not yet accepted; ``next_attempt_at`` says when to try again
    DELIVERED = "delivered"  # accepted (2xx, or the SMTP server took the message): final
    FAILED = "failed"  # gave up after the last retry; ``flask alerts redeliver`` retries


class AlertDelivery(Base):
    """One alert sent through one channel to one target; unique, so it is sent once."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "target", name="uq_alert_delivery_target"),
        CheckConstraint(
            "(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_iff_at"
        ),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, "delivery_channel"))
    #: The webhook URL or the e-mail address.
    target: Mapped[str] = mapped_column(String(500))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A worker holds the delivery until then while it sends; another worker skips it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")
