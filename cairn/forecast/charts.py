"""The model card's reliability diagram as SVG: coordinates worked out here, drawn by a
template (forecast/_calibration.html), in the style of cairn.health.trust.charts.

The lift by tenth reuses cairn.health.trust.charts.lift_chart: the same bars, riskiest first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SIZE, PAD = 260, 34
MIN_CEILING = 0.05


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    tenth: int
    predicted: float
    observed: float
    count: int


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # x for the bottom axis, y for the left one
    share: float
    anchor: str = "middle"  # of the bottom axis's label: the last ends at the axis's end


@dataclass(frozen=True, slots=True)
class CalibrationChart:
    size: int
    left: float
    right: float
    top: float
    bottom: float
    path: str
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def ceiling_of(values: Sequence[float]) -> float:
    """The axes' top: the largest share rounded up to a step a reader can count in
    (5 points up to a half, 10 above), so small probabilities fill the square."""
    largest = max([MIN_CEILING, *values])
    step = 0.05 if largest <= 0.5 else 0.1
    return min(1.0, round(math.ceil(round(largest / step, 6)) * step, 2))


def calibration_chart(bins: Sequence[Mapping[str, float]]) -> CalibrationChart | None:
    """Predicted churn (right) against observed churn (up), one point per tenth of the test
    observations ordered by forecast; on the dashed diagonal the forecast says what happened."""
    if len(bins) < 2:
        return None
    ceiling = ceiling_of([float(b["predicted"]) for b in bins] + [float(b["observed"]) for b in bins])
    left, right, top, bottom = float(PAD), float(SIZE - 8), 8.0, float(SIZE - PAD)

    def x(share: float) -> float:
        return round(left + (right - left) * min(share, ceiling) / ceiling, 1)

    def y(share: float) -> float:
        return round(bottom - (bottom - top) * min(share, ceiling) / ceiling, 1)

    points = [
        Point(x(float(b["predicted"])), y(float(b["observed"])), i + 1, float(b["predicted"]),
              float(b["observed"]), int(b["count"]))
        for i, b in enumerate(bins)
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    shares = [0.0, ceiling / 2, ceiling]
    return CalibrationChart(
        SIZE, left, right, top, bottom, path, points,
        x_ticks=[Tick(x(s), s, "end" if s == ceiling else "middle") for s in shares],
        y_ticks=[Tick(y(s), s) for s in shares],
    )
