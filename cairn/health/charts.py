"""The score history as an SVG line chart: coordinates worked out here, drawn by a template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 180, 28


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    path: str
    points: list[tuple[float, float, dt.date, float]]
    green_y: float
    red_y: float
    top: float
    bottom: float
    left: float
    right: float
    first: dt.date | None
    last: dt.date | None


def score_chart(
    history: Sequence[tuple[dt.date, float | None]], *, green_from: float, red_below: float
) -> Chart:
    """Days run left to right, 0-100 bottom to top; a day without a score breaks the line."""
    top, bottom, left, right = 8.0, HEIGHT - PAD, float(PAD + 8), float(WIDTH - 8)

    def y(score: float) -> float:
        return round(bottom - (bottom - top) * score / 100.0, 1)

    days = [d for d, _ in history]
    first, last = (min(days), max(days)) if days else (None, None)
    span = max(1, (last - first).days) if first and last else 1
    path: list[str] = []
    points = []
    pen_down = False
    for day, score in sorted(history):
        if score is None:
            pen_down = False
            continue
        x = round(left + (right - left) * ((day - first).days / span if first else 0), 1)
        path.append(f"{'L' if pen_down else 'M'}{x},{y(score)}")
        points.append((x, y(score), day, score))
        pen_down = True
    return Chart(
        WIDTH, HEIGHT, " ".join(path), points, y(green_from), y(red_below), top, bottom, left,
        right, first, last,
    )
