"""How well a scorecard would have ranked the accounts that churned: the ROC AUC of
(100 - score) as a churn predictor and the lift of the riskiest tenth, from the observations
of `observe.py`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cairn.health.models import Scorecard
from cairn.health.trust.observe import Observations, card_and_accounts, observe

# Below these an AUC is mostly noise: say so instead of printing a number.
MIN_OBSERVATIONS = 30
MIN_CHURN_EVENTS = 3
ROC_POINTS = 60
TENTHS = 10


@dataclass(frozen=True)
class Report:
    scorecard: str
    lead_days: int
    as_of: dt.date
    accounts: int
    observations: int
    churn_observations: int
    churn_events: int
    dates: int
    first_date: dt.date | None
    last_date: dt.date | None
    without_score: int
    enough: bool
    message: str
    auc: float | None = None
    lift: float | None = None
    churn_rate: float | None = None
    roc: list[tuple[float, float]] = field(default_factory=list)
    tenths: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "scorecard": self.scorecard,
            "lead_days": self.lead_days,
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "observations": self.observations,
            "churn_observations": self.churn_observations,
            "churn_events": self.churn_events,
            "dates": self.dates,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "without_score": self.without_score,
            "enough": self.enough,
            "message": self.message,
            "auc": self.auc,
            "lift": self.lift,
            "churn_rate": self.churn_rate,
            "roc": [list(p) for p in self.roc],
            "tenths": self.tenths,
        }


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
    """Churn rate in each tenth (riskiest first) divided by the overall churn rate."""
    n = len(churned)
    overall = churned.mean() if n else 0.0
    if n < parts or overall == 0:
        return []
    expected = expected_churns(churned, risk)
    cuts = [round(n * i / parts) for i in range(parts + 1)]
    return [
        round(float((expected[b] - expected[a]) / (b - a) / overall), 3)
        for a, b in itertools.pairwise(cuts)
    ]


def roc_points(churned: np.ndarray, risk: np.ndarray, most: int = ROC_POINTS) -> list[tuple[float, float]]:
    """The ROC curve thinned to at most `most` points (it stays monotone and keeps both ends)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(churned, risk)
    if len(fpr) > most:
        keep = np.unique(np.linspace(0, len(fpr) - 1, most).round().astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return [(round(float(x), 4), round(float(y), 4)) for x, y in zip(fpr, tpr, strict=True)]


def summarise(obs: Observations, *, lead_days: int, as_of: dt.date) -> Report:
    n = len(obs)
    churns = int(obs.churned.sum())
    common: dict[str, Any] = {
        "scorecard": obs.card.name,
        "lead_days": lead_days,
        "as_of": as_of,
        "accounts": len(np.unique(obs.account_ids)),
        "observations": n,
        "churn_observations": churns,
        "churn_events": obs.churn_events,
        "dates": len(obs.dates),
        "first_date": obs.dates[0] if obs.dates else None,
        "last_date": obs.dates[-1] if obs.dates else None,
        "without_score": obs.without_score,
    }
    problem = _not_enough(n, obs.churn_events, churns, lead_days)
    if problem:
        return Report(**common, enough=False, message=problem)
    risk = 100.0 - obs.scores
    tenths = tenth_lifts(obs.churned, risk)
    return Report(
        **common,
        enough=True,
        message="",
        auc=auc(obs.churned, risk),
        lift=tenths[0] if tenths else None,
        churn_rate=round(churns / n, 4),
        roc=roc_points(obs.churned, risk),
        tenths=tenths,
    )


def _not_enough(observations: int, events: int, churns: int, lead_days: int) -> str:
    if observations < MIN_OBSERVATIONS:
        return (
            f"Not enough data: {observations} scored observation{'s' if observations != 1 else ''} "
            f"on metric dates at least {lead_days} days old; the backtest needs {MIN_OBSERVATIONS}. "
            "Compute metrics for earlier dates, or shorten the lead window."
        )
    if events < MIN_CHURN_EVENTS or churns == observations:
        return (
            f"Not enough data: {events} churn event{'s' if events != 1 else ''} within {lead_days} "
            f"days of an observation date; the backtest needs at least {MIN_CHURN_EVENTS} churned "
            "and some renewed or staying accounts to compare."
        )
    return ""


def run(scorecard: Scorecard, *, lead_days: int, as_of: dt.date) -> tuple[Report, Observations]:
    card, accounts = card_and_accounts(scorecard)
    obs = observe(card, accounts, lead_days=lead_days, as_of=as_of)
    return summarise(obs, lead_days=lead_days, as_of=as_of), obs
