"""Observations for the forecast: every account observed on every chosen date, its features as
known that day, and whether it churned within the lead window after it.

The split into training and test dates is checked here, where labels are made: a training
date's lead window must end on or before the first test date (otherwise a label the model
learns from would know how the test period went), and a test date's window must end by
`as_of` (otherwise the label is not known yet). Churn follows the team's definition
(cairn.customers.churn).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cairn.customers.churn import ChurnBook
from cairn.forecast.features import Feature, LeakageError, Reader, matrix


@dataclass(frozen=True)
class Split:
    """Training and test observation dates for a lead window, checked for leakage."""

    train: tuple[dt.date, ...]
    test: tuple[dt.date, ...]
    lead_days: int
    as_of: dt.date

    def __post_init__(self) -> None:
        lead = dt.timedelta(days=self.lead_days)
        late = [d for d in (*self.train, *self.test) if d + lead > self.as_of]
        if late:
            raise LeakageError(
                f"The churn window of {late[0]} ends after {self.as_of}: its outcome is not known yet."
            )
        if self.test and self.train:
            first_test = min(self.test)
            crossing = [d for d in self.train if d + lead > first_test]
            if crossing:
                raise LeakageError(
                    f"The training date {crossing[-1]}'s churn window reaches into the test period "
                    f"(from {first_test}): train on dates at least {self.lead_days} days before it."
                )

    @classmethod
    def choose(cls, grid: Sequence[dt.date], *, lead_days: int, as_of: dt.date,
               test_share: float = 1 / 3) -> Split:
        """The last third of the dates with known outcomes for the test, and the dates whose
        whole lead window ends before the test begins for training."""
        lead = dt.timedelta(days=lead_days)
        known = sorted(d for d in grid if d + lead <= as_of)
        if not known:
            return cls((), (), lead_days, as_of)
        cut = max(1, round(len(known) * test_share))
        test = tuple(known[-cut:])
        train = tuple(d for d in known if d + lead <= test[0])
        return cls(train, test, lead_days, as_of)

    @classmethod
    def everything(cls, grid: Sequence[dt.date], *, lead_days: int, as_of: dt.date) -> Split:
        """Every date with a known outcome for training, none for testing (the model that
        scores the book, once the split has judged the method)."""
        lead = dt.timedelta(days=lead_days)
        return cls(tuple(sorted(d for d in grid if d + lead <= as_of)), (), lead_days, as_of)


@dataclass(frozen=True)
class Observations:
    x: np.ndarray  # float32 (rows, features)
    churned: np.ndarray  # bool
    days: np.ndarray  # date ordinals
    accounts: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.churned)

    def where(self, mask: np.ndarray) -> Observations:
        return Observations(self.x[mask], self.churned[mask], self.days[mask], self.accounts[mask])

    @property
    def churn_events(self) -> int:
        """Accounts that churned within the lead of at least one of the dates."""
        return len(np.unique(self.accounts[self.churned]))


def observe(
    features: Sequence[Feature],
    reader: Reader,
    book: ChurnBook,
    dates: Sequence[dt.date],
    *,
    lead_days: int,
    as_of: dt.date,
) -> Observations:
    """Rows for the accounts observed on each date (customers then, not gone)."""
    first_paid = book.first_paid()
    xs, ys, days, accounts = [], [], [], []
    for day in sorted(dates):
        if day + dt.timedelta(days=lead_days) > as_of:
            raise LeakageError(f"The outcome of {day} is not known on {as_of}.")
        observed, churned, _ = book.on(day.toordinal(), lead_days)
        if not observed.any():
            continue
        xs.append(matrix(features, reader, day, first_paid)[observed])
        ys.append(churned[observed])
        days.append(np.full(int(observed.sum()), day.toordinal(), dtype=np.int64))
        accounts.append(reader.account_ids[observed])
        reader.forget_before(day - dt.timedelta(days=max((f.back_days for f in features), default=0) + 7))
    if not xs:
        return Observations(
            np.zeros((0, len(features)), dtype=np.float32), np.zeros(0, dtype=bool),
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
        )
    return Observations(
        np.concatenate(xs), np.concatenate(ys), np.concatenate(days), np.concatenate(accounts)
    )


def current(
    features: Sequence[Feature], reader: Reader, book: ChurnBook, day: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """The customers on `day` (to be scored, those whose lapse is still undecided included)
    and their features."""
    observed = book.customers_on(day.toordinal())
    return reader.account_ids[observed], matrix(features, reader, day, book.first_paid())[observed]
