"""The outline drawn around a district's markets on the dashboard map.

No district boundaries are stored, so the map draws the smallest convex polygon around the
district's market centres (Andrew's monotone chain), padded outward so the outermost markets
sit inside it rather than on its corners. With fewer than three distinct markets, or all of
them on one line, there is no polygon: the outline is their bounding box, padded the same way.
It shows where the district's markets are, not its legal boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Point = tuple[float, float]  # (lat, lon)

#: Degrees added around the outline (about 500 m north–south).
PADDING = 0.005
#: Turns smaller than this (square degrees) count as straight: points on one line, up to
#: rounding, make no polygon.
STRAIGHT = 1e-12


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: Iterable[Point]) -> list[Point]:
    """The hull's corners counter-clockwise, without repeating the first; fewer than three
    points when the input has fewer than three distinct points not on one line."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique
    lower: list[Point] = []
    for p in unique:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= STRAIGHT:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(unique):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= STRAIGHT:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def box(points: Sequence[Point], padding: float = PADDING) -> list[Point]:
    """The padded bounding box's four corners."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north = min(lats) - padding, max(lats) + padding
    west, east = min(lons) - padding, max(lons) + padding
    return [(south, west), (south, east), (north, east), (north, west)]


def _pad(hull: Sequence[Point], padding: float) -> list[Point]:
    """Each corner moved ``padding`` away from the centroid."""
    lat0 = sum(p[0] for p in hull) / len(hull)
    lon0 = sum(p[1] for p in hull) / len(hull)
    out = []
    for lat, lon in hull:
        dlat, dlon = lat - lat0, lon - lon0
        length = (dlat * dlat + dlon * dlon) ** 0.5 or 1.0
        out.append((lat + padding * dlat / length, lon + padding * dlon / length))
    return out


def outline(points: Sequence[Point], padding: float = PADDING) -> tuple[str, list[Point]]:
    """``("hull", corners)`` or ``("box", corners)``; ``("none", [])`` without points."""
    if not points:
        return "none", []
    hull = convex_hull(points)
    if len(hull) >= 3:
        return "hull", _pad(hull, padding)
    return "box", box(points, padding)
