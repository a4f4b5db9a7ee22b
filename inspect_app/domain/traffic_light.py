"""The verification traffic light a shopper sees on an instrument's public page.

One rule, from three facts: the instrument's status (a service derives it from verification
and findings), the last day its verification is valid (``valid_until``, inclusive), and
today's date on the local calendar (Asia/Shanghai; see :func:`local_today`).

In order, the first that applies:

1. status ``condemned``, ``seized`` or ``retired`` → ``do_not_use`` (red): the instrument must
   not be used for trade at all, whatever its verification date says;
2. status ``repair_order`` → ``repair_order`` (red): an inspector ordered it repaired; it may
   not be used until it is repaired and re-verified;
3. status ``verification_expired`` → ``expired`` (red): an order to re-verify it is open, or
   its verification ran out (whatever date is on record);
4. no ``valid_until`` on record → ``unverified`` (red): nothing shows it was ever verified;
5. ``today > valid_until`` → ``expired`` (red): the verification ran out (the day after the
   last valid day is the first expired day);
6. ``valid_until - today <= 30`` days → ``expiring`` (amber): still valid, due for
   re-verification within 30 days (the last valid day itself is "expiring, 0 days left");
7. otherwise → ``valid`` (green).

A status this module does not know (a value added later) is treated as ``do_not_use``: the
page must never show green for something nobody decided was fine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: Days before ``valid_until`` from which the light turns amber (inclusive).
EXPIRING_WITHIN_DAYS = 30

#: The calendar the dates on the page are judged on (docs/decisions.md, "Verification expiry").
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

_DO_NOT_USE = frozenset({"condemned", "seized", "retired"})
_IN_SERVICE = "in_service"
_REPAIR_ORDER = "repair_order"
_VERIFICATION_EXPIRED = "verification_expired"


class Light(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class LightState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UNVERIFIED = "unverified"
    REPAIR_ORDER = "repair_order"
    DO_NOT_USE = "do_not_use"


_COLOUR = {
    LightState.VALID: Light.GREEN,
    LightState.EXPIRING: Light.AMBER,
    LightState.EXPIRED: Light.RED,
    LightState.UNVERIFIED: Light.RED,
    LightState.REPAIR_ORDER: Light.RED,
    LightState.DO_NOT_USE: Light.RED,
}


@dataclass(frozen=True)
class TrafficLight:
    """The state, its colour, and the figures the page prints beside it."""

    state: LightState
    light: Light
    valid_until: date | None
    #: Days from today to ``valid_until`` (0 on the last valid day, negative once expired).
    days_left: int | None


def traffic_light(status: str, valid_until: date | None, today: date) -> TrafficLight:
    """Classify an instrument by the rule in the module docstring."""
    days_left = None if valid_until is None else (valid_until - today).days
    if status == _REPAIR_ORDER:
        state = LightState.REPAIR_ORDER
    elif status == _VERIFICATION_EXPIRED:
        state = LightState.EXPIRED
    elif status in _DO_NOT_USE or status != _IN_SERVICE:
        state = LightState.DO_NOT_USE
    elif days_left is None:
        state = LightState.UNVERIFIED
    elif days_left < 0:
        state = LightState.EXPIRED
    elif days_left <= EXPIRING_WITHIN_DAYS:
        state = LightState.EXPIRING
    else:
        state = LightState.VALID
    return TrafficLight(state, _COLOUR[state], valid_until, days_left)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai for an aware ``now`` (default: the current time)."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("local_today needs an aware datetime")
    return moment.astimezone(LOCAL_ZONE).date()
