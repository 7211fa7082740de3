"""The figures of a backtest: how well a risk ranks churn, with intervals.

The ROC AUC of a risk (100 - score for a scorecard) as a churn predictor, the lift of each
tenth of observations (riskiest first), the ROC curve, and 95 % intervals of the AUC and of
the riskiest tenth's lift from a bootstrap that resamples accounts, not rows: one account is
observed on many dates and its rows rise and fall together, so resampling rows would claim
more evidence than the book holds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cairn.health.trust.observe import Observations

ROC_POINTS = 60
TENTHS = 10
# The bootstrap: resamples of accounts, a fixed seed (the same figures on every run), and
# the level of the percentile interval.
RESAMPLES = 200
SEED = 16
LEVEL = 95

Interval = tuple[float, float]


def auc(churned: np.ndarray, risk: np.ndarray) -> float | None:
    """ROC AUC of `risk` as a predictor of `churned`; None when one class is absent."""
    if churned.all() or not churned.any():
        return None
    from sklearn.metrics import roc_auc_score  # seconds to import: only when backtesting

    return round(float(roc_auc_score(churned, risk)), 4)


def expected_churns(churned: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """E[k]: the churns expected among the k riskiest observations (k = 0..n).

    Equal risks are in no order, so a cut through a group of ties takes its share of the
    group's churns; this keeps the lift from depending on which tied account is listed first.
    """
    order = np.argsort(-risk, kind="stable")
    risk_sorted, churned_sorted = risk[order], churned[order].astype(float)
    n = len(risk)
    expected = np.zeros(n + 1)
    if n == 0:
        return expected
    starts = np.flatnonzero(np.r_[True, risk_sorted[1:] != risk_sorted[:-1]])
    ends = np.r_[starts[1:], n]
    done = 0.0
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        group = churned_sorted[start:end].sum()
        size = end - start
        expected[start + 1 : end + 1] = done + group * np.arange(1, size + 1) / size
        done += group
    return expected


def tenth_lifts(churned: np.ndarray, risk: np.ndarray, parts: int = TENTHS) -> list[float]:
    """Churn rate in each tenth (riskiest first) divided by the overall churn rate.

    A tenth is n / 10 observations, a fraction of one included when n is not a multiple of
    ten (as the bootstrap weighs them), so the first tenth is the same figure as the lift."""
    n = len(churned)
    overall = churned.mean() if n else 0.0
    if n < parts or overall == 0:
        return []
    expected = expected_churns(churned, risk)
    cuts = [n * i / parts for i in range(parts + 1)]
    at = np.interp(cuts, np.arange(n + 1), expected)
    return [
        round(float((at[i + 1] - at[i]) / (b - a) / overall), 3)
        for i, (a, b) in enumerate(itertools.pairwise(cuts))
    ]


def roc_points(churned: np.ndarray, risk: np.ndarray, most: int = ROC_POINTS) -> list[tuple[float, float]]:
    """The ROC curve thinned to at most `most` points (it stays monotone and keeps both ends)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(churned, risk)
    if len(fpr) > most:
        keep = np.unique(np.linspace(0, len(fpr) - 1, most).round().astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return [(round(float(x), 4), round(float(y), 4)) for x, y in zip(fpr, tpr, strict=True)]


class _Ranked:
    """Observations sorted by risk once, so each bootstrap resample is a few weighted sums.

    With a weight per observation (how many times its account was drawn), the AUC is the
    Mann-Whitney form (a churned observation beats each lower-risk retained one, ties count
    half) and the lift takes the riskiest tenth of the total weight, a group of equal risks
    cut through sharing its churns, as `tenth_lifts` does.
    """

    def __init__(self, churned: np.ndarray, risk: np.ndarray, accounts: np.ndarray) -> None:
        order = np.argsort(-risk, kind="stable")
        ranked = risk[order]
        self.y = churned[order].astype(float)
        self.starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        self.ids, inverse = np.unique(accounts[order], return_inverse=True)
        self.account = inverse.reshape(-1)

    def figures(self, weight: np.ndarray) -> tuple[float | None, float | None]:
        positive = np.add.reduceat(weight * self.y, self.starts)
        negative = np.add.reduceat(weight * (1.0 - self.y), self.starts)
        p, n = float(positive.sum()), float(negative.sum())
        if p == 0 or n == 0:
            return None, None
        below = n - np.cumsum(negative)  # retained weight at lower risk than each group
        area = float((positive * (below + 0.5 * negative)).sum() / (p * n))
        total = p + n
        reach = np.r_[0.0, np.cumsum(positive + negative)]
        caught = np.r_[0.0, np.cumsum(positive)]
        top = float(np.interp(total / TENTHS, reach, caught))
        return area, (top / (total / TENTHS)) / (p / total)

    def bootstrap(self, resamples: int, seed: int) -> tuple[Interval | None, Interval | None]:
        rng = np.random.default_rng(seed)
        k = len(self.ids)
        aucs: list[float] = []
        lifts: list[float] = []
        for _ in range(resamples):
            drawn = np.bincount(rng.integers(0, k, k), minlength=k).astype(float)
            area, lift = self.figures(drawn[self.account])
            if area is not None and lift is not None:
                aucs.append(area)
                lifts.append(lift)
        if len(aucs) < resamples // 2:
            return None, None
        tail = (100 - LEVEL) / 2

        def interval(values: list[float], decimals: int) -> Interval:
            low, high = np.percentile(values, [tail, 100 - tail])
            return round(float(low), decimals), round(float(high), decimals)

        return interval(aucs, 4), interval(lifts, 3)


def bootstrap(
    churned: np.ndarray, risk: np.ndarray, accounts: np.ndarray,
    *, resamples: int = RESAMPLES, seed: int = SEED,
) -> tuple[Interval | None, Interval | None]:
    """95 % percentile intervals of the AUC and the lift of the riskiest tenth, resampling
    accounts with replacement (a cluster bootstrap): one account is observed on many dates and
    its rows move together, so resampling rows would claim more evidence than the book holds.
    None where too few resamples had both churned and retained observations."""
    if len(churned) == 0 or churned.all() or not churned.any():
        return None, None
    return _Ranked(churned, risk, accounts).bootstrap(resamples, seed)


@dataclass(frozen=True)
class DateFigures:
    day: dt.date
    observations: int
    churns: int
    auc: float | None
    lift: float | None


@dataclass(frozen=True)
class Figures:
    """AUC and lift of one set of scores on one period, with intervals and, for a test
    period, the figures of each date. `in_sample` when a fit saw these dates."""

    period: str  # "test" or "train"
    first_date: dt.date | None
    last_date: dt.date | None
    dates: int
    accounts: int
    observations: int
    churn_observations: int
    churn_events: int
    churn_rate: float | None
    auc: float | None
    auc_ci: Interval | None
    lift: float | None
    lift_ci: Interval | None
    in_sample: bool = False
    warning: str = ""
    per_date: list[DateFigures] = field(default_factory=list)
    roc: list[tuple[float, float]] = field(default_factory=list)
    tenths: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["first_date"] = self.first_date.isoformat() if self.first_date else None
        out["last_date"] = self.last_date.isoformat() if self.last_date else None
        out["auc_low"], out["auc_high"] = self.auc_ci or (None, None)
        out["lift_low"], out["lift_high"] = self.lift_ci or (None, None)
        del out["auc_ci"], out["lift_ci"]
        out["per_date"] = [{**asdict(d), "day": d.day.isoformat()} for d in self.per_date]
        out["roc"] = [list(p) for p in self.roc]
        return out


def measure(
    obs: Observations, scores: np.ndarray, *, period: str, detailed: bool,
    in_sample: bool = False, warning: str = "",
) -> Figures:
    """The figures of `scores` (one per observation, NaN where unscored) on `obs`; with
    `detailed`, the per-date figures and the curves too."""
    scored = ~np.isnan(scores)
    churned, risk = obs.churned[scored], 100.0 - scores[scored]
    accounts, days = obs.account_ids[scored], obs.days[scored]
    n = len(churned)
    tenths = tenth_lifts(churned, risk) if n else []
    auc_ci, lift_ci = bootstrap(churned, risk, accounts)
    per_date: list[DateFigures] = []
    if detailed:
        for day in np.unique(days).tolist():
            on = days == day
            day_tenths = tenth_lifts(churned[on], risk[on])
            per_date.append(DateFigures(
                dt.date.fromordinal(day), int(on.sum()), int(churned[on].sum()),
                auc(churned[on], risk[on]), day_tenths[0] if day_tenths else None,
            ))
    both = bool(n and churned.any() and not churned.all())
    return Figures(
        period=period,
        first_date=dt.date.fromordinal(int(days.min())) if n else None,
        last_date=dt.date.fromordinal(int(days.max())) if n else None,
        dates=len(np.unique(days)),
        accounts=len(np.unique(accounts)),
        observations=n,
        churn_observations=int(churned.sum()),
        churn_events=obs.churn_events,
        churn_rate=round(float(churned.mean()), 4) if n else None,
        auc=auc(churned, risk),
        auc_ci=auc_ci,
        lift=tenths[0] if tenths else None,
        lift_ci=lift_ci,
        in_sample=in_sample,
        warning=warning,
        per_date=per_date,
        roc=roc_points(churned, risk) if detailed and both else [],
        tenths=tenths if detailed else [],
    )


def with_interval(
    value: float | None, interval: Sequence[float | None] | None, unit: str = ""
) -> str:
    """A figure with its 95 % interval, "0.68 (0.63-0.72)" (an en dash between the two ends),
    as the page and the command print it."""
    if value is None:
        return "—"
    text = f"{value:.2f}{unit}"
    if interval and interval[0] is not None and interval[1] is not None:
        text += f" ({interval[0]:.2f}–{interval[1]:.2f})"
    return text
