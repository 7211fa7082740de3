"""Reading the metric time series for many accounts at one observation date.

`cairn.metrics.store` reads one account's series; a backtest needs every account's value on
each date, so this reads one file of the documented layout
(`metrics/metric=<slug>/observed_on=<date>.parquet`, docs/analytics.md) whole.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow.parquet as pq

from cairn.metrics.models import MetricFill
from cairn.metrics.store import series_path


def grid_dates(until: dt.date) -> list[dt.date]:
    """The observation dates whose series files are complete (a MetricFill row exists), up
    to `until`: a date without its row may be half-written and is never read."""
    return list(
        MetricFill.objects.filter(observed_on__lte=until)
        .order_by("observed_on")
        .values_list("observed_on", flat=True)
    )


def values_at(slug: str, day: dt.date, account_ids: np.ndarray) -> np.ndarray:
    """The metric's value on `day` for each account of the sorted `account_ids` (NaN when the
    file or the account's row is absent, or the value is null)."""
    out = np.full(len(account_ids), np.nan)
    path = series_path(slug, day)
    if not path.exists() or len(account_ids) == 0:
        return out
    table = pq.read_table(path, columns=["account_id", "value"])
    ids = table["account_id"].to_numpy(zero_copy_only=False)
    values = table["value"].to_numpy(zero_copy_only=False).astype(float)
    position, found = locate(account_ids, ids)
    out[position[found]] = values[found]
    return out


def locate(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `ids` sits in `sorted_ids`, and whether it is there at all."""
    if len(sorted_ids) == 0:
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    position = np.searchsorted(sorted_ids, ids)
    found = (position < len(sorted_ids)) & (
        sorted_ids[np.minimum(position, len(sorted_ids) - 1)] == ids
    )
    return position, found
