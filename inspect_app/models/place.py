"""Where inspections happen: regions (districts), markets and merchants."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.types import UTCDateTime, str_enum, utcnow


def lat_lon_checks() -> tuple[CheckConstraint, ...]:
    """Fresh constraint objects per table (a constraint object belongs to one table)."""
    return (
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),
    )


class Region(Base):
    """A district that scopes supervisors and inspectors (e.g. 新城区)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Market(Base):
    """A market (集贸市场) or shopping street with a geofence for geotag evaluation."""

    __tablename__ = "market"
    __table_args__ = (
        *lat_lon_checks(),
        CheckConstraint("geofence_radius_m > 0 AND geofence_radius_m <= 5000", name="radius"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Numeric(9, 6, asdecimal=False))
    lon: Mapped[float] = mapped_column(Numeric(9, 6, asdecimal=False))
    #: Radius in metres within which a geotag counts as "at the market".
    geofence_radius_m: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()


class MerchantKind(enum.StrEnum):
    STALL = "stall"
    OPTICAL_SHOP = "optical_shop"
    GROCERY = "grocery"
    PACKER = "packer"


class Merchant(Base):
    """A stall, optical shop, store or packer. Contact fields are personal data: never public."""

    __tablename__ = "merchant"
    # Merchants by name on the dashboard (services/dashboard_registry.py).
    __table_args__ = (*lat_lon_checks(), Index("ix_merchant_name_id", "name", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    kind: Mapped[MerchantKind] = mapped_column(str_enum(MerchantKind, "merchant_kind"))
    name: Mapped[str] = mapped_column(String(200))
    #: 统一社会信用代码, 18 characters, where the merchant is registered.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    stall_no: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    lon: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    #: Set by the demo seeder so it can refuse to run over real data.
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: Trading; a closed business leaves the random draw of inspection plans.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    market: Mapped[Market | None] = relationship()
