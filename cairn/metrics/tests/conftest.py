"""Metric tests: each gets its own analytics directory; helpers write events as Parquet files
in the store's documented layout (docs/analytics.md), as the usage app would."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

UTC = dt.UTC


@pytest.fixture(autouse=True)
def analytics_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return settings.ANALYTICS_DIR


Event = tuple[int, str, str, dt.datetime, float | None]


def write_events(root: Path, events: list[Event], batch: str = "b1") -> list[str]:
    """Write events as events/day=YYYY-MM-DD/<batch>-0.parquet files; return their paths."""
    by_day: dict[dt.date, list[Event]] = {}
    for event in events:
        by_day.setdefault(event[3].astimezone(UTC).date(), []).append(event)
    paths = []
    for day, rows in sorted(by_day.items()):
        table = pa.table({
            "event_id": pa.array([f"{batch}-{day}-{i}" for i in range(len(rows))]),
            "account_id": pa.array([r[0] for r in rows], pa.int64()),
            "account_external_id": pa.array([str(r[0]) for r in rows]),
            "user_id": pa.array([r[1] for r in rows]),
            "event_type": pa.array([r[2] for r in rows]),
            "ts": pa.array([r[3] for r in rows], pa.timestamp("us", tz="UTC")),
            "value": pa.array([r[4] for r in rows], pa.float64()),
            "properties": pa.nulls(len(rows), pa.string()),
            "batch_id": pa.array([batch] * len(rows)),
        })
        folder = root / "events" / f"day={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{batch}-0.parquet"
        pq.write_table(table, path)
        paths.append(str(path))
    return paths


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[object]:
    """One local Spark for the session. Skips without Java locally; fails in CI."""
    import shutil

    if shutil.which("java") is None:
        message = "Spark tests cannot run: no Java runtime (install default-jre-headless)."
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from cairn.metrics.backends import connect

    yield connect("spark")
