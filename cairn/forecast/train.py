"""Fitting the forecast and judging it out of time.

The model is LightGBM's gradient-boosted trees on the features of features.py. LightGBM
(not scikit-learn's histogram boosting) because it gives each prediction's exact TreeSHAP
contributions (`pred_contrib`), which become the drivers people read, and keeps its trees in a
plain text format instead of a pickle.

A fit:
1. keeps at most `MAX_ROWS` observations: the churned ones (up to half of the rows) and a
   sample of the others, each weighted by the inverse of its sampling rate, so the fit sees
   the churn rate the book has while staying within time and memory at 100,000 accounts;
2. holds out a fifth of the accounts (all their dates) to stop adding trees when the held-out
   log loss stops falling, and to fit the calibration: a logistic curve from the trees' raw
   score to a probability (Platt scaling);
3. never sees a test date: the evaluation fits on the split's training dates and measures AUC,
   lift of the riskiest tenth, calibration and a logistic regression on the same features
   (the yardstick), all on the test dates.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cairn.forecast.dataset import Observations

MAX_ROWS = 300_000
BIG_WORK = 100_000
HOLDOUT_SHARE = 0.2
MAX_TREES = 300
EARLY_STOP = 20
SEED = 11
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    # Shallow trees: TreeSHAP's cost grows with the square of the depth, and the drivers of
    # every account are computed each night.
    "max_depth": 5,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "verbose": -1,
    "deterministic": True,
    "force_row_wise": True,
    "seed": SEED,
}
CALIBRATION_BINS = 10


@dataclass
class Fitted:
    booster: Any  # lightgbm.Booster
    a: float  # probability = sigmoid(a * raw + b)
    b: float
    trees: int
    rows: int

    def raw(self, x: np.ndarray) -> np.ndarray:
        found = self.booster.predict(x, raw_score=True, num_threads=threads(len(x)))
        return np.asarray(found, dtype=float)

    def probability(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(self.a * self.raw(x) + self.b)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Each feature's share of each row's calibrated log-odds (the last column is the
        base value), from LightGBM's TreeSHAP."""
        found = self.booster.predict(x, pred_contrib=True, num_threads=threads(len(x) * 20))
        return np.asarray(found, dtype=float) * self.a


def threads(rows: int) -> int:
    """One thread for small work, and on a busy machine: OpenMP's waiting threads cost more
    than they save there (two threads were twice as slow as one at a load of 5 on 2 cores)."""
    cores = os.cpu_count() or 1
    if rows < BIG_WORK or os.getloadavg()[0] > cores / 2:
        return 1
    return min(cores, 4)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def sample(obs: Observations, most: int = MAX_ROWS, seed: int = SEED) -> tuple[Observations, np.ndarray]:
    """At most `most` rows: every churned row while they fill less than half of them (else a
    random half's worth), and a random share of the others for the rest; each kept row is
    weighted by the inverse of its sampling rate, so the fit still sees the book's churn rate."""
    churned = int(obs.churned.sum())
    others = len(obs) - churned
    churned_rate = min(1.0, (most / 2) / churned) if churned else 1.0
    kept_churned = churned * churned_rate
    others_rate = min(1.0, (most - kept_churned) / others) if others else 1.0
    rate = np.where(obs.churned, churned_rate, others_rate)
    keep = np.random.default_rng(seed).random(len(obs)) < rate
    return obs.where(keep), 1.0 / rate[keep]


