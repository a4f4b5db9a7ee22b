"""Geotag evaluation: evidence of where an inspection was captured, never a gate.

Rules (the geotag flag of docs/sync-protocol.md, section 3), checked in this order:

1. no geotag                                   → ``missing``
2. accuracy exactly 0 m                        → ``suspect`` (mock location providers report 0;
                                                  a real GNSS fix never does)
3. accuracy worse than 100 m                   → ``imprecise`` (too coarse to place a stall)
4. nothing to compare with                     → ``no_reference`` (merchant without market or
                                                  location)
5. distance − accuracy > radius                → ``far`` (outside even allowing for accuracy)
6. otherwise                                   → ``ok``

The reference is the merchant's market (centre and geofence radius) when it has one, else the
merchant's own location with :data:`DEFAULT_RADIUS_M`. Distances are great-circle distances
(``geopy.distance.great_circle``: a sphere of the mean Earth radius, 6371.009 km), in metres.

Why not the ellipsoid: ``geopy.distance.geodesic`` (WGS-84, Karney) is exact to the
nanometre but costs about 0.1 ms a call, ten percent of storing an inspection; the sphere
costs less than a tenth of that and differs from the ellipsoid by at most
:data:`GREAT_CIRCLE_TOLERANCE` of the distance (0.56 %, measured over every latitude and
bearing; tests/domain/test_geo.py checks it): under 1 m at the 150 m of a market's geofence,
far below the accuracy of the phone fix the flag allows for. Distances stored before this
change were ellipsoidal; both are evidence, not a gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import great_circle

IMPRECISE_ABOVE_M = 100.0
DEFAULT_RADIUS_M = 100.0
#: Largest relative difference between :func:`distance_m` and the WGS-84 geodesic.
GREAT_CIRCLE_TOLERANCE = 0.006
#: One instance for every call: ``great_circle((a), (b))`` would build and parse both points
#: as objects first, which costs more than the trigonometry.
_SPHERE = great_circle()


@dataclass(frozen=True)
class Geotag:
    lat: float
    lon: float
    accuracy_m: float
    altitude_m: float | None = None


@dataclass(frozen=True)
class Geofence:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class GeotagResult:
    status: str
    distance_m: float | None


def distance_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (within
    :data:`GREAT_CIRCLE_TOLERANCE` of the geodesic)."""
    return float(_SPHERE.measure((a_lat, a_lon), (b_lat, b_lon))) * 1000.0


def evaluate_geotag(geotag: Geotag | None, fence: Geofence | None) -> GeotagResult:
    """Classify ``geotag`` against ``fence`` by the rules in the module docstring."""
    if geotag is None:
        return GeotagResult("missing", None)
    distance = None if fence is None else distance_m(geotag.lat, geotag.lon, fence.lat, fence.lon)
    if geotag.accuracy_m == 0:
        return GeotagResult("suspect", distance)
    if geotag.accuracy_m > IMPRECISE_ABOVE_M:
        return GeotagResult("imprecise", distance)
    if fence is None or distance is None:
        return GeotagResult("no_reference", None)
    if distance - geotag.accuracy_m > fence.radius_m:
        return GeotagResult("far", distance)
    return GeotagResult("ok", distance)
