"""Suggested measure weights from a regularised logistic regression on the backtest's
observations, and the AUC they would have had out of time.

Features are each measure's points (0-100), not the raw metric values: points are already
bounded (thresholds and bands tame heavy tails, so no log transform is needed) and they are
what a weight multiplies in the score, so a coefficient translates straight into a weight.
Missing points are filled with the training mean (a neutral value, close to how the score
shares a missing measure's weight), features are standardised, and the L2 penalty keeps
correlated measures from trading huge opposite coefficients.

From a coefficient b on the standardised points of a measure with spread s, the change in
churn log-odds per point is b / s; health is the opposite of risk, so the weight is
max(0, -b / s). A measure whose coefficient has the wrong sign (more points, more churn) gets
0. The fitted weights are scaled to the total the same measures have now, so measures the
backtest cannot see (no history) keep their weight and share of the score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cairn.health.scoring import weigh
from cairn.health.trust.backtest import MIN_OBSERVATIONS, auc
from cairn.health.trust.observe import Observations

PENALTY_C = 1.0
MIN_PRESENT = 0.1  # a measure with points in fewer observations than this has no history
MIN_WEIGHT = 0.1  # the smallest weight a measure can have (the health app refuses 0)
MAX_WEIGHT = 1000.0
FOLDS = 4

NO_HISTORY = (
    "No history to learn from (a rating, survey or ticket measure, or a metric without past "
    "values): weight kept."
)
CONSTANT = "Its points never varied in the backtest, so they say nothing about churn: weight kept."
WRONG_SIGN = (
    "More points went with more churn, the opposite of what a health measure means: "
    f"weight 0 (applied as {MIN_WEIGHT}, the smallest weight a measure can have; remove the "
    "measure in the editor to drop it)."
)


@dataclass(frozen=True)
class WeightRow:
    measure_id: int
    name: str
    current: float
    suggested: float
    coefficient: float | None
    note: str = ""

    @property
    def applied(self) -> float:
        """What applying writes: the health app stores weights above 0."""
        return max(MIN_WEIGHT, self.suggested)


@dataclass(frozen=True)
class Suggestion:
    rows: list[WeightRow]
    fitted: bool
    message: str
    cv_auc_current: float | None = None
    cv_auc_suggested: float | None = None
    cv_folds: int = 0
    cv_observations: int = 0

    def report_json(self) -> dict[str, Any]:
        return {
            "fitted": self.fitted,
            "message": self.message,
            "cv_auc_current": self.cv_auc_current,
            "cv_auc_suggested": self.cv_auc_suggested,
            "cv_folds": self.cv_folds,
            "cv_observations": self.cv_observations,
            "penalty_c": PENALTY_C,
        }

    def weights_json(self) -> list[dict[str, Any]]:
        return [{**asdict(r), "applied": r.applied} for r in self.rows]


@dataclass(frozen=True)
class Fit:
    weights: np.ndarray  # one per measure; measures without history keep the current weight
    coefficients: np.ndarray  # per point of each measure, NaN where not fitted
    notes: list[str]


def fit(points: np.ndarray, churned: np.ndarray, current: np.ndarray) -> Fit | None:
    """Weights for the measures from one set of observations; None when nothing can be
    fitted (one outcome only, or no measure with history pointing the right way)."""
    m = points.shape[1]
    notes = [""] * m
    coefficients = np.full(m, np.nan)
    if churned.all() or not churned.any():
        return None
    present = ~np.isnan(points)
    usable: list[int] = []
    for j in range(m):
        if present[:, j].mean() < MIN_PRESENT:
            notes[j] = NO_HISTORY
        elif np.nanstd(points[:, j]) == 0:
            notes[j] = CONSTANT
        else:
            usable.append(j)
    if not usable:
        return None
    x = points[:, usable]
    x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    # scikit-learn (and SciPy under it) take seconds to import: only when fitting.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    # l1_ratio=0 is the pure L2 penalty (scikit-learn 1.8 deprecated `penalty="l2"`).
    model = LogisticRegression(C=PENALTY_C, l1_ratio=0, max_iter=2000)
    model.fit(scaler.transform(x), churned)
    per_point = -model.coef_[0] / scaler.scale_
    raw = np.maximum(per_point, 0.0)
    if raw.sum() <= 0:
        return None
    weights = current.astype(float).copy()
    total = float(current[usable].sum())
    weights[usable] = np.minimum(np.round(raw / raw.sum() * total, 1), MAX_WEIGHT)
    for k, j in enumerate(usable):
        coefficients[j] = -per_point[k]
        if raw[k] == 0:
            notes[j] = WRONG_SIGN
    return Fit(weights, coefficients, notes)


def _scores(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores with the given weights through the health app's own weighting (missing
    measures share their weight; a weight of 0 leaves a measure out)."""
    scores = weigh(points, weights.tolist()).scores
    return np.array([np.nan if s is None else s for s in scores], dtype=float)


