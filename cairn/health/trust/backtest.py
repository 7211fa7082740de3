"""How well a scorecard would have ranked the accounts that churned, out of time.

The grid dates are split in two: training dates (what a fit may see) and test dates (what the
figures are computed on). Every training date's churn window closes by the first test date,
so no label a fit saw reaches into the test period. The report's figures are the ROC AUC of
(100 - score) as a churn predictor and the lift of the riskiest tenth on the test dates, each
with a 95 % interval from a bootstrap that resamples accounts, and the same two figures per
test date. Figures on dates a fit saw are flagged in-sample, with a warning saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.health.models import Scorecard
from cairn.health.trust.figures import (
    RESAMPLES,
    Figures,
    auc,
    expected_churns,
    measure,
    roc_points,
    tenth_lifts,
    with_interval,
)
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.observe import (
    NEW_ACCOUNT_DAYS,
    Observations,
    card_and_accounts,
    observe,
)
from cairn.health.trust.series import grid_dates

# Below these an AUC is mostly noise: say so instead of printing a number.
MIN_OBSERVATIONS = 30
MIN_CHURN_EVENTS = 3
MAX_LEAD_DAYS = 730

SPLIT_FIELDS = ("train_from", "train_until", "test_from", "test_until")
# What other modules take from here (the figures live in figures.py).
__all__ = [
    "RESAMPLES", "Figures", "auc", "expected_churns", "roc_points", "tenth_lifts", "with_interval",
]


# --- the split --------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """Training and test periods (inclusive) and the complete grid dates in each."""

    train_from: dt.date | None
    train_until: dt.date | None
    test_from: dt.date | None
    test_until: dt.date | None
    train_dates: list[dt.date] = field(default_factory=list)
    test_dates: list[dt.date] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "train_from": day(self.train_from),
            "train_until": day(self.train_until),
            "test_from": day(self.test_from),
            "test_until": day(self.test_until),
            "train_dates": len(self.train_dates),
            "test_dates": len(self.test_dates),
        }


def check_inputs(*, lead_days: int, as_of: dt.date) -> None:
    """The lead window and the as-of date a backtest can use (ValidationError naming the field)."""
    if not 1 <= lead_days <= MAX_LEAD_DAYS:
        raise ValidationError({"lead_days": f"The lead window must be between 1 and {MAX_LEAD_DAYS} days."})
    today = timezone.localdate()
    if as_of > today:
        raise ValidationError(
            {"as_of": f"The as-of date cannot be after today ({today}): churn after today is not known yet."}
        )


def choose_split(
    grid: Sequence[dt.date],
    *,
    lead_days: int,
    as_of: dt.date,
    train_from: dt.date | None = None,
    train_until: dt.date | None = None,
    test_from: dt.date | None = None,
    test_until: dt.date | None = None,
) -> Split:
    """The periods asked for, the rest by default, checked (ValidationError naming the field).

    `grid`: the complete grid dates whose lead window has passed by `as_of`. Defaults: the test
    period is the last third of those dates (up to `test_until` when given); training runs from
    the first date to the last one whose churn window ends by the first test date
    (d + lead <= test_from).
    """
    lead = dt.timedelta(days=lead_days)
    known = as_of - lead  # the last date whose churn window has passed
    for name, day, verb in (("test_from", test_from, "start"), ("test_until", test_until, "end")):
        if day is not None and day > known:
            raise ValidationError({name: (
                f"With a {lead_days}-day lead the test period must {verb} by {known}, "
                f"so that its churn is known by the as-of date ({as_of})."
            )})
    if test_until is None:
        test_until = grid[-1] if grid else (known if test_from is not None else None)
    if test_from is None and test_until is not None:
        candidates = [d for d in grid if d <= test_until]
        tested = -(-len(candidates) // 3)  # a third, rounded up
        test_from = candidates[len(candidates) - tested] if candidates else test_until
    if test_from is not None and test_until is not None and test_from > test_until:
        raise ValidationError(
            {"test_from": f"The test period must start on or before its end ({test_until})."}
        )
    if test_from is not None:
        latest_train = test_from - lead
        if train_until is not None and train_until > latest_train:
            raise ValidationError({"train_until": (
                f"With a {lead_days}-day lead, a training date's churn window reaches into the test "
                f"period: the training period must end by {latest_train}, {lead_days} days before "
                f"the test period starts ({test_from})."
            )})
        if train_from is not None and train_from > latest_train:
            raise ValidationError({"train_from": (
                f"With a {lead_days}-day lead, a training date's churn window reaches into the test "
                f"period from any date after {latest_train}: start the training period by then."
            )})
        if train_until is None:
            fits = [d for d in grid if d <= latest_train and (train_from is None or d >= train_from)]
            train_until = fits[-1] if fits else None
        if train_from is None and train_until is not None:
            train_from = next((d for d in grid if d <= train_until), train_until)
    elif train_from is not None or train_until is not None:
        raise ValidationError({"test_from": "There are no metric dates to test on; give the test period."})
    if train_from is not None and train_until is not None and train_from > train_until:
        raise ValidationError(
            {"train_from": f"The training period must start on or before its end ({train_until})."}
        )
    if train_until is None:
        train_from = None

    def inside(first: dt.date | None, last: dt.date | None) -> list[dt.date]:
        if first is None or last is None:
            return []
        return [d for d in grid if first <= d <= last]

    return Split(
        train_from, train_until, test_from, test_until,
        inside(train_from, train_until), inside(test_from, test_until),
    )


def plan(
    *,
    lead_days: int,
    as_of: dt.date,
    train_from: dt.date | None = None,
    train_until: dt.date | None = None,
    test_from: dt.date | None = None,
    test_until: dt.date | None = None,
) -> Split:
    """Check the inputs and choose the split over the metric grid (the form, the command and
    the action all go through here, so they refuse the same splits with the same words)."""
    check_inputs(lead_days=lead_days, as_of=as_of)
    grid = grid_dates(as_of - dt.timedelta(days=lead_days))
    return choose_split(
        grid, lead_days=lead_days, as_of=as_of, train_from=train_from,
        train_until=train_until, test_from=test_from, test_until=test_until,
    )


# --- in-sample ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FittedOn:
    """The dates the fit behind a scorecard's current weights saw."""

    first: dt.date
    last: dt.date
    lead_days: int
    applied_on: dt.date | None

    def overlaps(self, first: dt.date | None, last: dt.date | None) -> bool:
        """Whether a period holds a date the fit saw, or one inside the churn window after its
        last date (the fit's labels knew that period's churn)."""
        if first is None or last is None:
            return False
        return last >= self.first and first < self.last + dt.timedelta(days=self.lead_days)

    def warning(self) -> str:
        clear = self.last + dt.timedelta(days=self.lead_days)
        applied = f" on {self.applied_on}" if self.applied_on else ""
        return (
            f"In-sample: the current weights were applied{applied} from a suggestion fitted on "
            f"{self.first} to {self.last} (churn up to {clear}), which this period overlaps, so "
            f"these figures flatter the scorecard. Test on dates from {clear} on for an "
            "out-of-time figure."
        )


