"""Geotag classification at and around each threshold."""

from __future__ import annotations

import math

import pytest
from geopy.distance import geodesic

from inspect_app.domain.geo import (
    GREAT_CIRCLE_TOLERANCE,
    Geofence,
    Geotag,
    distance_m,
    evaluate_geotag,
)

FENCE = Geofence(lat=40.8560, lon=111.6840, radius_m=150)
# One degree of latitude here is about 111 km; 0.001° ≈ 111 m north.
METRES_PER_DEG_LAT = distance_m(40.8560, 111.6840, 40.8570, 111.6840) / 0.001


def _north(metres: float, accuracy: float = 10) -> Geotag:
    return Geotag(lat=40.8560 + metres / METRES_PER_DEG_LAT, lon=111.6840, accuracy_m=accuracy)


def test_missing() -> None:
    assert evaluate_geotag(None, FENCE).status == "missing"


def test_zero_accuracy_is_suspect_even_inside() -> None:
    assert evaluate_geotag(_north(0, accuracy=0), FENCE).status == "suspect"


@pytest.mark.parametrize(("accuracy", "status"), [(99.9, "ok"), (100, "ok"), (100.1, "imprecise")])
def test_imprecise_above_100_m(accuracy: float, status: str) -> None:
    assert evaluate_geotag(_north(0, accuracy=accuracy), FENCE).status == status


@pytest.mark.parametrize(
    ("metres", "accuracy", "status"),
    [
        (140, 10, "ok"),
        (159.5, 10, "ok"),  # 149.5 m after allowing for accuracy: inside
        (160.5, 10, "far"),  # 150.5 m: outside
        (400, 10, "far"),
        (240, 95, "ok"),  # a coarse fix near the edge is given the benefit of its accuracy
    ],
)
def test_far_allows_for_accuracy(metres: float, accuracy: float, status: str) -> None:
    result = evaluate_geotag(_north(metres, accuracy), FENCE)
    assert result.status == status
    assert result.distance_m == pytest.approx(metres, abs=0.5)


def test_no_reference_when_the_merchant_has_no_place() -> None:
    assert evaluate_geotag(_north(0), None).status == "no_reference"


def test_the_great_circle_stays_within_its_tolerance_of_the_ellipsoid() -> None:
    """The geofence measures on a sphere; the WGS-84 geodesic (geopy's exact one) is the
    reference it must stay within GREAT_CIRCLE_TOLERANCE of, at every latitude and bearing."""
    worst = 0.0
    for lat in range(-80, 81, 10):
        for bearing in range(0, 360, 15):
            for metres in (5.0, 150.0, 1500.0):
                north = metres * math.cos(math.radians(bearing)) / 111_000
                east = (
                    metres
                    * math.sin(math.radians(bearing))
                    / (111_000 * math.cos(math.radians(lat)))
                )
                a, b = (lat, 111.684), (lat + north, 111.684 + east)
                exact = geodesic(a, b).meters
                worst = max(worst, abs(distance_m(*a, *b) - exact) / exact)
    assert 0.001 < worst < GREAT_CIRCLE_TOLERANCE  # the sphere differs, but by little


def test_at_the_market_fence_the_difference_is_under_a_metre() -> None:
    """150 m from the factory market, in any direction: sphere and ellipsoid agree to 1 m."""
    for bearing in range(0, 360, 10):
        north = 150 * math.cos(math.radians(bearing)) / 111_000
        east = 150 * math.sin(math.radians(bearing)) / (111_000 * math.cos(math.radians(FENCE.lat)))
        point = (FENCE.lat + north, FENCE.lon + east)
        exact = geodesic((FENCE.lat, FENCE.lon), point).meters
        assert distance_m(FENCE.lat, FENCE.lon, *point) == pytest.approx(exact, abs=1.0)
