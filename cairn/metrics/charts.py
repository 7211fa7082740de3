"""Line charts as SVG, drawn on the server: no chart library, nothing from a CDN."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 320, 90, 6


@dataclass(frozen=True)
class LineChart:
    points: str  # the polyline's "x,y x,y ..." in the viewBox
    dots: list[tuple[float, float, str]]  # x, y and a title for each known value
    width: int = WIDTH
    height: int = HEIGHT
    low: float = 0.0
    high: float = 0.0


def line_chart(series: list[tuple[dt.date, float | None]]) -> LineChart | None:
    """Scale a dated series into the chart's box; gaps (no value) are left out."""
    known = [(d, v) for d, v in series if v is not None]
    if not known:
        return None
    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    rise = (high - low) or 1.0
    dots = []
    for day, value in known:
        x = PAD + (WIDTH - 2 * PAD) * (day - first).days / span
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / rise
        dots.append((round(x, 1), round(y, 1), f"{day:%d %b %Y}: {value:g}"))
    points = " ".join(f"{x},{y}" for x, y, _ in dots)
    return LineChart(points=points, dots=dots, low=low, high=high)
