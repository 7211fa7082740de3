"""The retention charts as inline SVG: coordinates worked out here, drawn by templates.

The trend chart draws GRR and NRR per period as two lines around a 100 % guide; the
movement chart draws each period's expansion as a bar up and its contraction and churned ARR
as bars down, stacked, from one zero line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from cairn.retention.queries import Period

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44.0, 632.0, 10.0, 170.0


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    label: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Trend:
    width: int
    height: int
    grr_path: str
    nrr_path: str
    grr: list[Dot]
    nrr: list[Dot]
    ticks: list[Tick]
    hundred_y: float
    labels: list[tuple[float, str]]
    left: float
    right: float
    bottom: float
    empty: bool


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    up_y: float
    up_h: float
    contraction_y: float
    contraction_h: float
    churn_y: float
    churn_h: float
    period: Period


@dataclass(frozen=True, slots=True)
class Movement:
    width: int
    height: int
    bars: list[Bar]
    zero_y: float
    ticks: list[Tick]
    labels: list[tuple[float, str]]
    left: float
    right: float
    empty: bool


def _xs(count: int) -> list[float]:
    step = (RIGHT - LEFT) / max(count, 1)
    return [round(LEFT + step * (i + 0.5), 1) for i in range(count)]


def _labels(periods: Sequence[Period], xs: list[float]) -> list[tuple[float, str]]:
    """Every period's label when they fit, else every second or third one."""
    every = max(1, math.ceil(len(periods) / 8))
    return [(x, p.label) for i, (x, p) in enumerate(zip(xs, periods, strict=True))
            if (len(periods) - 1 - i) % every == 0]


def _money(value: float) -> str:
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if size >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}"


def trend(periods: Sequence[Period]) -> Trend:
    """GRR and NRR; the scale spans their values and 100 % in steps of 10 %."""
    values = [float(v) for p in periods for v in (p.grr, p.nrr) if v is not None]
    low = min([1.0, *values])
    high = max([1.0, *values])
    low = math.floor(low * 10 - 1e-9) / 10
    high = math.ceil(high * 10 + 1e-9) / 10

    def y(value: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * (value - low) / (high - low), 1)

    xs = _xs(len(periods))

    def line(attr: str) -> tuple[str, list[Dot]]:
        path, dots, pen = [], [], False
        for x, p in zip(xs, periods, strict=True):
            value = getattr(p, attr)
            if value is None:
                pen = False
                continue
            path.append(f"{'L' if pen else 'M'}{x},{y(float(value))}")
            dots.append(Dot(x, y(float(value)), p.label, value))
            pen = True
        return " ".join(path), dots

    grr_path, grr = line("grr")
    nrr_path, nrr = line("nrr")
    steps = round((high - low) * 10)
    every = max(1, math.ceil(steps / 5))
    ticks = [Tick(y(low + i / 10), f"{round((low + i / 10) * 100)}\u00a0%")
             for i in range(0, steps + 1, every)]
    return Trend(WIDTH, HEIGHT, grr_path, nrr_path, grr, nrr, ticks, y(1.0),
                 _labels(periods, xs), LEFT, RIGHT, BOTTOM, not values)


def movement(periods: Sequence[Period]) -> Movement:
    """Expansion up, contraction and churn down; one scale for both sides."""
    up = max([0.0, *(float(p.expansion) for p in periods)])
    down = max([0.0, *(float(p.contraction + p.churned_arr) for p in periods)])
    total = up + down
    if total == 0:
        zero = (TOP + BOTTOM) / 2
        scale = 0.0
    else:
        zero = TOP + (BOTTOM - TOP) * up / total
        scale = (BOTTOM - TOP) / total
    xs = _xs(len(periods))
    width = round((RIGHT - LEFT) / max(len(periods), 1) * 0.6, 1)
    bars = []
    for x, p in zip(xs, periods, strict=True):
        up_h = round(float(p.expansion) * scale, 1)
        contraction_h = round(float(p.contraction) * scale, 1)
        churn_h = round(float(p.churned_arr) * scale, 1)
        bars.append(Bar(
            round(x - width / 2, 1), width, round(zero - up_h, 1), up_h, round(zero, 1),
            contraction_h, round(zero + contraction_h, 1), churn_h, p,
        ))
    ticks = [Tick(round(zero, 1), "0")]
    if up:
        ticks.insert(0, Tick(round(zero - up * scale, 1), _money(up)))
    if down:
        ticks.append(Tick(round(zero + down * scale, 1), "\u2212" + _money(down)))
    return Movement(WIDTH, HEIGHT, bars, round(zero, 1), ticks, _labels(periods, xs), LEFT, RIGHT,
                    total == 0)
