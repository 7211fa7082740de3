"""The ROC curve and the lift by tenth as SVG: coordinates worked out here, drawn by templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROC_SIZE, PAD = 260, 34
LIFT_WIDTH, LIFT_HEIGHT = 360, 260


@dataclass(frozen=True, slots=True)
class RocChart:
    size: int
    left: float
    right: float
    top: float
    bottom: float
    path: str
    area: str


def roc_chart(points: Sequence[Sequence[float]]) -> RocChart | None:
    """False positive rate left to right, true positive rate bottom to top."""
    if len(points) < 2:
        return None
    left, right, top, bottom = float(PAD), float(ROC_SIZE - 8), 8.0, float(ROC_SIZE - PAD)

    def xy(fpr: float, tpr: float) -> str:
        return f"{left + (right - left) * fpr:.1f},{bottom - (bottom - top) * tpr:.1f}"

    line = " ".join(f"{'M' if i == 0 else 'L'}{xy(f, t)}" for i, (f, t) in enumerate(points))
    return RocChart(
        ROC_SIZE, left, right, top, bottom, line, f"{line} L{xy(1, 0)} L{xy(0, 0)} Z"
    )


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    tenth: int
    lift: float
    riskiest: bool


@dataclass(frozen=True, slots=True)
class LiftChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    one_y: float
    top_label: str
    bars: list[Bar]


def lift_chart(tenths: Sequence[float]) -> LiftChart | None:
    """One bar per tenth of observations, riskiest (lowest scores) first; the line at 1 is
    the overall churn rate, so a bar above it holds more churn than average."""
    if not tenths:
        return None
    left, right, top, bottom = float(PAD), float(LIFT_WIDTH - 8), 8.0, float(LIFT_HEIGHT - PAD)
    ceiling = max(2.0, float(max(tenths)))
    slot = (right - left) / len(tenths)

    def y(lift: float) -> float:
        return round(bottom - (bottom - top) * lift / ceiling, 1)

    bars = [
        Bar(
            x=round(left + slot * i + 2, 1), y=y(lift), width=round(slot - 4, 1),
            height=round(bottom - y(lift), 1), label_x=round(left + slot * (i + 0.5), 1),
            tenth=i + 1, lift=lift, riskiest=i == 0,
        )
        for i, lift in enumerate(tenths)
    ]
    return LiftChart(
        LIFT_WIDTH, LIFT_HEIGHT, left, right, top, bottom, y(1.0), f"{ceiling:.1f}×", bars
    )
