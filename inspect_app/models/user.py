"""People and their devices."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.extensions import Base
from inspect_app.models.place import Merchant, Region
from inspect_app.models.types import UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    MERCHANT = "merchant"


class User(Base):
    """A person who signs in. Inspectors and supervisors are scoped to one region."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(
            "(role = 'merchant') = (merchant_id IS NOT NULL)", name="merchant_link_iff_merchant"
        ),
        CheckConstraint(
            "role NOT IN ('inspector', 'supervisor') OR region_id IS NOT NULL",
            name="staff_have_region",
        ),
        CheckConstraint("locale IS NULL OR locale IN ('zh_CN', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: scrypt hash from werkzeug.security.
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    #: None for admins (all regions) and merchants (scoped by merchant instead).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchant.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Where alert e-mails go (supervisors); never shown on a public page.
    email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    #: Bumped on sign-out and password change; a session cookie carrying an older value is
    #: refused, so every copy of that cookie stops working at once.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship()
    merchant: Mapped[Merchant | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class Device(Base):
    """A tablet holding a bearer token. Only the token's sha256 is stored."""

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
