"""Geotag classification at and around each threshold."""

from __future__ import annotations

import pytest

from inspect_app.domain.geo import Geofence, Geotag, distance_m, evaluate_geotag

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
