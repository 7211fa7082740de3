"""Suggested measures learned from the backtest's observations: each measure's direction, its
thresholds placed from the metric's distribution, and its weight from a regularised logistic
regression, with the AUC they would have had out of time.

Thresholds. A thresholds or log metric measure gets bad and good from the 10th and 90th
percentiles of the values of the accounts retained on the latest observation date (observed,
no churn within the lead window after it), on a log scale when the values are heavy-tailed
(cairn.health.trust.distribution). The card with these thresholds is observed again, so the
weights are fitted on the points the proposal would give.

Direction. A metric measure whose points went with *more* churn is turned around: its points
become 100 - points, which for thresholds, log and percentile measures is bad and good
swapped, and for bands each band's points reversed. Going with more churn means that the
churned observations ranked above the others on the measure's points (a rank AUC of at least
0.5 + FLIP_MARGIN, and FLIP_Z standard errors above 0.5: an account observed on many dates
counts many times, so the margin keeps chance from turning a measure). Only metric measures:
a CSM's rating means what it says.

Weights. Features are each measure's points (0-100), so a coefficient translates straight
into a weight. Missing points are filled with the training mean (a neutral value, close to
how the score shares a missing measure's weight), features are standardised, and the L2
penalty keeps correlated measures from trading huge opposite coefficients. From a coefficient
b on the standardised points of a measure with spread s, the change in churn log-odds per
point is b / s; health is the opposite of risk, so the weight is max(0, -b / s). A measure
that still points the wrong way beside the others gets 0 (and is not turned around). The
fitted weights are scaled to the total the same measures have now, so measures the backtest
cannot see (no history) keep their weight and share of the score.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cairn.health.scoring import Band, CardSpec, MeasureSpec, weigh
from cairn.health.trust.backtest import MIN_CHURN_EVENTS, MIN_OBSERVATIONS, auc
from cairn.health.trust.distribution import Scale, propose_scale, retained_values
from cairn.health.trust.observe import Observations, observe
from cairn.metrics.models import MetricDefinition

PENALTY_C = 1.0
MIN_PRESENT = 0.1  # a measure with points in fewer observations than this has no history
MIN_WEIGHT = 0.1  # the smallest weight a measure can have (the health app refuses 0)
MAX_WEIGHT = 1000.0
FOLDS = 4
FLIP_MARGIN = 0.03
FLIP_Z = 3.0

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
HIGHER_CHURNED = "Higher values went with more churn: scored as lower is better."
LOWER_CHURNED = "Lower values went with more churn: scored as higher is better."
BANDS_CHURNED = "More points went with more churn: each band's points reversed (100 − points)."
NOTHING_FITTED = "No suggestion: no measure with a history went with fewer churns as its points rose."
SCALED = ("thresholds", "log")  # the methods whose bad and good are metric values


@dataclass(frozen=True)
class WeightRow:
    """One measure's suggestion. Its scoring when the backtest ran (method, bad, good,
    bands) and, when the suggestion changes it, the new one (new_*; None: kept)."""

    measure_id: int
    name: str
    current: float
    suggested: float
    coefficient: float | None
    note: str = ""
    flipped: bool = False
    method: str = ""
    bad: float | None = None
    good: float | None = None
    bands: list[dict[str, float | None]] = field(default_factory=list)
    new_method: str | None = None
    new_bad: float | None = None
    new_good: float | None = None
    new_reverse: bool | None = None  # scored against the metric's own direction
    new_bands: list[dict[str, float | None]] | None = None

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
    # The card as suggested (weights, directions, thresholds), to score it on other dates:
    # its points differ from the observed card's wherever a row rescores its measure.
    card: CardSpec | None = None

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
    coefficients: np.ndarray  # churn log-odds per point as scored after any flip; NaN: not fitted
    notes: list[str]
    flipped: np.ndarray  # per measure: its points are to be turned around (100 - points)


def oriented(points: np.ndarray, flipped: np.ndarray) -> np.ndarray:
    """The points with the flipped measures' columns turned around (NaN stays missing)."""
    return np.where(flipped, 100.0 - points, points)