def fit(obs: Observations, names: list[str], seed: int = SEED) -> Fitted:
    """Trees and their calibration from the observations (see the module's steps)."""
    import lightgbm as lgb  # a second to import: only when training or scoring
    from sklearn.linear_model import LogisticRegression

    kept, weights = sample(obs, seed=seed)
    accounts = np.unique(kept.accounts)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(accounts, max(1, round(len(accounts) * HOLDOUT_SHARE)), replace=False)
    held = np.isin(kept.accounts, chosen)
    if kept.churned[held].all() or not kept.churned[held].any():
        held = np.zeros(len(kept), dtype=bool)
    fit_rows = ~held
    # LightGBM's own names are positions: ours (with their ":") stay with the model's row.
    train = lgb.Dataset(kept.x[fit_rows], kept.churned[fit_rows].astype(float),
                        weight=weights[fit_rows], feature_name=[f"f{j}" for j in range(len(names))],
                        free_raw_data=True)
    params = {**PARAMS, "seed": seed, "num_threads": threads(len(kept))}
    if held.any():
        valid = lgb.Dataset(kept.x[held], kept.churned[held].astype(float), weight=weights[held],
                            reference=train)
        booster = lgb.train(params, train, num_boost_round=MAX_TREES, valid_sets=[valid],
                            callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)])
        raw = np.asarray(booster.predict(kept.x[held], raw_score=True, num_iteration=booster.best_iteration,
                                         num_threads=threads(int(held.sum()))))
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(raw.reshape(-1, 1), kept.churned[held],
                                                             sample_weight=weights[held])
        a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
        booster = _trimmed(booster)
    else:
        booster = lgb.train(params, train, num_boost_round=MAX_TREES // 2)
        a, b = 1.0, 0.0
    return Fitted(booster, a, b, booster.num_trees(), len(kept))


def _trimmed(booster: Any) -> Any:
    """The booster without the trees added after the best held-out iteration."""
    import lightgbm as lgb

    best = booster.best_iteration or booster.current_iteration()
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=best))


@dataclass
class Evaluation:
    """Out-of-time figures: every one of them is measured on test dates the fit never saw."""

    train_from: dt.date | None = None
    train_until: dt.date | None = None
    test_from: dt.date | None = None
    test_until: dt.date | None = None
    train_observations: int = 0
    train_churn_events: int = 0
    test_observations: int = 0
    test_churn_events: int = 0
    churn_rate: float | None = None
    auc: float | None = None
    auc_ci: tuple[float, float] | None = None
    lift: float | None = None
    lift_ci: tuple[float, float] | None = None
    baseline_auc: float | None = None
    baseline_lift: float | None = None
    brier: float | None = None
    per_date: list[dict[str, Any]] = field(default_factory=list)
    calibration: list[dict[str, float]] = field(default_factory=list)
    tenths: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "out_of_time": True,
            "train_from": day(self.train_from), "train_until": day(self.train_until),
            "test_from": day(self.test_from), "test_until": day(self.test_until),
            "train_observations": self.train_observations,
            "train_churn_events": self.train_churn_events,
            "test_observations": self.test_observations,
            "test_churn_events": self.test_churn_events,
            "churn_rate": self.churn_rate,
            "auc": self.auc, "auc_ci": list(self.auc_ci) if self.auc_ci else None,
            "lift": self.lift, "lift_ci": list(self.lift_ci) if self.lift_ci else None,
            "baseline_auc": self.baseline_auc, "baseline_lift": self.baseline_lift,
            "brier": self.brier, "per_date": self.per_date, "calibration": self.calibration,
            "tenths": self.tenths,
        }


def baseline(train: Observations, test: Observations) -> np.ndarray:
    """A logistic regression on the same features (missing values filled with the training
    median, each feature standardised, log-scaled where it is skewed): the yardstick the
    trees must beat, out of time like them."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    kept, weights = sample(train)
    median = np.nanmedian(np.where(np.isfinite(kept.x), kept.x, np.nan), axis=0)
    median = np.where(np.isnan(median), 0.0, median)

    def prepared(x: np.ndarray) -> np.ndarray:
        filled = np.where(np.isfinite(x), x, median)
        return np.sign(filled) * np.log1p(np.abs(filled))

    scaler = StandardScaler().fit(prepared(kept.x))
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(scaler.transform(prepared(kept.x)), kept.churned, sample_weight=weights)
    return np.asarray(model.predict_proba(scaler.transform(prepared(test.x)))[:, 1])


def calibration_bins(
    churned: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[dict[str, float]]:
    """Predicted against observed churn in tenths of the predictions (equal counts)."""
    if len(churned) < bins:
        return []
    order = np.argsort(probability, kind="stable")
    out = []
    for part in np.array_split(order, bins):
        out.append({
            "predicted": round(float(probability[part].mean()), 4),
            "observed": round(float(churned[part].mean()), 4),
            "count": len(part),
        })
    return out
