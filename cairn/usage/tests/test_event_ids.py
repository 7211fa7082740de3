"""Events without an `event_id`: the id comes from all their columns and, for a row repeating
an earlier one field for field, its number among the repeats. Genuine repeats in one file are
all stored; the same file, or the same events in another file, are stored once."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from cairn.customers.models import Account
from cairn.usage import store
from cairn.usage.store import committed_event_files
from cairn.usage.validation import check

pytestmark = pytest.mark.django_db

HEADER = "account_external_id,user_id,event_type,timestamp,value,properties\n"
CLICK = "acme-1,u1,click,2026-01-01T10:00:00Z,1,\n"


def ingest(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("ingest", "events", str(path), *extra, stdout=out)
    return out.getvalue()


def stored_ids() -> list[str]:
    files = committed_event_files()
    if not files:
        return []
    return sorted(pq.read_table(files, partitioning=None).column("event_id").to_pylist())


def test_two_identical_rows_in_one_file_are_both_stored(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "clicks.csv"
    path.write_text(HEADER + CLICK + CLICK + CLICK)
    assert "3 received, 3 stored, 0 duplicate(s)" in ingest(path)
    assert len(set(stored_ids())) == 3


def test_the_same_file_ingested_twice_stores_its_repeats_once(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "clicks.csv"
    path.write_text(HEADER + CLICK + "acme-1,u2,click,2026-01-01T10:00:00Z,1,\n" + CLICK)
    ingest(path)
    first = stored_ids()
    assert "3 received, 0 stored, 3 duplicate(s)" in ingest(path)
    assert stored_ids() == first


def test_the_same_repeats_in_another_format_are_duplicates(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    csv = tmp_path / "clicks.csv"
    csv.write_text(HEADER + CLICK + CLICK)
    ingest(csv)
    jsonl = tmp_path / "clicks.jsonl"
    record = {"account_external_id": "acme-1", "user_id": "u1", "event_type": "click",
              "timestamp": "2026-01-01T11:00:00+01:00", "value": 1}
    # A blank line and a different event first: the place among repeats counts, not the line.
    other = dict(record, user_id="u2")
    jsonl.write_text("\n" + json.dumps(other) + "\n" + (json.dumps(record) + "\n") * 2)
    assert "3 received, 1 stored, 2 duplicate(s)" in ingest(jsonl)
    # A third click of that second in a later export is a new event.
    jsonl.write_text((json.dumps(record) + "\n") * 3)
    assert "3 received, 1 stored, 2 duplicate(s)" in ingest(jsonl)
    assert len(stored_ids()) == 4


def test_a_typed_parquet_file_numbers_its_repeats_as_text_files_do(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    csv = tmp_path / "clicks.csv"
    csv.write_text(HEADER + CLICK + CLICK)
    ingest(csv)
    parquet = tmp_path / "clicks.parquet"
    moment = pa.scalar(1767261600_000_000, pa.timestamp("us", tz="UTC"))  # 2026-01-01 10:00Z
    pq.write_table(pa.table({
        "account_external_id": ["acme-1"] * 3, "user_id": ["u1"] * 3, "event_type": ["click"] * 3,
        "timestamp": pa.array([moment.value] * 3, moment.type), "value": [1.0] * 3,
    }), parquet)
    assert "3 received, 1 stored, 2 duplicate(s)" in ingest(parquet)


def test_a_client_event_id_is_kept_and_not_counted_among_repeats() -> None:
    rows = [
        {"event_id": "e-1"}, {"event_id": None}, {"event_id": None}, {"event_id": "e-2"},
    ]
    columns: dict[str, list[str | None]] = {
        "account_external_id": ["acme-1"] * 4, "user_id": ["u1"] * 4,
        "event_type": ["click"] * 4, "timestamp": ["2026-01-01T10:00:00Z"] * 4,
        "event_id": [r["event_id"] for r in rows],
    }
    table = pa.table({**{k: pa.array(v, pa.string()) for k, v in columns.items()},
                      "line": pa.array([2, 3, 4, 5], pa.int64())})
    ids = check(table).events.column("event_id").to_pylist()
    assert ids[0] == "e-1" and ids[3] == "e-2"
    assert ids[1] != ids[2] and len(ids[1]) == len(ids[2]) == 32
    # Alone, the row gets the id the first of the repeats got.
    assert check(table.slice(1, 1)).events.column("event_id").to_pylist() == [ids[1]]


def test_repeats_keep_their_ids_whatever_the_chunk_size_when_they_share_a_chunk(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "clicks.csv"
    path.write_text(HEADER + CLICK * 2 + "acme-1,u2,click,2026-01-01T10:00:00Z,1,\n" * 2)
    ingest(path, "--chunk-size", "2")
    assert len(stored_ids()) == 4
    assert "4 received, 0 stored, 4 duplicate(s)" in ingest(path)
    assert store.EVENT_SCHEMA.field("event_id").type == pa.string()
