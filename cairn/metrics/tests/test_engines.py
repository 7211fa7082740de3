"""One definition, two engines: the standard metric set (with a few more definitions, so every
kind and option is there) on DuckDB and on Spark gives the same values from the same events."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pyarrow as pa
import pytest

from cairn.metrics import engine
from cairn.metrics.actions import STANDARD_FILE, read_file
from cairn.metrics.backends import connect
from cairn.metrics.kinds import Spec, clean
from cairn.metrics.models import MetricKind
from cairn.metrics.tests.conftest import UTC, write_events

TYPES = ["login", "dashboard_view", "report_run", "report_export", "search", "record_create",
         "record_update", "record_delete", "comment", "share", "invite_sent", "integration_sync",
         "api_call", "file_upload", "file_download", "alert_created", "workflow_run",
         "task_completed", "settings_change", "help_article_view"]
LATEST = dt.date(2026, 3, 1)


# Options the standard set does not use: sums per active day and per person, of an event type
# not in the standard set's counts.
EXTRA_SPECS = [
    Spec("upload-mb-per-active-day-56d", MetricKind.PER_ACTIVE_DAY, "file_upload", 56, of="sum"),
    Spec("upload-mb-per-user-7d", MetricKind.PER_USER, "file_upload", 7, of="sum"),
]


def standard_specs() -> list[Spec]:
    entries = read_file(STANDARD_FILE)
    slugs = {e["slug"] for e in entries}
    return [clean(e, slugs) for e in entries]


def synthetic(root: Path) -> tuple[list[str], pa.Table, pa.Table]:
    """Seeded events over 200 days for 40 accounts, some without any, with float values."""
    rng = random.Random(3)  # noqa: S311 (test data, not secrets)
    start = dt.datetime(2025, 8, 14, tzinfo=UTC)
    events = []
    for _ in range(6000):
        account = rng.randint(1, 36)
        kind = rng.choice(TYPES)
        ts = start + dt.timedelta(seconds=rng.randint(0, 200 * 86400 - 1))
        value = rng.uniform(0, 10) if kind == "file_upload" else None
        events.append((account, f"u{rng.randint(1, 12)}", kind, ts, value))
    files = []
    for batch in range(3):  # several batches, so a day has several files
        files += write_events(root, events[batch::3], batch=f"b{batch}")
    accounts = pa.table({"account_id": pa.array(range(1, 41), pa.int64())})
    starts = [dt.date(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 300)) for _ in range(30)]
    subscriptions = pa.table({
        "account_id": pa.array(range(1, 31), pa.int64()), "start_date": pa.array(starts, pa.date32()),
        "end_date": pa.array([s + dt.timedelta(days=365) for s in starts], pa.date32()),
        "quantity": pa.array([rng.randint(0, 20) for _ in starts], pa.int64()),
        # Every fifth is a trial, which tenure does not count.
        "paying": pa.array([k % 5 != 0 for k in range(len(starts))]),
    })
    return files, accounts, subscriptions


def _rows(table: pa.Table) -> dict[tuple[int, dt.date], dict[str, float | None]]:
    return {(r.pop("account_id"), r.pop("observed_on")): r for r in table.to_pylist()}


@pytest.mark.spark
def test_duckdb_and_spark_compute_the_standard_set_identically(tmp_path: Path, spark_engine) -> None:  # type: ignore[no-untyped-def]
    files, accounts, subscriptions = synthetic(tmp_path)
    specs = standard_specs() + EXTRA_SPECS
    assert {s.kind for s in specs} == set(MetricKind.values)
    for dates in ([LATEST - dt.timedelta(weeks=k) for k in range(8)], [LATEST]):
        _same_on_both(files, specs, dates, accounts, subscriptions, spark_engine)


def _same_on_both(files, specs, dates, accounts, subscriptions, spark_engine) -> None:  # type: ignore[no-untyped-def]
    duck = connect("duckdb")
    expected = _rows(engine.compute(duck.con, duck.events(files), specs, dates, accounts, subscriptions))
    actual = _rows(engine.compute(
        spark_engine.con, spark_engine.events(files), specs, dates, accounts, subscriptions
    ))
    assert len(expected) == 40 * len(dates)
    assert expected.keys() == actual.keys()
    compared = 0
    for key, values in expected.items():
        for slug, value in values.items():
            other = actual[key][slug]
            if value is None or other is None:
                assert value is other, (key, slug, value, other)
            else:
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (key, slug, value, other)
            compared += 1
    assert compared == 40 * len(dates) * len(specs)
    # The data is not trivially empty: every metric has values other than 0 somewhere.
    nonzero = {slug for values in expected.values() for slug, v in values.items() if v}
    assert nonzero == {s.slug for s in specs}