def out_of_time(
    obs: Observations, current: np.ndarray, lead_days: int
) -> tuple[float | None, float | None, int, int]:
    """Pooled AUCs of the current and the suggested weights on later dates, each fold fitted
    only on dates whose whole lead window ended before the fold's first date (so no label
    the fit saw looks past the test period's start)."""
    days = np.unique(obs.days)
    if len(days) < 4:
        return None, None, 0, 0
    later = days[len(days) // 2 :]
    current_scores: list[np.ndarray] = []
    suggested_scores: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    folds = 0
    for block in np.array_split(later, min(FOLDS, len(later))):
        train = obs.days + lead_days <= block[0]
        test = np.isin(obs.days, block)
        if train.sum() < MIN_OBSERVATIONS or not test.any():
            continue
        fitted = fit(obs.points[train], obs.churned[train], current)
        if fitted is None:
            continue
        suggested = _scores(obs.points[test], fitted.weights)
        scored = ~np.isnan(suggested)
        current_scores.append(obs.scores[test][scored])
        suggested_scores.append(suggested[scored])
        labels.append(obs.churned[test][scored])
        folds += 1
    if not folds:
        return None, None, 0, 0
    y = np.concatenate(labels)
    return (
        auc(y, 100.0 - np.concatenate(current_scores)),
        auc(y, 100.0 - np.concatenate(suggested_scores)),
        folds,
        len(y),
    )


def unfitted(obs: Observations, message: str) -> Suggestion:
    """No suggestion: every measure keeps its weight, and the message says why."""
    rows = [WeightRow(int(m.key), m.name, m.weight, m.weight, None) for m in obs.card.measures]
    return Suggestion(rows=rows, fitted=False, message=message)


def suggest(obs: Observations, *, lead_days: int) -> Suggestion:
    """The suggested weight of each measure of the observed card, with the out-of-time AUCs."""
    specs = obs.card.measures
    current = np.array([m.weight for m in specs], dtype=float)
    fitted = fit(obs.points, obs.churned, current) if len(obs) >= MIN_OBSERVATIONS else None
    if fitted is None:
        return unfitted(
            obs,
            "No suggestion: no measure with a history went with fewer churns as its points rose.",
        )
    cv_current, cv_suggested, folds, tested = out_of_time(obs, current, lead_days)
    rows = [
        WeightRow(
            int(m.key), m.name, m.weight, float(fitted.weights[j]),
            None if np.isnan(fitted.coefficients[j]) else round(float(fitted.coefficients[j]), 5),
            fitted.notes[j],
        )
        for j, m in enumerate(specs)
    ]
    message = "" if folds else (
        f"Too few observation dates for an out-of-time check with a {lead_days}-day lead: "
        "the suggestion is fitted on all dates, so judge it with care."
    )
    return Suggestion(rows, True, message, cv_current, cv_suggested, folds, tested)
