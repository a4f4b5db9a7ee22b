"""Column helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.engine import Dialect

#: Primary keys are ``Integer``: int4 on PostgreSQL. A larger number cannot name a row, and
#: PostgreSQL refuses to compare it with an int4 key ("integer out of range") instead of
#: answering "no such row", so callers check this bound before looking an id up.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every ``*_at`` column stores UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime that comes back aware on SQLite too.

    SQLite has no time zone type and returns naive values; this normalises both directions so
    code never compares naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """Store a StrEnum by value, with a CHECK constraint on both engines (no native PG type).

    Non-native enums keep migrations simple: adding a value is a CHECK change, not ALTER TYPE.
    """
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda c: [m.value for m in c],
        validate_strings=True,
    )
