"""The out-of-time check of the forecast: fit on the training dates, measure on the test dates.

AUC and the lift of the riskiest tenth are the backtest's own figures, with the same 95 %
intervals from a bootstrap over accounts (cairn.health.trust.figures).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cairn.forecast.dataset import Observations
from cairn.forecast.train import Evaluation, baseline, calibration_bins, fit
from cairn.health.trust.figures import auc, bootstrap, tenth_lifts


def _day(ordinal: int) -> dt.date:
    return dt.date.fromordinal(int(ordinal))


def evaluate(train: Observations, test: Observations, names: list[str]) -> Evaluation:
    """Fit on `train` only and measure on `test` only (both already built from a checked
    split, see dataset.Split)."""
    fitted = fit(train, names)
    probability = fitted.probability(test.x)
    y = test.churned
    tenths = tenth_lifts(y, probability)
    auc_ci, lift_ci = bootstrap(y, probability, test.accounts)
    base = baseline(train, test)
    base_tenths = tenth_lifts(y, base)
    per_date = []
    for day in np.unique(test.days):
        on = test.days == day
        day_tenths = tenth_lifts(y[on], probability[on])
        per_date.append({
            "date": _day(day).isoformat(),
            "observations": int(on.sum()),
            "churned": int(y[on].sum()),
            "auc": auc(y[on], probability[on]),
            "lift": day_tenths[0] if day_tenths else None,
        })
    return Evaluation(
        train_from=_day(train.days.min()), train_until=_day(train.days.max()),
        test_from=_day(test.days.min()), test_until=_day(test.days.max()),
        train_observations=len(train), train_churn_events=train.churn_events,
        test_observations=len(test), test_churn_events=test.churn_events,
        churn_rate=round(float(y.mean()), 4),
        auc=auc(y, probability), auc_ci=auc_ci,
        lift=tenths[0] if tenths else None, lift_ci=lift_ci,
        baseline_auc=auc(y, base), baseline_lift=base_tenths[0] if base_tenths else None,
        brier=round(float(np.mean((probability - y) ** 2)), 5),
        per_date=per_date, calibration=calibration_bins(y, probability), tenths=tenths,
    )
