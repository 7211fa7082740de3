"""What the forecast knows of an account on an observation date, and nothing later.

Every feature is read from the metric series files of dates on or before the observation
date (a metric's value on date d comes from the events of its window ending on d, see
docs/analytics.md), or from the subscriptions that had started by then:

- `level`: the metric's value on the date;
- `change`: how much it moved since the latest series date at least `back_days` earlier,
  as a share of the earlier value (-0.6 is "fell 60 %");
- `tenure`: days since the account's first paying subscription started.

Reading a later date is refused where it would happen (`read`), not trusted to the caller: a
feature cannot look ahead, whatever list of features a model is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from cairn.health.trust.series import values_at
from cairn.metrics.models import MetricDefinition

CHANGE_DAYS = 28
FeatureKind = Literal["level", "change", "tenure"]


class LeakageError(ValueError):
    """A feature or a label would use what was not known on the observation date."""


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    kind: FeatureKind
    metric: str = ""  # slug
    back_days: int = 0

    def __post_init__(self) -> None:
        if self.back_days < 0:
            raise LeakageError(
                f"{self.name}: a feature may not read {-self.back_days} days after the "
                "observation date."
            )
        if self.kind == "change" and self.back_days == 0:
            raise ValueError(f"{self.name}: a change compares with an earlier date.")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Feature:
        return cls(
            name=str(data["name"]), label=str(data["label"]), kind=data["kind"],
            metric=str(data.get("metric", "")), back_days=int(data.get("back_days", 0)),
        )


def standard_features() -> list[Feature]:
    """Every active metric's level and 28-day change, and tenure."""
    found: list[Feature] = [Feature("tenure", "Days as a customer", "tenure")]
    for slug, name in MetricDefinition.objects.filter(active=True).order_by("slug").values_list(
        "slug", "name"
    ):
        found.append(Feature(slug, name, "level", slug))
        found.append(Feature(f"{slug}:change", f"Change in {name}", "change", slug, CHANGE_DAYS))
    return found


class Reader:
    """Reads series values for one sorted set of accounts, each (metric, date) file once."""

    def __init__(self, account_ids: np.ndarray, grid: Sequence[dt.date]) -> None:
        self.account_ids = account_ids
        self.grid = sorted(grid)
        self._cache: dict[tuple[str, dt.date], np.ndarray] = {}

    def read(self, slug: str, on: dt.date, observed_on: dt.date) -> np.ndarray:
        """The metric's value per account on `on`, for an observation made on `observed_on`."""
        if on > observed_on:
            raise LeakageError(
                f"{slug}: the value of {on} is not known on the observation date {observed_on}."
            )
        key = (slug, on)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = values_at(slug, on, self.account_ids).astype(np.float32)
        return found

    def earlier(self, day: dt.date, back_days: int) -> dt.date | None:
        """The latest grid date at least `back_days` before `day`."""
        limit = day - dt.timedelta(days=back_days)
        before = [d for d in self.grid if d <= limit]
        return before[-1] if before else None

    def forget_before(self, day: dt.date) -> None:
        """Drop what no later observation needs (the dates are visited in order)."""
        for key in [k for k in self._cache if k[1] < day]:
            del self._cache[key]


def matrix(
    features: Sequence[Feature],
    reader: Reader,
    day: dt.date,
    first_paid: np.ndarray,
) -> np.ndarray:
    """One row per account of the reader, one column per feature, as known on `day` (NaN for
    what is missing). `first_paid` holds each account's first paying day as an ordinal, 0
    when it has none."""
    n = len(reader.account_ids)
    out = np.full((n, len(features)), np.nan, dtype=np.float32)
    for j, feature in enumerate(features):
        if feature.kind == "tenure":
            started = first_paid > 0
            out[started, j] = day.toordinal() - first_paid[started]
        elif feature.kind == "level":
            out[:, j] = reader.read(feature.metric, day, day)
        else:
            before = reader.earlier(day, feature.back_days)
            if before is None:
                continue
            now = reader.read(feature.metric, day, day)
            then = reader.read(feature.metric, before, day)
            out[:, j] = relative_change(now, then)
    return out


def relative_change(now: np.ndarray, then: np.ndarray) -> np.ndarray:
    """(now - then) / then; +1 (doubled, as a floor) when it rose from nothing, 0 when nothing
    both times, NaN when either is missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(then > 0, (now - then) / np.where(then > 0, then, 1), np.nan)
    change = np.where((then == 0) & (now > 0), 1.0, change)
    change = np.where((then == 0) & (now == 0), 0.0, change)
    return change.astype(np.float32)
