"""Server-drawn SVG charts of the trends page: no script, styled by class (CSP-safe), each
with a text alternative and its table one click away (``templates/dashboard/trends.html``).

This module only computes geometry in the SVG's own coordinates (a ``viewBox``; CSS scales it
to the page width): paths of the lines, rectangles of the bars, positions of the ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_app import registry

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 40
#: Horizontal bar charts: height of one bar's row.
ROW = 26


@dataclass(frozen=True)
class Series:
    label: str
    css: str
    path: str
    dots: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    css: str
    title: str


@dataclass
class Chart:
    key: str
    width: int = WIDTH
    height: int = HEIGHT
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


def nice_step(top: float, ticks: int = 4) -> float:
    """A step of 1, 2 or 5 × 10ⁿ giving about ``ticks`` intervals up to ``top``."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = float(10 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, factor * power)
    return 10 * power


def _x(n: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * (n + 0.5) / count if count else 0)


def _x_ticks(labels: Sequence[str]) -> list[tuple[float, str]]:
    every = max(1, math.ceil(len(labels) / 8))
    return [(_x(n, len(labels)), label) for n, label in enumerate(labels) if n % every == 0]


def line_chart(
    key: str, labels: Sequence[str], lines: Sequence[tuple[str, Sequence[float | None]]]
) -> Chart:
    """Rates (0..1) per bucket, one line each; a bucket without a value breaks the line."""
    chart = Chart(key, x_ticks=_x_ticks(labels))
    plot_h = HEIGHT - TOP - BOTTOM
    chart.y_ticks = [(TOP + plot_h * (1 - v / 100), f"{v}%") for v in range(0, 101, 25)]
    chart.empty = all(v is None for _, values in lines for v in values)
    for n, (label, values) in enumerate(lines):
        parts, dots, pen = [], [], "M"
        for i, value in enumerate(values):
            if value is None:
                pen = "M"
                continue
            x, y = _x(i, len(labels)), TOP + plot_h * (1 - value)
            parts.append(f"{pen}{x:.1f} {y:.1f}")
            dots.append((x, y, f"{labels[i]}: {value * 100:.1f}%"))
            pen = "L"
        chart.series.append(Series(label, f"c{n % 6}", " ".join(parts), tuple(dots)))
        chart.legend.append((f"c{n % 6}", label))
    return chart


def stacked_bars(
    key: str, labels: Sequence[str], stacks: Sequence[Sequence[int]], names: Sequence[str]
) -> Chart:
    """Counts per bucket, stacked by part (severity S0..S4)."""
    chart = Chart(key, x_ticks=_x_ticks(labels))
    top = max((sum(s) for s in stacks), default=0)
    step = nice_step(top)
    ceiling = step * max(1, math.ceil(top / step))
    plot_h = HEIGHT - TOP - BOTTOM
    value = 0.0
    while value <= ceiling:
        chart.y_ticks.append((TOP + plot_h * (1 - value / ceiling), f"{value:g}"))
        value += step
    width = (WIDTH - LEFT - RIGHT) / max(1, len(labels)) * 0.7
    chart.empty = top == 0
    for i, stack in enumerate(stacks):
        base = float(TOP + plot_h)
        for part, count in enumerate(stack):
            if not count:
                continue
            h = plot_h * count / ceiling
            base -= h
            chart.bars.append(
                Bar(
                    _x(i, len(labels)) - width / 2,
                    base,
                    width,
                    h,
                    f"sev{part}",
                    f"{labels[i]}: {names[part]} {count}",
                )
            )
    chart.legend = [(f"sev{n}", name) for n, name in enumerate(names)]
    return chart


def rate_bars(key: str, rows: Sequence[tuple[str, float | None, str]]) -> Chart:
    """One horizontal bar per row (label, rate 0..1 or None, text at the bar's end)."""
    left = 180
    chart = Chart(key, height=TOP + BOTTOM + ROW * max(1, len(rows)))
    span = WIDTH - left - 90
    chart.y_ticks = []
    chart.x_ticks = [(left + span * v / 100, f"{v}%") for v in range(0, 101, 25)]
    chart.empty = not rows
    for n, (label, rate, note) in enumerate(rows):
        y = TOP + ROW * n
        chart.labels.append((left - 8, y + ROW * 0.65, label[:18], "end"))
        w = span * (rate or 0)
        chart.bars.append(
            Bar(
                left,
                y + 4,
                max(w, 1),
                ROW - 8,
                "bad" if rate is not None and rate < 0.9 else "good",
                f"{label}: {note}",
            )
        )
        chart.labels.append((left + w + 6, y + ROW * 0.65, note, "start"))
    return chart


def _form_title(key: str, lang: str) -> str:
    forms = registry.forms()
    versions = forms.versions(key)
    definition = forms.get(key, versions[-1]) if versions else None
    if definition is None:
        return key
    return definition.title.en if lang == "en" else definition.title.zh


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def trend_charts(
    data: dict[str, Any], lang: str, overall: str = "All forms", no_market: str = "—"
) -> dict[str, Chart]:
    """The three charts of the trends page from :func:`services.dashboard_trends.trends`."""
    labels = [b["label"] for b in data["buckets"]]
    lines: list[tuple[str, Sequence[float | None]]] = [
        (overall, [b["pass_rate"] for b in data["overall"]])
    ]
    lines += [
        (_form_title(key, lang), [b["pass_rate"] for b in buckets])
        for key, buckets in data["forms"].items()
    ]
    stacks = [[b["by_severity"][f"S{n}"] for n in range(5)] for b in data["overall"]]
    markets = [
        (
            (m["name_en"] if lang == "en" else m["name_zh"]) or m["code"] or no_market,
            m["pass_rate"],
            f"{_pct(m['pass_rate'])} · {m['inspections']}",
        )
        for m in data["markets"]
    ]
    return {
        "pass_rate": line_chart("pass-rate", labels, lines),
        "findings": stacked_bars("findings", labels, stacks, [f"S{n}" for n in range(5)]),
        "markets": rate_bars("markets", markets),
    }
