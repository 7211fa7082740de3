"""The home pages' charts, drawn on the server as SVG: numbers in, shapes out.

Each function returns what its template (home/_*.svg.html) needs, already in the chart's
coordinates, so the templates hold no arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cairn.home.queries import WeekMix

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 10, 26  # room for the axis labels


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Columns:
    """100 % stacked columns, one per week: the share of accounts of each light."""

    rects: list[Rect] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, text under the axis
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def health_columns(weeks: Sequence[WeekMix]) -> Columns | None:
    if not weeks:
        return None
    chart = Columns()
    slot = (chart.right - chart.left) / len(weeks)
    bar = max(slot * 0.8, 1.0)
    span = chart.bottom - chart.top
    every = max(len(weeks) // 6, 1)  # about six dates under the axis
    for i, week in enumerate(weeks):
        x = chart.left + i * slot + (slot - bar) / 2
        total = week.mix.total
        y = float(chart.bottom)
        for light, label, count in week.mix.parts():
            if not count:
                continue
            height = span * count / total
            y -= height
            share = round(100 * count / total)
            chart.rects.append(Rect(
                round(x, 1), round(y, 1), round(bar, 1), round(height, 1), light,
                f"{week.day:%d %b %Y}: {count:,} {label.lower()} ({share} %)",
            ))
        if i % every == 0:
            chart.labels.append((round(x + bar / 2, 1), f"{week.day:%d %b}"))
    return chart


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    path: str  # the polyline's points
    dots: list[tuple[float, float, str]]  # x, y, title


@dataclass
class Lines:
    """Percentages over periods, one line per series, with gridlines at round figures."""

    series: list[Series] = field(default_factory=list)
    grid: list[tuple[float, str]] = field(default_factory=list)  # y, label
    labels: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def percent_lines(
    labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[Decimal | None]]]
) -> Lines | None:
    """`series` as (name, css class, fractions per label; None where unknown)."""
    values = [float(v) * 100 for _, _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return None
    chart = Lines()
    low = min(min(values), 80.0)
    high = max(max(values), 110.0)
    step = 10 if high - low <= 80 else 25
    low, high = step * (low // step), step * -(-high // step)
    span = chart.bottom - chart.top
    slot = (chart.right - chart.left) / max(len(labels) - 1, 1)

    def y_of(percent: float) -> float:
        return round(chart.bottom - span * (percent - low) / (high - low), 1)

    level = low
    while level <= high:
        chart.grid.append((y_of(level), f"{level:.0f} %"))
        level += step
    every = max(len(labels) // 6, 1)
    chart.labels = [
        (round(chart.left + i * slot, 1), text) for i, text in enumerate(labels) if i % every == 0
    ]
    for name, css, fractions in series:
        dots = [
            (round(chart.left + i * slot, 1), y_of(float(v) * 100),
             f"{labels[i]}: {name} {float(v) * 100:.1f} %")
            for i, v in enumerate(fractions) if v is not None
        ]
        chart.series.append(Series(name, css, " ".join(f"{x},{y}" for x, y, _ in dots), dots))
    return chart
