"""The metric time series in the analytics store, and the fingerprints that say what is current.

`metrics/metric=<slug>/observed_on=YYYY-MM-DD.parquet` under settings.ANALYTICS_DIR, columns
account_id, observed_on, value (docs/analytics.md). Each file is written to a temporary
name and renamed, so it is whole or absent; a date counts as written only once its
MetricFill row exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from django.conf import settings

from cairn.metrics.kinds import Spec

SERIES_SCHEMA = pa.schema([
    ("account_id", pa.int64()), ("observed_on", pa.date32()), ("value", pa.float64()),
])
TEMPORARY_PREFIX = ".tmp-"


def series_dir() -> Path:
    return Path(settings.ANALYTICS_DIR) / "metrics"


def series_path(slug: str, day: dt.date) -> Path:
    return series_dir() / f"metric={slug}" / f"observed_on={day.isoformat()}.parquet"


def write_series_file(table: pa.Table, path: Path) -> None:
    """Write one file whole or not at all: a temporary name in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}-{path.name}")
    try:
        # Sorted by account and in row groups, so one account's series is found from the
        # statistics without reading the whole file.
        pq.write_table(table, temporary, compression="zstd", row_group_size=16_384)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_date(wide: pa.Table, day: dt.date, slugs: Sequence[str]) -> int:
    """Write each metric's file for one observation date from the engine's wide table."""
    rows = wide.filter(pc.equal(wide["observed_on"], pa.scalar(day, pa.date32())))
    rows = rows.sort_by("account_id")
    for slug in slugs:
        table = pa.table(
            [rows["account_id"], rows["observed_on"], rows[slug].cast(pa.float64())],
            schema=SERIES_SCHEMA,
        )
        write_series_file(table, series_path(slug, day))
    return rows.num_rows


def remove_temporaries() -> int:
    """Leftovers of a run that died while writing: never read, removed by the next run."""
    if not series_dir().exists():
        return 0
    removed = 0
    for path in series_dir().glob(f"metric=*/{TEMPORARY_PREFIX}*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def read_account_series(
    account_id: int, slugs: Sequence[str], days: Iterable[dt.date]
) -> dict[str, list[tuple[dt.date, float | None]]]:
    """One account's value of each metric at each of the given (completed) dates."""
    days = sorted(days)
    series: dict[str, list[tuple[dt.date, float | None]]] = {}
    for slug in slugs:
        files = [str(p) for d in days if (p := series_path(slug, d)).exists()]
        if not files:
            series[slug] = []
            continue
        dataset = ds.dataset(files, schema=SERIES_SCHEMA, format="parquet")
        # The filter is pushed down to the row groups' statistics (files are sorted by account).
        table = dataset.to_table(
            filter=pc.field("account_id") == account_id, columns=["observed_on", "value"]
        )
        points = list(zip(table["observed_on"].to_pylist(), table["value"].to_pylist(), strict=True))
        series[slug] = sorted(points, key=lambda p: p[0])
    return series


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()


def definitions_fingerprint(specs: Sequence[Spec]) -> str:
    return _digest(sorted(s.fingerprint_parts() for s in specs))


def day_of_file(path: str) -> dt.date | None:
    folder = Path(path).parent.name
    if not folder.startswith("day="):
        return None
    try:
        return dt.date.fromisoformat(folder[4:])
    except ValueError:
        return None


def inputs_fingerprint(
    day: dt.date, lookback: int, files: Sequence[str], context: str
) -> str:
    """What a date's values depend on: the event files of the days it reads (their names
    carry their batch ids, and a committed file never changes), the accounts and their
    subscriptions (`context`)."""
    first = day - dt.timedelta(days=max(lookback, 1) - 1)
    names = sorted(
        f"{Path(f).parent.name}/{Path(f).name}"
        for f in files
        if (d := day_of_file(f)) is not None and first <= d <= day
    )
    return _digest([day, names, context])


def context_fingerprint(accounts: pa.Table, subscriptions: pa.Table) -> str:
    return _digest([accounts.to_pydict(), subscriptions.to_pydict()])