def goes_with_churn(points: np.ndarray, churned: np.ndarray) -> bool:
    """Did the churned observations rank clearly above the others on these points? The
    Mann-Whitney AUC and its z under no difference, on the observations with points."""
    present = ~np.isnan(points)
    x, y = points[present], churned[present]
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return False
    from scipy.stats import rankdata  # with scikit-learn, only when fitting

    ranks = rankdata(x)
    area = (float(ranks[y].sum()) - n1 * (n1 + 1) / 2) / (n1 * n0)
    z = (area - 0.5) / math.sqrt((n1 + n0 + 1) / (12.0 * n1 * n0))
    return area >= 0.5 + FLIP_MARGIN and z >= FLIP_Z


def fit(
    points: np.ndarray, churned: np.ndarray, current: np.ndarray, flippable: np.ndarray | None = None
) -> Fit | None:
    """Directions and weights for the measures from one set of observations; None when
    nothing can be fitted (one outcome only, or no measure with history pointing the right
    way). `flippable`: the measures whose direction may be learned (metric measures)."""
    m = points.shape[1]
    notes = [""] * m
    coefficients = np.full(m, np.nan)
    flipped = np.zeros(m, dtype=bool)
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
            flipped[j] = flippable is not None and bool(flippable[j]) and goes_with_churn(
                points[:, j], churned
            )
    if not usable:
        return None
    x = oriented(points, flipped)[:, usable]
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
            if flipped[j]:
                # Left out of the score, so not turned around: its effect as it was scored.
                flipped[j] = False
                coefficients[j] = per_point[k]
    return Fit(weights, coefficients, notes, flipped)


def _scores(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores with the given weights through the health app's own weighting (missing
    measures share their weight; a weight of 0 leaves a measure out)."""
    scores = weigh(points, weights.tolist()).scores
    return np.array([np.nan if s is None else s for s in scores], dtype=float)


@dataclass(frozen=True)
class Tested:
    """The later observations each fold tested: labels, the baseline's scores (NaN where it
    had none) and the suggestion's."""

    churned: np.ndarray
    baseline: np.ndarray
    suggested: np.ndarray
    folds: int


