"""Everything that writes forecast data: training a model version, and scoring the book with
the current one. Each action owns its transaction."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cairn.customers.churn import ChurnBook
from cairn.customers.models import Account
from cairn.forecast import judge, queries, store
from cairn.forecast.dataset import Observations, Split, current, observe
from cairn.forecast.explain import book_drivers, drivers
from cairn.forecast.features import Feature, LeakageError, Reader, standard_features
from cairn.forecast.models import AccountForecast, ForecastModel, ModelStatus
from cairn.forecast.train import Fitted, fit
from cairn.health.trust.series import grid_dates
from cairn.people.models import User

DEFAULT_LEAD_DAYS = 90
# Fewer churned accounts than this and a model learns the accounts, not the behaviour.
MIN_TRAIN_EVENTS = 20
MIN_TEST_EVENTS = 5
BOOK_DRIVERS_ROWS = 50_000


@dataclass(frozen=True)
class Dates:
    """Explicit training and test periods (inclusive); None picks the default split."""

    train_from: dt.date | None = None
    train_until: dt.date | None = None
    test_from: dt.date | None = None
    test_until: dt.date | None = None

    @property
    def given(self) -> bool:
        return any((self.train_from, self.train_until, self.test_from, self.test_until))


def choose_split(grid: list[dt.date], *, lead_days: int, as_of: dt.date, dates: Dates) -> Split:
    """The default split, or the periods asked for (each narrowed to the grid's dates);
    a split that would leak raises ValidationError naming the field."""
    if not dates.given:
        return Split.choose(grid, lead_days=lead_days, as_of=as_of)
    default = Split.choose(grid, lead_days=lead_days, as_of=as_of)

    known = Split.everything(grid, lead_days=lead_days, as_of=as_of).train

    def within(
        low: dt.date | None, high: dt.date | None, fallback: tuple[dt.date, ...]
    ) -> tuple[dt.date, ...]:
        """The grid's dates in [low, high]; without `high`, only dates whose outcome is known."""
        if low is None and high is None:
            return fallback
        return tuple(
            d for d in (grid if high else known)
            if (low is None or d >= low) and (high is None or d <= high)
        )

    test = within(dates.test_from, dates.test_until, default.test)
    if dates.test_from or dates.test_until:
        lead = dt.timedelta(days=lead_days)
        default_train = tuple(d for d in grid if test and d + lead <= test[0])
    else:
        default_train = default.train
    train = within(dates.train_from, dates.train_until, default_train)
    if not test:
        raise ValidationError({"test_from": "No metric dates fall in the test period."})
    if not train:
        raise ValidationError({"train_from": "No metric dates fall in the training period."})
    try:
        return Split(train, test, lead_days, as_of)
    except LeakageError as exc:
        field = "test_until" if "not known yet" in str(exc) else "train_until"
        raise ValidationError({field: str(exc)}) from None


def _not_enough(split: Split, train: Observations, test: Observations) -> str:
    needs = []
    if train.churn_events < MIN_TRAIN_EVENTS:
        needs.append(
            f"{train.churn_events:,} account{'s' if train.churn_events != 1 else ''} churned within "
            f"{split.lead_days} days of a training date; the forecast needs at least {MIN_TRAIN_EVENTS}"
        )
    if test.churn_events < MIN_TEST_EVENTS:
        needs.append(
            f"{test.churn_events:,} churned within the lead of a test date; the out-of-time check "
            f"needs at least {MIN_TEST_EVENTS}"
        )
    if len(train) and train.churned.all():
        needs.append("every training observation churned, so there is nothing to compare")
    if not needs:
        return ""
    return (
        "Not enough churn history to train a forecast: " + "; ".join(needs) + ". "
        "Compute metrics for more past dates (cairn metrics recompute --weeks 52), make sure "
        "ended subscriptions are recorded (see What counts as churn), or shorten the lead window."
    )


def _next_version() -> int:
    return int(ForecastModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1


def train_model(
    *, lead_days: int = DEFAULT_LEAD_DAYS, as_of: dt.date | None = None, by: User | None = None,
    dates: Dates | None = None,
) -> ForecastModel:
    """Judge the method out of time, then train the version that scores the book on every
    date with a known outcome, keep it, and score the book with it.

    Without enough history a row still records the attempt and says what it needs.
    """
    started = time.perf_counter()
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError(
            {"as_of": "Outcomes cannot be known after today: choose today or an earlier day."}
        )
    if not 7 <= lead_days <= 730:
        raise ValidationError({"lead_days": "The lead window must be between 7 and 730 days."})
    grid = grid_dates(as_of)
    split = choose_split(grid, lead_days=lead_days, as_of=as_of, dates=dates or Dates())
    features = standard_features()
    names = [f.name for f in features]
    account_ids = np.array(sorted(Account.objects.values_list("pk", flat=True)), dtype=np.int64)
    book = ChurnBook(account_ids, as_of=as_of)
    reader = Reader(account_ids, grid)
    known = Split.everything(grid, lead_days=lead_days, as_of=as_of).train
    everything = observe(features, reader, book, known, lead_days=lead_days, as_of=as_of)
    train = everything.where(np.isin(everything.days, [d.toordinal() for d in split.train]))
    test = everything.where(np.isin(everything.days, [d.toordinal() for d in split.test]))
    row = ForecastModel(
        lead_days=lead_days, as_of=as_of, trained_by=by, trained_at=timezone.now(),
        features=[f.as_json() for f in features], observations=len(everything),
        churn_events=everything.churn_events,
        train_from=min(split.train, default=None), train_until=max(split.train, default=None),
        test_from=min(split.test, default=None), test_until=max(split.test, default=None),
    )
    problem = "" if features[1:] else "No metrics are defined: the forecast learns from the metric series."
    problem = problem or _not_enough(split, train, test)
    if problem:
        row.status, row.message = ModelStatus.NOT_ENOUGH, problem
        row.seconds = round(time.perf_counter() - started, 2)
        return _keep(row, None)
    row.evaluation = judge.evaluate(train, test, names).as_json()
    del train, test
    fitted = fit(everything, names)
    row.fitted_from, row.fitted_until = min(known), max(known)
    row.status = ModelStatus.TRAINED
    row.calibration = {"a": fitted.a, "b": fitted.b, "trees": fitted.trees, "rows": fitted.rows}
    scored = _score(fitted, features, reader, book, grid[-1]) if grid else None
    if scored is not None:
        row.drivers = book_drivers(features, scored.contributions[:BOOK_DRIVERS_ROWS],
                                   scored.values[:BOOK_DRIVERS_ROWS])[:15]
    row.seconds = round(time.perf_counter() - started, 2)
    return _keep(row, fitted, scored)


@dataclass(frozen=True)
class Scored:
    day: dt.date
    accounts: np.ndarray
    values: np.ndarray
    probability: np.ndarray
    contributions: np.ndarray
    drivers: list[list[dict[str, Any]]]


def _score(fitted: Fitted, features: list[Feature], reader: Reader, book: ChurnBook, day: dt.date) -> Scored:
    accounts, values = current(features, reader, book, day)
    if not len(accounts):
        empty = np.zeros((0, len(features) + 1))
        return Scored(day, accounts, values, np.zeros(0), empty, [])
    probability = fitted.probability(values)
    contributions = fitted.contributions(values)
    with np.errstate(all="ignore"):
        medians = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
    found = [drivers(features, values[i], contributions[i], medians) for i in range(len(accounts))]
    return Scored(day, accounts, values, probability, contributions, found)


@transaction.atomic
def _keep(row: ForecastModel, fitted: Fitted | None, scored: Scored | None = None) -> ForecastModel:
    locked = list(ForecastModel.objects.select_for_update().order_by("-version")[:1])
    row.version = (locked[0].version if locked else 0) + 1
    if fitted is not None:
        row.file = store.save_trees(fitted.booster, row.version)
    row.full_clean()
    row.save()
    if scored is not None:
        _write(row, scored)
    return row


def _write(model: ForecastModel, scored: Scored) -> None:
    """The book's latest forecasts: every scored account's row replaced, and the rows of
    accounts no longer observed (gone, or not yet customers) removed."""
    store.write_latest(
        model.pk, scored.day, scored.accounts.tolist(),
        [round(float(p), 6) for p in scored.probability], scored.drivers,
    )
    AccountForecast.objects.exclude(model=model, scored_on=scored.day).delete()


def fitted_of(model: ForecastModel) -> Fitted:
    calibration = model.calibration
    booster = store.load_trees(model.file)
    return Fitted(booster, float(calibration["a"]), float(calibration["b"]),
                  int(calibration.get("trees", 0)), int(calibration.get("rows", 0)))


def score_latest(as_of: dt.date | None = None) -> dict[str, Any]:
    """Score the book on the latest metric date with the current model (nothing without one)."""
    model = queries.current_model()
    if model is None:
        return {"scored": 0, "reason": "no trained forecast yet"}
    grid = grid_dates(as_of or timezone.localdate())
    if not grid:
        return {"scored": 0, "reason": "no metric dates"}
    features = [Feature.from_json(f) for f in model.features]
    account_ids = np.array(sorted(Account.objects.values_list("pk", flat=True)), dtype=np.int64)
    book = ChurnBook(account_ids, as_of=grid[-1])
    scored = _score(fitted_of(model), features, Reader(account_ids, grid), book, grid[-1])
    with transaction.atomic():
        _write(model, scored)
    return {"scored": len(scored.accounts), "model": model.version, "date": grid[-1].isoformat()}