def fitted_on(scorecard: Scorecard) -> FittedOn | None:
    """The dates the latest applied suggestion of the scorecard was fitted on, if any: runs
    with a split were fitted on their training dates, earlier runs on every date they saw."""
    last = (
        WeightSuggestion.objects.filter(scorecard=scorecard, status=SuggestionStatus.APPLIED)
        .order_by("-applied_at", "-pk")
        .only("train_from", "train_until", "lead_days", "applied_at", "report")
        .first()
    )
    if last is None:
        return None
    applied = timezone.localdate(last.applied_at) if last.applied_at else None
    if "split" in last.report:
        if last.train_from is None or last.train_until is None:
            return None
        return FittedOn(last.train_from, last.train_until, last.lead_days, applied)
    first, until = last.report.get("first_date"), last.report.get("last_date")
    if not first or not until:
        return None
    return FittedOn(dt.date.fromisoformat(first), dt.date.fromisoformat(until), last.lead_days, applied)


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The backtest of a scorecard's current weights. The headline figures (`test`) are on the
    test dates; `train` holds the same figures on the training dates, for comparison."""

    scorecard: str
    lead_days: int
    as_of: dt.date
    include_new: bool
    split: Split
    enough: bool
    message: str
    test: Figures | None
    train: Figures | None
    accounts: int
    observations: int
    churn_observations: int
    churn_events: int
    without_score: int
    new_left_out: int

    @property
    def auc(self) -> float | None:
        return self.test.auc if self.test else None

    @property
    def lift(self) -> float | None:
        return self.test.lift if self.test else None

    @property
    def in_sample(self) -> bool:
        return bool(self.test and self.test.in_sample)

    def as_json(self) -> dict[str, Any]:
        test = self.test.as_json() if self.test else {}
        return {
            "scorecard": self.scorecard,
            "lead_days": self.lead_days,
            "as_of": self.as_of.isoformat(),
            "include_new": self.include_new,
            "new_account_days": NEW_ACCOUNT_DAYS,
            "split": self.split.as_json(),
            "enough": self.enough,
            "message": self.message,
            # The headline figures at the top level: the test period, current weights.
            "accounts": self.accounts,
            "observations": self.observations,
            "churn_observations": self.churn_observations,
            "churn_events": self.churn_events,
            "without_score": self.without_score,
            "new_left_out": self.new_left_out,
            "dates": len(self.split.test_dates),
            "first_date": test.get("first_date"),
            "last_date": test.get("last_date"),
            "auc": test.get("auc"),
            "auc_low": test.get("auc_low"),
            "auc_high": test.get("auc_high"),
            "lift": test.get("lift"),
            "lift_low": test.get("lift_low"),
            "lift_high": test.get("lift_high"),
            "churn_rate": test.get("churn_rate"),
            "in_sample": self.in_sample,
            "warning": test.get("warning", ""),
            "per_date": test.get("per_date", []),
            "roc": test.get("roc", []),
            "tenths": test.get("tenths", []),
            "train": self.train.as_json() if self.train else None,
        }


def no_history(card_name: str) -> str:
    return (
        f"None of {card_name}'s measures has a history the backtest can replay: ratings, surveys "
        "and tickets are replayed only from what was recorded on or before each date (a rating "
        "from the day it was given until it expires; survey answers and tickets not at all), so "
        "ratings given recently say nothing about the past. Add a metric measure, or start a "
        "scorecard from the usage metrics on this page (\"Learn from the data\", "
        "/health/trust/learn/)."
    )


def _not_enough(obs: Observations, test: Observations, split: Split, lead_days: int, as_of: dt.date) -> str:
    if split.test_from is None:
        return (
            f"Not enough data: no metric date is at least {lead_days} days before {as_of}, so no "
            "churn outcome is known yet. Compute metrics for earlier dates, or shorten the lead window."
        )
    if len(obs) == 0 and obs.without_score > 0:
        return "Not enough data. " + no_history(obs.card.name)
    period = f"the test period ({split.test_from} to {split.test_until})"
    n = len(test)
    if n < MIN_OBSERVATIONS:
        new = (
            f" ({test.new_left_out} more left out as new accounts: include them to count them)"
            if test.new_left_out else ""
        )
        return (
            f"Not enough data: {n} scored observation{'s' if n != 1 else ''} in {period}{new}; "
            f"the backtest needs {MIN_OBSERVATIONS}. Compute metrics for earlier dates, widen the "
            "test period, or shorten the lead window."
        )
    events = test.churn_events
    if events < MIN_CHURN_EVENTS or test.churned.all():
        return (
            f"Not enough data: {events} churn event{'s' if events != 1 else ''} within {lead_days} "
            f"days of a date in {period}; the backtest needs at least {MIN_CHURN_EVENTS} churned "
            "and some renewed or staying accounts to compare."
        )
    return ""


def summarise(
    obs: Observations, split: Split, *, lead_days: int, as_of: dt.date,
    include_new: bool = False, fitted: FittedOn | None = None,
) -> Report:
    test = obs.within(split.test_dates)
    train = obs.within(split.train_dates)
    problem = _not_enough(obs, test, split, lead_days, as_of)
    common: dict[str, Any] = {
        "scorecard": obs.card.name,
        "lead_days": lead_days,
        "as_of": as_of,
        "include_new": include_new,
        "split": split,
        "accounts": len(np.unique(test.account_ids)),
        "observations": len(test),
        "churn_observations": int(test.churned.sum()),
        "churn_events": test.churn_events,
        "without_score": test.without_score,
        "new_left_out": test.new_left_out,
    }
    if problem:
        return Report(**common, enough=False, message=problem, test=None, train=None)

    def judged(part: Observations, period: str, first: dt.date | None, last: dt.date | None) -> Figures:
        flagged = fitted is not None and fitted.overlaps(first, last)
        return measure(
            part, part.scores, period=period, detailed=period == "test",
            in_sample=flagged, warning=fitted.warning() if flagged and fitted else "",
        )

    return Report(
        **common,
        enough=True,
        message="",
        test=judged(test, "test", split.test_from, split.test_until),
        train=judged(train, "train", split.train_from, split.train_until) if _comparable(train) else None,
    )


def _comparable(obs: Observations) -> bool:
    """Enough observations of both outcomes for figures worth printing."""
    return len(obs) >= MIN_OBSERVATIONS and bool(obs.churned.any()) and not obs.churned.all()


@dataclass(frozen=True)
class Judged:
    """Another set of weights (a suggestion fitted on the training dates) measured on the test
    dates (out of time) and on the training dates (in-sample: the fit saw them)."""

    test: Figures
    train: Figures | None

    def as_json(self) -> dict[str, Any]:
        return {"test": self.test.as_json(), "train": self.train.as_json() if self.train else None}


FIT_SAW = (
    "In-sample: the suggested weights were fitted on these dates, so these figures flatter "
    "them; judge the suggestion by the test dates."
)


def judge(obs: Observations, split: Split, scores: np.ndarray) -> Judged:
    """The figures of other scores of the same observations (`scores`, one per row of `obs`,
    NaN where unscored: a suggestion fitted on the split's training dates) on both periods."""
    test, train = obs.mask(split.test_dates), obs.mask(split.train_dates)
    trained = obs.within(split.train_dates)
    return Judged(
        test=measure(obs.within(split.test_dates), scores[test], period="test", detailed=True),
        train=measure(
            trained, scores[train], period="train", detailed=False, in_sample=True, warning=FIT_SAW,
        ) if _comparable(trained) else None,
    )


def run(
    scorecard: Scorecard,
    *,
    lead_days: int,
    as_of: dt.date,
    train_from: dt.date | None = None,
    train_until: dt.date | None = None,
    test_from: dt.date | None = None,
    test_until: dt.date | None = None,
    include_new: bool = False,
) -> tuple[Report, Observations]:
    """Backtest the scorecard's current weights on the split (ValidationError naming the
    field when the split or the inputs cannot be used)."""
    split = plan(
        lead_days=lead_days, as_of=as_of, train_from=train_from, train_until=train_until,
        test_from=test_from, test_until=test_until,
    )
    card, accounts = card_and_accounts(scorecard)
    obs = observe(
        card, accounts, lead_days=lead_days, as_of=as_of, include_new=include_new,
        dates=split.train_dates + split.test_dates,
    )
    report = summarise(
        obs, split, lead_days=lead_days, as_of=as_of, include_new=include_new,
        fitted=fitted_on(scorecard),
    )
    return report, obs
