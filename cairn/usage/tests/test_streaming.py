"""Files far larger than a chunk are streamed: memory follows the chunk size, not the file.

Two measures, because Arrow's buffers live outside Python's heap: tracemalloc's peak of
Python allocations during the whole ingest, and the bytes Arrow holds at every chunk
boundary (what would grow if chunks were kept). Both must stay the same for a file four
times larger, each many chunks long.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from cairn.customers.models import Account
from cairn.usage import readers
from cairn.usage.models import IngestBatch

pytestmark = pytest.mark.django_db

CHUNK = 5_000
START_US = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)


def events(rows: int) -> pa.Table:
    # One event a minute, so a chunk spans a few days, as a time-ordered export does.
    ts = START_US + np.arange(rows, dtype=np.int64) * 60_000_000
    return pa.table({
        "account_external_id": pa.array(["acme-1"] * rows),
        "user_id": pa.array([f"user-{n % 50}" for n in range(rows)]),
        "event_type": pa.array([f"feature_{n % 20}" for n in range(rows)]),
        "timestamp": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "value": pa.array(np.arange(rows, dtype=np.float64)),
    })


def measure(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(peak Python bytes, most Arrow bytes held between chunks) while ingesting the file."""
    held: list[int] = []
    real = readers.read_chunks

    def sampled(*args: object, **kwargs: object) -> Iterator[pa.Table]:
        for chunk in real(*args, **kwargs):  # type: ignore[arg-type]
            held.append(pa.total_allocated_bytes())
            yield chunk

    monkeypatch.setattr("cairn.usage.management.commands.ingest.read_chunks", sampled)
    tracemalloc.start()
    try:
        call_command("ingest", "events", str(path), chunk_size=CHUNK, stdout=StringIO())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, max(held)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_file_four_times_larger_than_another_needs_no_more_memory(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # Small CSV blocks, so both files are longer than the reader's read-ahead (32 blocks).
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 64 << 10)
    small, large = tmp_path / f"small.{fmt}", tmp_path / f"large.{fmt}"
    # Both files span many chunks; the large one is four times larger.
    for path, rows in ((small, 16 * CHUNK), (large, 64 * CHUNK)):
        table = events(rows)
        if fmt == "parquet":
            pq.write_table(table, path, row_group_size=CHUNK)
        else:
            pacsv.write_csv(table, path)
    # Warm up imports and caches so the first measure is not inflated by them.
    measure(small, monkeypatch)
    IngestBatch.objects.all().delete()
    small_python, small_arrow = measure(small, monkeypatch)
    large_python, large_arrow = measure(large, monkeypatch)
    assert IngestBatch.objects.filter(source_name__startswith="large").count() == 64
    large_batches = IngestBatch.objects.filter(source_name__startswith="large")
    # The first 80,000 events are the small file's, already stored: duplicates.
    assert sum(b.stored for b in large_batches) == 48 * CHUNK
    assert sum(b.duplicates for b in large_batches) == 16 * CHUNK
    # Four times the rows; the bound allows 50 % noise, far below the 4x of holding the file.
    assert large_python < 1.5 * small_python + 1_000_000, (small_python, large_python)
    assert large_arrow < 1.5 * small_arrow + 1_000_000, (small_arrow, large_arrow)
