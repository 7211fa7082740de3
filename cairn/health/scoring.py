"""Health scoring as pure functions: no database, so it is easy to test and to trust.

A measure turns a raw value into 0-100 points. A score is the weighted mean of the points of
the measures that have data: a missing measure's weight is shared among the present ones
(never counted as zero), and with no data at all there is no score. Every score carries its
explanation: each measure's value, points, effective weight and contribution, and the
measures that pulled it down the most (the largest weighted shortfall from 100).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# A CSM's rating in points: the 1-5 scale in even steps, the traffic light at its ends
# and middle. Kept here (not in the database) so every score means the same thing.
RATING_POINTS: dict[str, float] = {
    "1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0,
    "red": 0.0, "yellow": 50.0, "green": 100.0,
}
PULLED_DOWN_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Band:
    """Values in [low, high) score `points`; a missing end is unbounded."""

    low: float | None
    high: float | None
    points: float

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """What the scoring needs of a measure, detached from the database."""

    key: str
    name: str
    indicator: str
    weight: float
    source: str
    method: str = "thresholds"
    bad: float | None = None
    good: float | None = None
    bands: tuple[Band, ...] = ()
    metric_id: int | None = None
    window_days: int = 90


@dataclass(frozen=True, slots=True)
class CardSpec:
    id: int | None
    name: str
    measures: tuple[MeasureSpec, ...]
    green_from: float = 70
    red_below: float = 40
    max_age_days: int = 45
    alert_drop_points: float = 15
    alert_period_days: int = 30


@dataclass(frozen=True, slots=True)
class Observation:
    """A raw value for one measure of one account, and the day it describes."""

    value: float | str | None
    observed_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    name: str
    indicator: str
    value: float | str | None
    points: float | None
    weight: float
    effective_weight: float = 0.0
    contribution: float = 0.0
    shortfall: float = 0.0
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.points is None


@dataclass(frozen=True, slots=True)
class Explanation:
    score: float | None
    lines: tuple[Line, ...]
    pulled_down: tuple[str, ...] = field(default=())
    light: str = ""
    scorecard: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "light": self.light,
            "scorecard": self.scorecard,
            "pulled_down": list(self.pulled_down),
            "measures": [
                {
                    "key": x.key, "name": x.name, "indicator": x.indicator, "value": x.value,
                    "points": x.points, "weight": x.weight,
                    "effective_weight": round(x.effective_weight, 4),
                    "contribution": round(x.contribution, 2), "note": x.note,
                }
                for x in self.lines
            ],
        }


def linear_points(value: float, bad: float, good: float) -> float:
    """0 at `bad`, 100 at `good`, a straight line between, flat beyond. Works both ways:
    when good < bad, lower values score higher."""
    if bad == good:
        return 100.0 if (value >= good) else 0.0
    fraction = (value - bad) / (good - bad)
    return 100.0 * min(1.0, max(0.0, fraction))


def band_points(value: float, bands: Sequence[Band]) -> float | None:
    """The points of the first band holding the value; None when no band does."""
    for band in bands:
        if band.contains(value):
            return min(100.0, max(0.0, band.points))
    return None


def measure_points(spec: MeasureSpec, value: float | str | None) -> tuple[float | None, str]:
    """Points for a raw value, or None and the reason it counts as missing."""
    if value is None:
        return None, "no data"
    if spec.source == "manual":
        points = RATING_POINTS.get(str(value))
        return (points, "") if points is not None else (None, f"unknown rating {value!r}")
    number = float(value)
    if math.isnan(number):
        return None, "no data"
    if spec.method == "bands":
        points = band_points(number, spec.bands)
        return (points, "") if points is not None else (None, "outside every band")
    if spec.bad is None or spec.good is None:
        return None, "thresholds not set"
    return linear_points(number, spec.bad, spec.good), ""


def combine(
    lines: Sequence[Line], *, green_from: float = 70, red_below: float = 40, scorecard: str = ""
) -> Explanation:
    """The weighted mean of the present measures' points, with each line's share of it."""
    total = sum(x.weight for x in lines if x.points is not None and x.weight > 0)
    if total <= 0:
        done = tuple(_absent(x) for x in lines)
        return Explanation(score=None, lines=done, scorecard=scorecard)
    done_lines: list[Line] = []
    score = 0.0
    for x in lines:
        if x.points is None or x.weight <= 0:
            done_lines.append(_absent(x))
            continue
        share = x.weight / total
        contribution = share * x.points
        score += contribution
        done_lines.append(
            Line(
                x.key, x.name, x.indicator, x.value, x.points, x.weight, share, contribution,
                share * (100.0 - x.points), x.note,
            )
        )
    # Rounding is monotone, so it keeps every property of the mean; clamping guards floats.
    score = round(min(100.0, max(0.0, score)), 1)
    worst = sorted((x for x in done_lines if x.shortfall > 0.005), key=lambda x: -x.shortfall)
    return Explanation(
        score=score,
        lines=tuple(done_lines),
        pulled_down=tuple(x.key for x in worst[:PULLED_DOWN_SHOWN]),
        light=light_for(score, green_from=green_from, red_below=red_below),
        scorecard=scorecard,
    )


def _absent(x: Line) -> Line:
    return Line(x.key, x.name, x.indicator, x.value, None, x.weight, 0.0, 0.0, 0.0, x.note)


def light_for(score: float | None, *, green_from: float, red_below: float) -> str:
    if score is None:
        return ""
    if score >= green_from:
        return "green"
    return "red" if score < red_below else "amber"


def score_account(
    card: CardSpec, observations: Mapping[str, Observation], as_of: dt.date
) -> Explanation:
    """Score one account: each measure's observation, aged, to points, then combined."""
    oldest = as_of - dt.timedelta(days=card.max_age_days)
    lines = []
    for spec in card.measures:
        seen = observations.get(spec.key)
        value = seen.value if seen is not None else None
        note = seen.note if seen is not None else ""
        if seen is not None and seen.observed_on is not None and seen.observed_on < oldest:
            points, why = None, f"data from {seen.observed_on:%d %b %Y} is too old"
        else:
            points, why = measure_points(spec, value)
        lines.append(
            Line(spec.key, spec.name, spec.indicator, value, points, spec.weight, note=note or why)
        )
    return combine(lines, green_from=card.green_from, red_below=card.red_below, scorecard=card.name)


def nps(answers: Sequence[int]) -> float | None:
    """Net promoter score of 0-10 answers: % promoters (9-10) minus % detractors (0-6)."""
    if not answers:
        return None
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    return round(100.0 * (promoters - detractors) / len(answers), 1)


def trend(change: float | None, *, flat_within: float = 2.0) -> str:
    """An arrow for a change in points: small moves are flat, so the arrow is not noise."""
    if change is None:
        return ""
    if change > flat_within:
        return "up"
    return "down" if change < -flat_within else "flat"
