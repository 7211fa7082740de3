"""A scorecard learned from the usage metrics alone, for a leader to review and start from.

Every active metric becomes a measure of a card that exists only here: thresholds from the
distribution of retained accounts' values on the latest observation date (a log scale when
heavy-tailed), its direction and weight fitted as `suggest` fits an existing card's. The
learned card is tested out of time against the default scorecard on the same observations,
and creating it makes an ordinary scorecard (not the default, no segments) in one action.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cairn.customers.models import Account
from cairn.customers.templatetags.display import percent
from cairn.health import actions as health_actions
from cairn.health.models import Indicator, Measure, Scorecard, Source
from cairn.health.scoring import CardSpec, MeasureSpec
from cairn.health.trust.backtest import MIN_OBSERVATIONS, auc
from cairn.health.trust.distribution import presence_card, propose_scale, retained_values
from cairn.health.trust.observe import Observations, card_and_accounts, observe
from cairn.health.trust.suggest import (
    CONSTANT,
    HIGHER_CHURNED,
    LOWER_CHURNED,
    NO_HISTORY,
    WRONG_SIGN,
    aligned,
    fit,
    not_enough,
    tested_out_of_time,
)
from cairn.metrics.models import MetricDefinition
from cairn.people.models import User

TOTAL_WEIGHT = 100.0
LEFT_OUT = {
    NO_HISTORY: "No values in the backtest.",
    CONSTANT: "Its points never varied, so they say nothing about churn.",
    WRONG_SIGN: "Beside the other metrics, more of its points went with more churn.",
}


@dataclass(frozen=True)
class LearnedMeasure:
    metric_id: int
    slug: str
    name: str
    method: str
    bad: float
    good: float
    weight: float
    higher_is_better: bool
    against_declared: bool  # scored the other way from the metric's own direction
    reason: str


@dataclass(frozen=True)
class Learned:
    lead_days: int
    as_of: dt.date
    message: str = ""  # why nothing was learned
    measures: list[LearnedMeasure] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (metric, why)
    observations: int = 0
    accounts: int = 0
    churn_events: int = 0
    dates: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    default_name: str = ""
    auc_learned: float | None = None  # out of time, every tested observation
    auc_default: float | None = None  # out of time, those the default card scored
    auc_learned_same: float | None = None  # the learned card on those same observations
    tested: int = 0
    tested_default: int = 0
    folds: int = 0

    @property
    def fitted(self) -> bool:
        return bool(self.measures) and not self.message

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["fitted"] = self.fitted
        out["period"] = (
            f"{self.first_date:%d %b %Y} to {self.last_date:%d %b %Y}"
            if self.first_date and self.last_date else ""
        )
        for key in ("as_of", "first_date", "last_date"):
            out[key] = out[key].isoformat() if out[key] else None
        out["left_out"] = [{"name": n, "why": w} for n, w in self.left_out]
        return out


def _odds(coefficient: float) -> str:
    """The effect of 10 more points on the odds of churning, in words."""
    change = 1.0 - math.exp(10.0 * coefficient)
    way = "lower" if change > 0 else "higher"
    return f"each 10 points went with {percent(abs(change))} {way} odds of churning"


def learn_from_metrics(*, lead_days: int, as_of: dt.date) -> Learned:
    """The learned card over every active metric, or what is missing to learn one."""
    metrics = list(MetricDefinition.objects.filter(active=True).order_by("name"))
    if not metrics:
        return Learned(
            lead_days, as_of,
            "No active usage metric to learn from: define metrics on the Metrics page (or "
            "`cairn metrics load --standard`) and compute them.",
        )
    ids = np.array(Account.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
    seen = observe(presence_card(metrics), ids, lead_days=lead_days, as_of=as_of)
    figures: dict[str, Any] = {
        "observations": len(seen), "accounts": len(np.unique(seen.account_ids)),
        "churn_events": seen.churn_events, "dates": len(seen.dates),
        "first_date": seen.dates[0] if seen.dates else None,
        "last_date": seen.dates[-1] if seen.dates else None,
    }
    problem = not_enough(seen, lead_days)
    if problem:
        return Learned(lead_days, as_of, problem, **figures)
    day, values = retained_values(seen, {m.pk: m.slug for m in metrics})
    assert day is not None  # enough observations, so at least one date
    specs: list[MeasureSpec] = []
    scales = []
    left_out: list[tuple[str, str]] = []
    for metric in metrics:
        scale = propose_scale(values[metric.pk], day)
        if isinstance(scale, str):
            left_out.append((metric.name, f"{scale}."))
            continue
        bad, good = scale.ends(metric.higher_is_better)
        specs.append(MeasureSpec(
            str(metric.pk), metric.name, Indicator.PRODUCT, TOTAL_WEIGHT / len(metrics),
            Source.METRIC, method=scale.method, bad=bad, good=good, metric_id=metric.pk,
        ))
        scales.append((metric, scale))
    if not specs:
        return Learned(lead_days, as_of, "No metric had values to place thresholds.", [], left_out, **figures)
    card = CardSpec(None, "Learned from usage", tuple(specs))
    obs = observe(card, ids, lead_days=lead_days, as_of=as_of, dates=seen.dates)
    current = np.array([m.weight for m in specs], dtype=float)
    every = np.ones(len(specs), dtype=bool)
    fitted = fit(obs.points, obs.churned, current, every) if len(obs) >= MIN_OBSERVATIONS else None
    if fitted is None:
        return Learned(
            lead_days, as_of,
            "Nothing to learn: no metric went with fewer churns as its points rose, either way round.",
            [], left_out, **figures,
        )
    measures = []
    for j, (metric, scale) in enumerate(scales):
        weight = float(fitted.weights[j])
        if fitted.notes[j] in LEFT_OUT:
            left_out.append((metric.name, LEFT_OUT[fitted.notes[j]]))
            continue
        flipped = bool(fitted.flipped[j])
        higher = metric.higher_is_better != flipped
        bad, good = scale.ends(higher)
        reason = " ".join(filter(None, [
            (HIGHER_CHURNED if metric.higher_is_better else LOWER_CHURNED) if flipped else "",
            scale.reason(higher),
            f"Weight {weight:g} of {TOTAL_WEIGHT:g}: {_odds(float(fitted.coefficients[j]))}, "
            "beside the other metrics.",
        ]))
        measures.append(LearnedMeasure(
            metric.pk, metric.slug, metric.name, scale.method, bad, good, weight, higher, flipped, reason
        ))
    if not measures:
        return Learned(
            lead_days, as_of, "Nothing to learn: every metric was left out (see why below).",
            [], left_out, **figures,
        )
    return Learned(
        lead_days, as_of, "", measures, left_out, **figures,
        **_compared(obs, current, lead_days, every, seen.dates, as_of),
    )


def _compared(
    obs: Observations, current: np.ndarray, lead_days: int, every: np.ndarray, dates: list[dt.date],
    as_of: dt.date,
) -> dict[str, Any]:
    """The learned card's out-of-time AUC, and the default scorecard's on the observations
    it scored (both cards fitted on nothing later than each fold's start)."""
    default = Scorecard.objects.filter(is_default=True).first()
    baseline = np.full(len(obs), np.nan)
    if default is not None:
        spec, accounts = card_and_accounts(default)
        theirs = observe(spec, accounts, lead_days=lead_days, as_of=as_of, dates=dates)
        baseline = aligned(theirs, obs)
    tested = tested_out_of_time(obs, current, lead_days, baseline, every)
    out: dict[str, Any] = {"default_name": default.name if default else ""}
    if tested is None:
        return out
    scored = ~np.isnan(tested.baseline)
    y = tested.churned
    out.update(
        auc_learned=auc(y, 100.0 - tested.suggested), tested=len(y), folds=tested.folds,
        tested_default=int(scored.sum()),
    )
    if scored.any():
        out["auc_default"] = auc(y[scored], 100.0 - tested.baseline[scored])
        out["auc_learned_same"] = auc(y[scored], 100.0 - tested.suggested[scored])
    return out


def create_scorecard(learned: dict[str, Any], *, name: str, by: User) -> Scorecard:
    """A new scorecard (not the default, no segments) with the learned measures, all or
    none; the history records who. `learned` is `Learned.as_json()` as the leader reviewed it."""
    auc_text = (
        f"out-of-time AUC {learned['auc_learned']:.2f}" if learned.get("auc_learned") is not None
        else "no out-of-time check"
    )
    card = Scorecard(
        name=name,
        description=(
            f"Learned on {learned['as_of']} from the usage metrics (churn within "
            f"{learned['lead_days']} days, {learned['observations']:,} observations): {auc_text}."
        ),
    )
    measures = [
        Measure(
            name=m["name"][:150], indicator=Indicator.PRODUCT, weight=m["weight"],
            source=Source.METRIC, metric_id=m["metric_id"], method=m["method"],
            bad_value=m["bad"], good_value=m["good"], reverse_direction=m["against_declared"],
        )
        for m in learned["measures"]
    ]
    return health_actions.save_scorecard(card, measures, by=by)
