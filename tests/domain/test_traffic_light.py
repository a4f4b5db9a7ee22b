"""The traffic light's rule at its boundaries (inspect_app/domain/traffic_light.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from inspect_app.domain import display_units
from inspect_app.domain.traffic_light import (
    EXPIRING_WITHIN_DAYS,
    Light,
    LightState,
    local_today,
    traffic_light,
)

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("days_left", "state"),
    [
        (365, LightState.VALID),
        (EXPIRING_WITHIN_DAYS + 1, LightState.VALID),  # 31 days left: still green
        (EXPIRING_WITHIN_DAYS, LightState.EXPIRING),  # 30 days left: amber
        (1, LightState.EXPIRING),
        (0, LightState.EXPIRING),  # the last valid day is still valid
        (-1, LightState.EXPIRED),  # the day after it is the first expired day
        (-400, LightState.EXPIRED),
    ],
)
def test_in_service_by_days_left(days_left: int, state: LightState) -> None:
    light = traffic_light("in_service", TODAY + timedelta(days=days_left), TODAY)
    assert light.state is state
    assert light.days_left == days_left
    assert light.valid_until == TODAY + timedelta(days=days_left)


def test_colours() -> None:
    far = TODAY + timedelta(days=200)
    assert traffic_light("in_service", far, TODAY).light is Light.GREEN
    assert traffic_light("in_service", TODAY, TODAY).light is Light.AMBER
    assert traffic_light("in_service", TODAY - timedelta(days=1), TODAY).light is Light.RED
    assert traffic_light("repair_order", far, TODAY).light is Light.RED
    assert traffic_light("condemned", far, TODAY).light is Light.RED
    assert traffic_light("in_service", None, TODAY).light is Light.RED


@pytest.mark.parametrize("status", ["condemned", "seized", "retired"])
@pytest.mark.parametrize("days_left", [200, 0, -5, None])
def test_condemned_seized_retired_are_do_not_use_whatever_the_date(
    status: str, days_left: int | None
) -> None:
    valid_until = None if days_left is None else TODAY + timedelta(days=days_left)
    assert traffic_light(status, valid_until, TODAY).state is LightState.DO_NOT_USE


@pytest.mark.parametrize("days_left", [200, 10, -5, None])
def test_a_repair_order_wins_over_any_date(days_left: int | None) -> None:
    valid_until = None if days_left is None else TODAY + timedelta(days=days_left)
    assert traffic_light("repair_order", valid_until, TODAY).state is LightState.REPAIR_ORDER


@pytest.mark.parametrize("days_left", [None, -1, 0, 200])
def test_a_reverification_order_or_lapse_shows_expired_whatever_the_date(
    days_left: int | None,
) -> None:
    valid_until = None if days_left is None else TODAY + timedelta(days=days_left)
    light = traffic_light("verification_expired", valid_until, TODAY)
    assert (light.state, light.light) == (LightState.EXPIRED, Light.RED)


def test_no_verification_date_is_unverified_not_green() -> None:
    light = traffic_light("in_service", None, TODAY)
    assert light.state is LightState.UNVERIFIED
    assert light.days_left is None


def test_an_unknown_status_is_never_green() -> None:
    far = TODAY + timedelta(days=200)
    assert traffic_light("something_new", far, TODAY).state is LightState.DO_NOT_USE


def test_status_enums_work_as_strings() -> None:
    from inspect_app.models.instrument import InstrumentStatus

    far = TODAY + timedelta(days=200)
    assert traffic_light(InstrumentStatus.IN_SERVICE, far, TODAY).state is LightState.VALID
    assert traffic_light(InstrumentStatus.CONDEMNED, far, TODAY).state is LightState.DO_NOT_USE


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 11, 30, 16, 0, 0, tzinfo=UTC), date(2026, 12, 1)),  # midnight in Beijing
        (datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_the_shanghai_calendar_day(utc: datetime, local: date) -> None:
    assert local_today(utc) == local


def test_expiry_turns_at_shanghai_midnight_not_utc() -> None:
    valid_until = date(2026, 11, 30)
    before = local_today(datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    after = local_today(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # still the 30th in UTC
    assert traffic_light("in_service", valid_until, before).state is LightState.EXPIRING
    assert traffic_light("in_service", valid_until, after).state is LightState.EXPIRED


def test_local_today_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2026, 11, 30, 12, 0))


@pytest.mark.parametrize(
    ("grams", "shown"),
    [
        ("15000", "15 kg"),
        ("1000", "1 kg"),
        ("999", "999 g"),
        ("1500", "1.5 kg"),
        ("30000.0000", "30 kg"),
        ("40", "40 g"),
        ("5", "5 g"),
        ("0.5", "0.5 g"),
        ("2.0000", "2 g"),
    ],
)
def test_masses_in_kg_from_1000_g(grams: str, shown: str) -> None:
    assert display_units.mass(Decimal(grams)) == shown


def test_dioptres() -> None:
    assert display_units.dioptres(Decimal("25.0000")) == "25 D"
