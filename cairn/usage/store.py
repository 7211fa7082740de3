"""The Parquet event store: where files go, which of them may be read, and its write lock.

Layout (docs/analytics.md): `events/day=YYYY-MM-DD/<batch id>-<n>.parquet` and
`quarantine/<batch id>.parquet` under settings.ANALYTICS_DIR. A file is visible only once an
`IngestBatch` row lists it; everything else under events/ is a leftover of a batch that
never committed, and the next ingest removes it while holding the write lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from cairn.usage.models import IngestBatch

EVENT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("account_id", pa.int64(), nullable=False),
        pa.field("account_external_id", pa.string(), nullable=False),
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("properties", pa.string()),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)

# What the ingest hands the writer: batch_id, the same on every row, as a dictionary. Files
# carry no Arrow schema, so every reader sees EVENT_SCHEMA (Parquet's own types say it all).
EVENT_WRITE_SCHEMA = EVENT_SCHEMA.set(
    EVENT_SCHEMA.get_field_index("batch_id"),
    pa.field("batch_id", pa.dictionary(pa.int32(), pa.string()), nullable=False),
)

# Quarantined rows keep what was sent, as text, so nothing is lost to a failed conversion.
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("line", pa.int64()),
        pa.field("account_external_id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("timestamp", pa.string()),
        pa.field("value", pa.string()),
        pa.field("properties", pa.string()),
        pa.field("event_id", pa.string()),
        pa.field("reason", pa.string()),
    ]
)


def root() -> Path:
    return Path(settings.ANALYTICS_DIR)


def events_dir() -> Path:
    return root() / "events"


def quarantine_dir() -> Path:
    return root() / "quarantine"


def day_dir(day: dt.date) -> Path:
    return events_dir() / f"day={day.isoformat()}"


def relative(path: Path) -> str:
    return path.relative_to(root()).as_posix()


def absolute(name: str) -> Path:
    return root() / name


def _day_of(name: str) -> dt.date | None:
    folder = name.split("/")[-2] if name.count("/") >= 2 else ""
    if not folder.startswith("day="):
        return None
    try:
        return dt.date.fromisoformat(folder[4:])
    except ValueError:
        return None


def committed_event_files(
    start: dt.date | None = None, end: dt.date | None = None
) -> list[str]:
    """Absolute paths of the committed event files, optionally of the days start..end inclusive.

    The one way for a reader to list what it may read: files of batches that never
    committed are never returned, even while they still sit on disk.
    """
    batches = IngestBatch.objects.exclude(files=[])
    if start is not None:
        batches = batches.filter(last_day__gte=start)
    if end is not None:
        batches = batches.filter(first_day__lte=end)
    paths: list[str] = []
    for files in batches.order_by("id").values_list("files", flat=True):
        for name in files:
            day = _day_of(name)
            if day is None:
                continue
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            paths.append(str(absolute(name)))
    return paths


def committed_days_files(days: Iterable[dt.date]) -> dict[dt.date, list[str]]:
    """Committed files of exactly these days (the partitions a new batch touches), by day.

    A day without an entry holds no stored event, so a new batch's events of that day need
    no check against the store at all.
    """
    wanted = set(days)
    if not wanted:
        return {}
    by_day: dict[dt.date, list[str]] = {}
    for path in committed_event_files(min(wanted), max(wanted)):
        day = _day_of(relative(Path(path)))
        if day in wanted:
            by_day.setdefault(day, []).append(path)
    return by_day


@contextmanager
def write_lock() -> Iterator[None]:
    """One writer at a time: deduplication against the store is only sound if serialized.

    An OS file lock, so a writer that dies releases it and the next one can clean up.
    """
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / ".ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_uncommitted() -> list[str]:
    """Delete event and quarantine files no committed batch names. Call under write_lock()."""
    known: set[str] = set()
    for files, quarantine in IngestBatch.objects.values_list("files", "quarantine_file"):
        known.update(files)
        if quarantine:
            known.add(quarantine)
    removed: list[str] = []
    for folder in (events_dir(), quarantine_dir()):
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.is_dir():
                continue
            if relative(path) in known:
                continue
            path.unlink(missing_ok=True)
            removed.append(relative(path))
    for path in sorted(events_dir().glob("day=*"), reverse=True) if events_dir().exists() else []:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


_STATISTICS = ("account_id", "event_type", "ts", "value", "line")
_DICTIONARY = ("event_type", "batch_id", "reason")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a whole file or nothing: to a temporary name, then an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    # Snappy, and dictionaries only where values repeat: the ingest rate is mostly this write.
    # Not account_external_id: a day's file holds most accounts about once, so a dictionary
    # saves nothing on disk and costs a seventh of the write. Min/max statistics only where
    # a reader can prune with them: on ids and properties they cost a sixth of the write.
    # Timestamps ascend within a day: delta encoding is both smaller and cheaper than snappy.
    pq.write_table(
        table, temporary, compression="snappy",
        use_dictionary=[n for n in _DICTIONARY if n in table.column_names],
        write_statistics=[n for n in _STATISTICS if n in table.column_names],
        column_encoding={"ts": "DELTA_BINARY_PACKED"} if "ts" in table.column_names else None,
        store_schema=False,
    )
    os.replace(temporary, path)


def read_event_ids(paths: list[str]) -> pa.ChunkedArray:
    """The event_id column of the given files, and nothing else (column projection)."""
    if not paths:
        return pa.chunked_array([], type=pa.string())
    # In this thread: during a file's ingest, Arrow's shared CPU pool is busy decoding the
    # next chunk, and this small read would wait behind it (a third of a second a batch).
    ids = []
    for path in paths:
        with pq.ParquetFile(path) as file:
            ids.append(file.read(columns=["event_id"], use_threads=False).column("event_id"))
    return pa.chunked_array([chunk for column in ids for chunk in column.chunks], pa.string())
