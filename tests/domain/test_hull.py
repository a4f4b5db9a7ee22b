"""The outline the dashboard map draws around a district's markets (domain/hull.py)."""

from __future__ import annotations

from inspect_app.domain.hull import PADDING, box, convex_hull, outline


def test_the_hull_keeps_the_corners_and_drops_the_inside() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    inside = [(0.5, 0.5), (0.2, 0.7), (0.5, 0.0)]  # the last lies on an edge
    hull = convex_hull(square + inside)
    assert sorted(hull) == sorted(square)


def test_every_market_lies_inside_the_padded_outline() -> None:
    markets = [(40.80, 111.60), (40.82, 111.63), (40.84, 111.60), (40.81, 111.61)]
    kind, ring = outline(markets)
    assert kind == "hull" and len(ring) == 3
    lats, lons = [p[0] for p in ring], [p[1] for p in ring]
    for lat, lon in markets:
        assert min(lats) < lat < max(lats) and min(lons) <= lon <= max(lons)


def test_too_few_or_aligned_markets_get_a_box() -> None:
    assert outline([]) == ("none", [])
    kind, ring = outline([(40.8, 111.6)])
    assert kind == "box" and ring == box([(40.8, 111.6)])
    assert ring[0] == (40.8 - PADDING, 111.6 - PADDING)
    kind, _ = outline([(40.0, 111.0), (40.1, 111.1), (40.2, 111.2)])
    assert kind == "box"