def tested_out_of_time(
    obs: Observations, current: np.ndarray, lead_days: int, baseline: np.ndarray,
    flippable: np.ndarray | None = None,
) -> Tested | None:
    """The later dates scored by suggestions fitted (directions and weights) only on dates
    whose whole lead window ended before the fold's first date, so no label the fit saw looks
    past the test period's start. None when no fold could be fitted."""
    days = np.unique(obs.days)
    if len(days) < 4:
        return None
    later = days[len(days) // 2 :]
    parts: dict[str, list[np.ndarray]] = {"churned": [], "baseline": [], "suggested": []}
    folds = 0
    for block in np.array_split(later, min(FOLDS, len(later))):
        train = obs.days + lead_days <= block[0]
        test = np.isin(obs.days, block)
        if train.sum() < MIN_OBSERVATIONS or not test.any():
            continue
        fitted = fit(obs.points[train], obs.churned[train], current, flippable)
        if fitted is None:
            continue
        suggested = _scores(oriented(obs.points[test], fitted.flipped), fitted.weights)
        scored = ~np.isnan(suggested)
        parts["churned"].append(obs.churned[test][scored])
        parts["baseline"].append(baseline[test][scored])
        parts["suggested"].append(suggested[scored])
        folds += 1
    if not folds:
        return None
    return Tested(
        np.concatenate(parts["churned"]), np.concatenate(parts["baseline"]),
        np.concatenate(parts["suggested"]), folds,
    )


def aligned(source: Observations, target: Observations) -> np.ndarray:
    """The source's scores at each of the target's (account, date) rows; NaN where the source
    has no such row."""
    out = np.full(len(target), np.nan)
    if not len(source) or not len(target):
        return out
    keys = source.account_ids.astype(np.int64) * 10_000_000 + source.days
    wanted = target.account_ids.astype(np.int64) * 10_000_000 + target.days
    order = np.argsort(keys)
    at = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    found = keys[order][at] == wanted
    out[found] = source.scores[order][at][found]
    return out


def unfitted(obs: Observations, message: str) -> Suggestion:
    """No suggestion: every measure keeps its weight, and the message says why."""
    rows = [WeightRow(int(m.key), m.name, m.weight, m.weight, None) for m in obs.card.measures]
    return Suggestion(rows=rows, fitted=False, message=message)


def higher_is_better(spec: MeasureSpec, declared: bool) -> bool:
    """The direction the measure scores in now: its thresholds', else the metric's."""
    if spec.bad is not None and spec.good is not None and spec.bad != spec.good:
        return spec.good > spec.bad
    return declared


def _scales(
    obs: Observations, metrics: dict[int, tuple[str, bool]]
) -> tuple[list[Scale | None], list[str]]:
    """Per measure: thresholds from the distribution (thresholds and log metric measures
    whose metric has values), or why none."""
    specs = obs.card.measures
    wanted = {
        m.metric_id: metrics[m.metric_id][0] for m in specs
        if m.source == "metric" and m.method in SCALED and m.metric_id in metrics
    }
    day, values = retained_values(obs, wanted)
    scales: list[Scale | None] = [None] * len(specs)
    why = [""] * len(specs)
    for j, m in enumerate(specs):
        if m.metric_id not in wanted or day is None:
            continue
        found = propose_scale(values[m.metric_id], day)
        if isinstance(found, str):
            why[j] = f"{found}: thresholds kept."
        else:
            scales[j] = found
    return scales, why


def _rescaled(spec: MeasureSpec, scale: Scale, higher: bool) -> MeasureSpec:
    bad, good = scale.ends(higher)
    return dataclasses.replace(spec, method=scale.method, bad=bad, good=good)


def _bands_json(bands: tuple[Band, ...], flip: bool = False) -> list[dict[str, float | None]]:
    return [
        {"from": b.low, "to": b.high, "points": round(100.0 - b.points, 4) if flip else b.points}
        for b in bands
    ]


def _row(
    spec: MeasureSpec, j: int, fitted: Fit, scale: Scale | None, why: str, higher: bool,
    declared: bool,
) -> WeightRow:
    flipped = bool(fitted.flipped[j])
    turned = higher != flipped  # the direction once the suggestion is applied
    notes = [fitted.notes[j]]
    change: dict[str, Any] = {}
    if flipped and spec.method == "bands":
        notes.append(BANDS_CHURNED)
        change["new_bands"] = _bands_json(spec.bands, flip=True)
    elif flipped:
        notes.append(HIGHER_CHURNED if higher else LOWER_CHURNED)
        change.update(new_method=spec.method, new_bad=spec.good, new_good=spec.bad)
    if scale is not None:
        bad, good = scale.ends(turned)
        change.update(new_method=scale.method, new_bad=bad, new_good=good)
        notes.append(scale.reason(turned))
    if "new_method" in change:
        change["new_reverse"] = turned != declared
    elif why:
        notes.append(why)
    coefficient = fitted.coefficients[j]
    return WeightRow(
        int(spec.key), spec.name, spec.weight, float(fitted.weights[j]),
        None if np.isnan(coefficient) else round(float(coefficient), 5),
        " ".join(n for n in notes if n), flipped, spec.method, spec.bad, spec.good,
        _bands_json(spec.bands), **change,
    )


def _declared(card: CardSpec) -> dict[int, tuple[str, bool]]:
    """Each metric of the card: its slug and whether higher is better, in one query."""
    ids = [m.metric_id for m in card.measures if m.metric_id is not None]
    return {
        pk: (slug, higher)
        for pk, slug, higher in MetricDefinition.objects.filter(pk__in=ids).values_list(
            "pk", "slug", "higher_is_better"
        )
    } if ids else {}


def suggested_card(card: CardSpec, rows: list[WeightRow]) -> CardSpec:
    """The card with the suggestion applied, as `actions.apply_suggestion` writes it."""
    measures = []
    for spec, row in zip(card.measures, rows, strict=True):
        spec = dataclasses.replace(spec, weight=row.applied)
        if row.new_method is not None:
            spec = dataclasses.replace(spec, method=row.new_method, bad=row.new_bad, good=row.new_good)
        if row.new_bands is not None:
            spec = dataclasses.replace(spec, bands=tuple(
                Band(b["from"], b["to"], float(b["points"] or 0)) for b in row.new_bands
            ))
        measures.append(spec)
    return dataclasses.replace(card, measures=tuple(measures))


def suggest(obs: Observations, *, lead_days: int, include_new: bool = False) -> Suggestion:
    """The suggested direction, thresholds and weight of each measure of the observed card,
    with the out-of-time AUCs of the card as it is and as suggested. `include_new`: whether
    `obs` kept new accounts (the proposed thresholds are observed again the same way)."""
    specs = obs.card.measures
    current = np.array([m.weight for m in specs], dtype=float)
    if len(obs) < MIN_OBSERVATIONS:
        return unfitted(obs, NOTHING_FITTED)
    metrics = _declared(obs.card)
    # A higher NPS is better, fewer tickets are; ratings are never turned around.
    declared = [
        metrics[m.metric_id][1] if m.metric_id in metrics else m.source != "tickets" for m in specs
    ]
    higher = [higher_is_better(m, declared[j]) for j, m in enumerate(specs)]
    scales, why = _scales(obs, metrics)
    learned, baseline = obs, obs.scores
    if any(s is not None for s in scales):
        proposed = dataclasses.replace(obs.card, measures=tuple(
            m if s is None else _rescaled(m, s, higher[j])
            for j, (m, s) in enumerate(zip(specs, scales, strict=True))
        ))
        learned = observe(
            proposed, np.unique(obs.account_ids), lead_days=lead_days,
            as_of=obs.dates[-1] + dt.timedelta(days=lead_days), dates=obs.dates,
            include_new=include_new,
        )
        baseline = aligned(obs, learned)
    flippable = np.array([m.source == "metric" for m in specs], dtype=bool)
    fitted = fit(learned.points, learned.churned, current, flippable)
    if fitted is None:
        return unfitted(obs, NOTHING_FITTED)
    tested = tested_out_of_time(learned, current, lead_days, baseline, flippable)
    cv_current = cv_suggested = None
    folds = observations = 0
    if tested is not None:
        both = ~np.isnan(tested.baseline)
        y = tested.churned[both]
        cv_current = auc(y, 100.0 - tested.baseline[both])
        cv_suggested = auc(y, 100.0 - tested.suggested[both])
        folds, observations = tested.folds, int(both.sum())
    rows = [
        _row(m, j, fitted, scales[j], why[j], higher[j], declared[j]) for j, m in enumerate(specs)
    ]
    message = "" if folds else (
        f"Too few observation dates for an out-of-time check with a {lead_days}-day lead: "
        "the suggestion is fitted on all dates, so judge it with care."
    )
    return Suggestion(
        rows, True, message, cv_current, cv_suggested, folds, observations,
        suggested_card(obs.card, rows),
    )


def not_enough(obs: Observations, lead_days: int) -> str:
    """What a set of observations lacks for learning, in words ("" when nothing)."""
    if len(obs) < MIN_OBSERVATIONS:
        return (
            f"Not enough data: {len(obs):,} observation{'s' if len(obs) != 1 else ''} of accounts "
            f"with a metric value on dates at least {lead_days} days old; learning needs "
            f"{MIN_OBSERVATIONS}. Compute the metrics for earlier dates, or shorten the lead window."
        )
    events = obs.churn_events
    if events < MIN_CHURN_EVENTS or obs.churned.all():
        return (
            f"Not enough churn: {events} churn event{'s' if events != 1 else ''} within {lead_days} "
            f"days of an observation date; learning needs at least {MIN_CHURN_EVENTS} churned "
            "accounts and some retained ones to compare."
        )
    return ""
