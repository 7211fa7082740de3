"""A metric's distribution among the accounts a backtest observes: the figures that place a
measure's thresholds (percentiles of retained accounts, a log scale for heavy tails), and the
comparison of churned against retained accounts on one date that the metric page draws.

Values come from the metric series (`series.values_at`); which accounts are observed on a
date and which churned within the lead window after it comes from `observe.observe`, the
backtest's own rule, so a distribution and a backtest never disagree about who counts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from cairn.customers.models import Account
from cairn.customers.templatetags.display import figure, percent
from cairn.health.scoring import CardSpec, MeasureSpec
from cairn.health.trust.observe import Observations, observe
from cairn.health.trust.series import grid_dates, values_at
from cairn.metrics.models import MetricDefinition

LOW_PERCENTILE, HIGH_PERCENTILE = 10, 90
MIN_VALUES = 10  # fewer retained accounts with a value than this place no thresholds
HEAVY_SKEW = 2.0
HEAVY_RATIO = 10.0  # 99th percentile over the median
BINS = 12
WIDTH, HEIGHT, PAD = 560, 240, 34


@dataclass(frozen=True)
class Summary:
    """The figures of one group's values."""

    count: int
    median: float
    p10: float
    p90: float
    p99: float
    minimum: float
    maximum: float
    skew: float

    @property
    def tail(self) -> str:
        """Why the values are heavy-tailed, in words, or "" when they are not: a long right
        tail (skew above 2, or a 99th percentile over 10 times the median) of values that
        are never negative, which a log scale spreads out."""
        if self.count < MIN_VALUES or self.minimum < 0 or self.p99 <= 0:
            return ""
        reasons = []
        if self.skew > HEAVY_SKEW:
            reasons.append(f"skew {self.skew:.1f}")
        if self.p99 > HEAVY_RATIO * self.median:
            ratio = "with a median of 0" if self.median <= 0 else f"{self.p99 / self.median:.0f}× the median"
            reasons.append(f"the 99th percentile ({figure(self.p99)}) is {ratio}")
        return " and ".join(reasons)


def summarise(values: np.ndarray) -> Summary | None:
    """None without any value."""
    known = values[np.isfinite(values)]
    if not len(known):
        return None
    p10, median, p90, p99 = np.percentile(known, [LOW_PERCENTILE, 50, HIGH_PERCENTILE, 99]).tolist()
    spread = float(known.std())
    skew = float(((known - known.mean()) ** 3).mean() / spread**3) if spread > 0 else 0.0
    return Summary(
        len(known), median, p10, p90, p99, float(known.min()), float(known.max()), skew
    )


def rounded(number: float) -> float:
    """Three significant digits: a threshold people read, not the 14 digits of a percentile."""
    return float(f"{number:.3g}")


@dataclass(frozen=True)
class Scale:
    """Thresholds placed from the distribution of retained accounts' values on one date."""

    method: str  # "thresholds" or "log"
    low: float  # the 10th percentile, rounded
    high: float  # the 90th percentile, rounded
    day: dt.date
    count: int
    tail: str  # why a log scale, "" for thresholds

    def ends(self, higher_is_better: bool) -> tuple[float, float]:
        """(bad, good) in the given direction."""
        return (self.low, self.high) if higher_is_better else (self.high, self.low)

    def reason(self, higher_is_better: bool) -> str:
        low = f"{LOW_PERCENTILE}th percentile ({figure(self.low)})"
        high = f"{HIGH_PERCENTILE}th percentile ({figure(self.high)})"
        good, bad = (high, low) if higher_is_better else (low, high)
        text = (
            f"Thresholds from the {self.count:,} retained accounts on {self.day:%d %b %Y}: "
            f"good = {good}, bad = {bad}."
        )
        if self.method == "log":
            text += (
                f" Log scale: the values are heavy-tailed ({self.tail}), so a straight line "
                "would crowd most accounts near one end."
            )
        return text


def propose_scale(values: np.ndarray, day: dt.date) -> Scale | str:
    """Thresholds from the 10th and 90th percentiles of the values (a log scale when they
    are heavy-tailed), or why there are none (a clause the caller ends)."""
    summary = summarise(values)
    if summary is None or summary.count < MIN_VALUES:
        count = summary.count if summary else 0
        return (
            f"Only {count} retained account{'s' if count != 1 else ''} had a value on "
            f"{day:%d %b %Y}; thresholds from percentiles need {MIN_VALUES}"
        )
    low, high = rounded(summary.p10), rounded(summary.p90)
    if low == high:
        return (
            f"Most retained accounts had the same value ({figure(low)}) on {day:%d %b %Y}, "
            "so percentiles cannot place thresholds"
        )
    tail = summary.tail
    return Scale("log" if tail else "thresholds", low, high, day, summary.count, tail)


