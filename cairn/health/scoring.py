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

import numpy as np

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
    method: str = "thresholds"  # or "bands", "log", "percentile" (see points_column)
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


def explain(stored: Mapping[str, Any], measures: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Every line of a stored explanation: the per-account values and points, with the
    snapshot's measures ([key, name, indicator, weight]); shares and contributions are worked
    out again by `weigh`, the function that made the score."""
    points = list(stored.get("points", []))
    values = list(stored.get("values", []))
    if len(points) != len(measures):
        return []
    notes = stored.get("notes", {})
    cells = np.array([[math.nan if p is None else p for p in points]], dtype=float)
    weighed = weigh(cells.reshape(1, len(points)), [float(m[3]) for m in measures])
    return [
        {
            "key": m[0], "name": m[1], "indicator": m[2], "weight": m[3], "value": values[j],
            "points": points[j], "effective_weight": round(float(weighed.effective[0, j]), 4),
            "contribution": round(float(weighed.contributions[0, j]), 2),
            "note": notes.get(str(j), "no data" if points[j] is None else ""),
        }
        for j, m in enumerate(measures)
    ]


def linear_points(value: float, bad: float, good: float) -> float:
    """0 at `bad`, 100 at `good`, a straight line between, flat beyond. Works both ways:
    when good < bad, lower values score higher."""
    return float(points_column(_spec_linear(bad, good), [value])[0])


def band_points(value: float, bands: Sequence[Band]) -> float | None:
    """The points of the first band holding the value; None when no band does."""
    found = float(points_column(_spec_bands(bands), [value])[0])
    return None if math.isnan(found) else found


def _spec_linear(bad: float, good: float) -> MeasureSpec:
    return MeasureSpec("", "", "", 1.0, "metric", bad=bad, good=good)


def _spec_bands(bands: Sequence[Band]) -> MeasureSpec:
    return MeasureSpec("", "", "", 1.0, "metric", method="bands", bands=tuple(bands))


def _floats(values: Sequence[float | str | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return values
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def points_column(
    spec: MeasureSpec,
    values: Sequence[float | str | None] | np.ndarray,
    reference: np.ndarray | None = None,
) -> np.ndarray:
    """Points for many raw values of one measure at once; NaN where a value is missing,
    unknown or outside every band. The one implementation every score goes through.

    Thresholds are linear from `bad` (0 points) to `good` (100 points); log is the same on
    log(1 + value); percentile is the same on the value's percentile rank (0-100) among
    `reference` (default: the values themselves), so there bad and good are ranks, e.g.
    0 and 100 to score the rank itself, 100 and 0 when lower is better."""
    n = len(values)
    if spec.source == "manual":
        ratings = values if isinstance(values, np.ndarray) else np.array(
            [None if v is None else str(v) for v in values], dtype=object
        )
        points = np.full(n, math.nan)
        for rating, worth in RATING_POINTS.items():
            points[ratings == rating] = worth
        return points
    numbers = _floats(values)
    if spec.method == "bands":
        points = np.full(n, math.nan)
        # Walk the bands backwards so the first band holding a value wins.
        for band in reversed(spec.bands):
            inside = np.ones(n, dtype=bool)
            if band.low is not None:
                inside &= numbers >= band.low
            if band.high is not None:
                inside &= numbers < band.high
            points = np.where(inside, min(100.0, max(0.0, band.points)), points)
        return points
    if spec.bad is None or spec.good is None:
        return np.full(n, math.nan)
    bad, good = spec.bad, spec.good
    if spec.method == "log":
        # The log scale starts at 0 (the editor keeps bad and good there); a value below 0
        # scores as 0 would, so log1p never meets a value at or below -1.
        numbers = np.log1p(np.maximum(numbers, 0.0))
        bad, good = math.log1p(max(bad, 0.0)), math.log1p(max(good, 0.0))
    elif spec.method == "percentile":
        numbers = percentile_ranks(numbers, numbers if reference is None else reference)
    return _linear(numbers, bad, good)


def _linear(numbers: np.ndarray, bad: float, good: float) -> np.ndarray:
    """0 points at `bad`, 100 at `good`, a straight line between, flat beyond; NaN stays."""
    if bad == good:
        return np.where(np.isnan(numbers), math.nan, np.where(numbers >= good, 100.0, 0.0))
    return 100.0 * np.clip((numbers - bad) / (good - bad), 0.0, 1.0)


def percentile_ranks(numbers: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each number's percentile rank (0-100) among the reference's numbers (NaN ignored):
    the share below it plus half the share equal to it, so ties share one rank and the
    median of any set ranks 50. NaN where the number is missing or there is no reference."""
    known = np.sort(reference[~np.isnan(reference)])
    if not len(known):
        return np.full(len(numbers), math.nan)
    below = np.searchsorted(known, numbers, side="left")
    upto = np.searchsorted(known, numbers, side="right")
    ranks = 100.0 * (below + upto) / (2.0 * len(known))
    return np.where(np.isnan(numbers), math.nan, ranks)


@dataclass(frozen=True)
class Weighed:
    """The weighted mean of many accounts' points, with each cell's share of it."""

    scores: list[float | None]
    effective: np.ndarray
    contributions: np.ndarray
    shortfalls: np.ndarray


def weigh(points: np.ndarray, weights: Sequence[float]) -> Weighed:
    """points: one row per account, one column per measure, NaN where missing.

    A missing measure's weight is shared among the present ones (its effective weight is 0
    and the others are divided by the present total); no present measure, no score.
    Columns are added one after the other, so an extra missing column adds exact zeros and
    cannot change a sum (a pairwise sum would regroup the terms)."""
    rows, cols = points.shape
    w = np.asarray(weights, dtype=float)
    present = ~np.isnan(points) & (w > 0)
    held = np.where(present, w, 0.0)
    total = np.zeros(rows)
    for j in range(cols):
        total += held[:, j]
    safe = np.where(total > 0, total, 1.0)
    effective = held / safe[:, None]
    p = np.where(present, points, 0.0)
    contributions = effective * p
    mean = np.zeros(rows)
    for j in range(cols):
        mean += contributions[:, j]
    mean = np.clip(mean, 0.0, 100.0)
    # Rounding is monotone, so it keeps every property of the mean.
    scores = [round(m, 1) if t > 0 else None for m, t in zip(mean.tolist(), total.tolist(), strict=True)]
    return Weighed(scores, effective, contributions, effective * (100.0 - p))


def combine(
    lines: Sequence[Line], *, green_from: float = 70, red_below: float = 40, scorecard: str = ""
) -> Explanation:
    """The weighted mean of the lines' points, with each line's share of it."""
    points = np.array([[math.nan if x.points is None else x.points for x in lines]], dtype=float)
    weighed = weigh(points.reshape(1, len(lines)), [x.weight for x in lines])
    score = weighed.scores[0]
    done = tuple(
        Line(
            x.key, x.name, x.indicator, x.value, x.points if score is not None else None, x.weight,
            float(weighed.effective[0, j]), float(weighed.contributions[0, j]),
            float(weighed.shortfalls[0, j]), x.note,
        )
        for j, x in enumerate(lines)
    )
    return Explanation(
        score=score,
        lines=done,
        pulled_down=pulled_down([x.key for x in lines], weighed.shortfalls[0]),
        light=light_for(score, green_from=green_from, red_below=red_below),
        scorecard=scorecard,
    )


def pulled_down(keys: Sequence[str], shortfalls: np.ndarray) -> tuple[str, ...]:
    """The measures costing the most points, worst first (ties keep the scorecard's order)."""
    order = np.argsort(-shortfalls, kind="stable")[:PULLED_DOWN_SHOWN]
    return tuple(keys[j] for j in order.tolist() if shortfalls[j] > 0.005)


def light_for(score: float | None, *, green_from: float, red_below: float) -> str:
    if score is None:
        return ""
    if score >= green_from:
        return "green"
    return "red" if score < red_below else "amber"


def lights_for(scores: Sequence[float | None], card: CardSpec) -> list[str]:
    """`light_for` of many scores at once."""
    values = np.array([math.nan if x is None else x for x in scores], dtype=float)
    with np.errstate(invalid="ignore"):
        lights = np.where(
            values >= card.green_from, "green", np.where(values < card.red_below, "red", "amber")
        ).astype(object)
    lights[np.isnan(values)] = ""
    return lights.tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Column:
    """One measure's raw values for a block of accounts (same order as the block's accounts).

    Values are a list or an object array (None where missing; ratings are strings) or, for
    numbers, a float array with NaN where missing. The day each value describes is a list of dates
    (None: unknown) or an array of day ordinals (0: recent enough for any scorecard)."""

    values: Sequence[float | str | None] | np.ndarray
    observed_on: Sequence[dt.date | None] | np.ndarray | None = None
    notes: Sequence[str] | np.ndarray | None = None  # why a value is missing, if known

    @property
    def numeric(self) -> bool:
        """Numbers in a float array (NaN: missing)."""
        return isinstance(self.values, np.ndarray) and self.values.dtype.kind == "f"

    def value(self, i: int) -> float | str | None:
        if self.numeric:
            number = float(self.values[i])  # type: ignore[arg-type]
            return None if math.isnan(number) else number
        return self.values[i]  # type: ignore[no-any-return]

    def seen(self, i: int) -> dt.date | None:
        if self.observed_on is None:
            return None
        if isinstance(self.observed_on, np.ndarray):
            day = int(self.observed_on[i])
            return dt.date.fromordinal(day) if day > 0 else None
        return self.observed_on[i]


@dataclass(frozen=True)
class Block:
    """The scores of many accounts with one scorecard, and everything that explains them."""

    card: CardSpec
    columns: tuple[Column, ...]
    points: np.ndarray
    weighed: Weighed
    lights: list[str]
    oldest: dt.date

    def __len__(self) -> int:
        return len(self.weighed.scores)

    def note(self, i: int, j: int) -> str:
        """Why a measure of an account has no points (empty when it has)."""
        if not math.isnan(self.points[i, j]):
            return ""
        column, spec = self.columns[j], self.card.measures[j]
        if column.notes is not None and column.notes[i]:
            return column.notes[i]
        value = column.value(i)
        if value is None:
            return "no data"
        seen = column.seen(i)
        if seen is not None and seen < self.oldest:
            return f"data from {seen:%d %b %Y} is too old"
        if spec.source == "manual":
            return f"unknown rating {value!r}"
        if spec.method == "bands":
            return "outside every band"
        if spec.method == "percentile" and spec.bad is not None and spec.good is not None:
            return "no fresh values to rank it among"
        return "thresholds not set"

    def stored(self, i: int) -> dict[str, Any]:
        """Account i's explanation as stored with its score: values, points (null when
        missing), the notes that say more than "no data", and what pulled the score down.
        Names and weights live once in the scorecard's snapshot (see `explain`). The whole
        book is written by `cairn.health.encoding.explanations`, tested against this."""
        points = [None if math.isnan(p) else p for p in np.round(self.points[i], 2).tolist()]
        shortfalls = self.weighed.shortfalls[i]
        keys = [m.key for m in self.card.measures]
        out: dict[str, Any] = {
            "values": [c.value(i) for c in self.columns],
            "points": points,
            "pulled_down": list(pulled_down(keys, shortfalls)),
        }
        # Most missing cells simply have no value and no note ("no data" when read back):
        # only the others are noted.
        notes = {
            str(j): self.note(i, j)
            for j, c in enumerate(self.columns)
            if points[j] is None and (c.value(i) is not None or (c.notes is not None and c.notes[i]))
        }
        if notes:
            out["notes"] = notes
        return out

    def explanation(self, i: int) -> Explanation:
        card, weighed = self.card, self.weighed
        lines = tuple(
            Line(
                m.key, m.name, m.indicator, self.columns[j].value(i),
                None if math.isnan(self.points[i, j]) else float(self.points[i, j]), m.weight,
                float(weighed.effective[i, j]), float(weighed.contributions[i, j]),
                float(weighed.shortfalls[i, j]), self.note(i, j),
            )
            for j, m in enumerate(card.measures)
        )
        keys = [m.key for m in card.measures]
        return Explanation(
            weighed.scores[i], lines, pulled_down(keys, weighed.shortfalls[i]), self.lights[i],
            card.name,
        )


def score_block(
    card: CardSpec,
    columns: Sequence[Column],
    as_of: dt.date,
    references: Mapping[str, np.ndarray] | None = None,
) -> Block:
    """Score many accounts with one scorecard: each measure's column to points (data older
    than the card's maximum age is missing), then the weighted mean per account.

    A percentile measure ranks each value among the block's fresh values of the measure,
    or, when `references` holds the measure's key, among those values: a run that scores
    only some of the scorecard's accounts passes the values of all of them
    (see cards.rank_references)."""
    oldest = as_of - dt.timedelta(days=card.max_age_days)
    rows = len(columns[0].values) if columns else 0
    points = np.full((rows, len(card.measures)), math.nan)
    for j, (spec, column) in enumerate(zip(card.measures, columns, strict=True)):
        stale = np.zeros(rows, dtype=bool)
        if isinstance(column.observed_on, np.ndarray):
            seen = column.observed_on
            stale = (seen > 0) & (seen < oldest.toordinal())
        elif column.observed_on is not None:
            stale = np.fromiter(
                (d is not None and d < oldest for d in column.observed_on), dtype=bool, count=rows
            )
        reference = None
        if spec.method == "percentile" and spec.source != "manual":
            reference = (references or {}).get(spec.key)
            if reference is None:
                reference = np.where(stale, math.nan, _floats(column.values))
        cells = points_column(spec, column.values, reference)
        cells[stale] = math.nan
        points[:, j] = cells
    weighed = weigh(points, [m.weight for m in card.measures])
    return Block(card, tuple(columns), points, weighed, lights_for(weighed.scores, card), oldest)


def score_account(
    card: CardSpec, observations: Mapping[str, Observation], as_of: dt.date
) -> Explanation:
    """Score one account: the same code as a whole book, on a block of one."""
    columns = []
    for spec in card.measures:
        seen = observations.get(spec.key)
        columns.append(
            Column(
                [seen.value if seen else None],
                [seen.observed_on if seen else None],
                [seen.note if seen and seen.value is None else ""],
            )
        )
    return score_block(card, columns, as_of).explanation(0)


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