def retained_values(obs: Observations, slugs: dict[int, str]) -> tuple[dt.date | None, dict[int, np.ndarray]]:
    """The latest observation date, and each metric's values there among the accounts
    observed that date that did not churn within the lead window after it."""
    if not obs.dates:
        return None, {}
    day = obs.dates[-1]
    ids = np.unique(obs.account_ids[(obs.days == day.toordinal()) & ~obs.churned])
    return day, {metric_id: values_at(slug, day, ids) for metric_id, slug in slugs.items()}


def presence_card(metrics: list[MetricDefinition]) -> CardSpec:
    """A card scoring each metric 0-1 from 0 to 1: whatever its value, it has points, so an
    account with any metric's value has a score and is observed."""
    return CardSpec(
        id=None,
        name="Usage metrics",
        measures=tuple(
            MeasureSpec(str(m.pk), m.name, "product_utilization", 1.0, "metric", bad=0.0, good=1.0,
                        metric_id=m.pk)
            for m in metrics
        ),
    )


def comparable_dates(lead_days: int, today: dt.date) -> list[dt.date]:
    """Complete grid dates whose whole lead window has passed, newest first."""
    return list(reversed(grid_dates(today - dt.timedelta(days=lead_days))))


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    churned: bool
    share: float
    count: int
    label: str


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # x and the value at a bin edge
    top_label: str
    log: bool


@dataclass(frozen=True)
class Distribution:
    metric: MetricDefinition
    day: dt.date
    lead_days: int
    churned: Summary | None
    retained: Summary | None
    chart: Histogram | None
    log: bool
    tail: str


def distribution(metric: MetricDefinition, day: dt.date, lead_days: int) -> Distribution:
    """The metric's values on `day` among the accounts observed that day, split by whether
    they churned within `lead_days` after it."""
    ids = np.array(Account.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
    obs = observe(
        presence_card([metric]), ids, lead_days=lead_days, as_of=day + dt.timedelta(days=lead_days),
        dates=[day],
    )
    seen = obs.days == day.toordinal()
    accounts, churned = obs.account_ids[seen], obs.churned[seen]
    order = np.argsort(accounts)
    values = values_at(metric.slug, day, accounts[order])
    churned = churned[order]
    lost, kept = summarise(values[churned]), summarise(values[~churned])
    both = summarise(values)
    tail = both.tail if both else ""
    chart = histogram(values[churned], values[~churned], log=bool(tail))
    return Distribution(metric, day, lead_days, lost, kept, chart, bool(tail), tail)


def _edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Bin edges over the values: even steps, or even steps of log(1 + value)."""
    low, high = float(values.min()), float(values.max())
    if high == low:
        return np.array([low - 0.5, high + 0.5])
    if log:
        return np.expm1(np.linspace(math.log1p(low), math.log1p(high), BINS + 1))
    return np.linspace(low, high, BINS + 1)


def histogram(churned: np.ndarray, retained: np.ndarray, *, log: bool) -> Histogram | None:
    """Two bars per bin, churned and retained side by side, each the share of its own
    group's accounts, so a small group of churned accounts reads on the same scale."""
    churned, retained = churned[np.isfinite(churned)], retained[np.isfinite(retained)]
    every = np.concatenate([churned, retained])
    if not len(every):
        return None
    edges = _edges(every, log)
    # The last bin holds its upper edge (numpy's histogram closes it too).
    lost = np.histogram(churned, edges)[0]
    kept = np.histogram(retained, edges)[0]
    lost_share = lost / max(1, len(churned))
    kept_share = kept / max(1, len(retained))
    left, right, top, bottom = float(PAD), float(WIDTH - 8), 8.0, float(HEIGHT - PAD)
    ceiling = max(0.05, float(max(lost_share.max(initial=0), kept_share.max(initial=0))))
    slot = (right - left) / (len(edges) - 1)
    bars = []
    for i in range(len(edges) - 1):
        span = f"{figure(edges[i])} to {figure(edges[i + 1])}"
        for side, (share, count, is_lost) in enumerate(
            ((kept_share[i], kept[i], False), (lost_share[i], lost[i], True))
        ):
            height = round((bottom - top) * float(share) / ceiling, 1)
            group = "churned" if is_lost else "retained"
            bars.append(Bar(
                x=round(left + slot * i + 1 + side * (slot - 2) / 2, 1), y=round(bottom - height, 1),
                width=round((slot - 2) / 2, 1), height=height, churned=is_lost, share=float(share),
                count=int(count), label=f"{span}: {int(count):,} {group} ({percent(share)})",
            ))
    step = max(1, (len(edges) - 1) // 4)
    ticks = [(round(left + slot * i, 1), figure(edges[i])) for i in range(0, len(edges), step)]
    return Histogram(WIDTH, HEIGHT, left, right, top, bottom, bars, ticks, percent(ceiling), log)
