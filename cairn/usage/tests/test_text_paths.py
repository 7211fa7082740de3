"""Text rows take one of two routes, and both must store and quarantine exactly alike.

Rows in the plain forms (an ISO timestamp with seconds and a zone, a plain number) are
converted by Arrow kernels; every other row by the DuckDB query, which decides what is
valid. While a file's chunk is written, the next is checked and the one after read, and the
check that an id is new must still see every batch committed before it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.customers.models import Account
from cairn.usage import actions, store
from cairn.usage.models import IngestBatch
from cairn.usage.readers import read_chunks
from cairn.usage.store import committed_event_files

pytestmark = pytest.mark.django_db

HEADER = "event_id,account_external_id,user_id,event_type,timestamp,value\n"


def ingest(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("ingest", "events", str(path), *extra, stdout=out)
    return out.getvalue()


def stored() -> dict[str, dict[str, object]]:
    files = committed_event_files()
    if not files:
        return {}
    return {row["event_id"]: row for row in pq.read_table(files, partitioning=None).to_pylist()}


def quarantined() -> dict[int, dict[str, object]]:
    rows: dict[int, dict[str, object]] = {}
    for batch in IngestBatch.objects.exclude(quarantine_file=""):
        for row in pq.read_table(store.absolute(batch.quarantine_file)).to_pylist():
            rows[row["line"]] = row
    return rows


def at(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, 1, hour, minute, second, micro, tzinfo=dt.UTC)


def test_plain_and_unusual_timestamps_and_numbers_are_stored_as_the_query_reads_them(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "\n".join([
        "e1,acme-1,u1,login,2026-01-01T10:00:00Z,1.5",
        "e2,acme-1,u1,login,2026-01-01T11:00:00+01:00,+2",
        "e3,acme-1,u1,login,2026-01-01 10:00:00.5+0100,.5",
        "e4,acme-1,u1,login,2026-01-01T10:00:00-02,1e3",
        "e5, acme-1 , u1 ,login,  2026-01-01T10:00:00Z ,",  # spaces: trimmed as DuckDB trims
        "e6,acme-1,u1,login,2026-1-01T10:00:00Z,1_000",  # forms only the query reads
        "e7,acme-1,u1,login,2026-01-01T10:00Z,",  # no seconds: refused by the query
        "e8,acme-1,u1,login,2026-01-01T10:00:00Z,inf",
        "e9,acme-1,u1,login,2026-01-01T10:00:00Z,1e999",
        "e10,acme-1,u1,NA,2026-01-01T10:00:00Z,NaN",
    ]) + "\n")
    assert "10 received, 6 stored, 0 duplicate(s), 4 quarantined" in ingest(path)
    rows = stored()
    assert {key: (row["ts"], row["value"]) for key, row in rows.items()} == {
        "e1": (at(10), 1.5),
        "e2": (at(10), 2.0),
        "e3": (at(9, micro=500_000), 0.5),
        "e4": (at(12), 1000.0),
        "e5": (at(10), None),
        "e6": (at(10), 1000.0),
    }
    assert (rows["e5"]["account_external_id"], rows["e5"]["user_id"]) == ("acme-1", "u1")
    kept = quarantined()
    assert {line: row["reason"] for line, row in kept.items()} == {
        8: "timestamp: not an ISO 8601 date-time",
        9: "value: not a number",
        10: "value: not a number",
        11: "value: not a number",
    }
    # "NA" is an event type and "NaN" a value that is not a number: neither is "missing".
    assert (kept[11]["event_type"], kept[11]["value"]) == ("NA", "NaN")


def test_in_a_column_arrow_parses_whole_a_time_without_seconds_is_still_refused(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    # Every timestamp and value here parses in Arrow, so the whole-column route is taken.
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "e1,acme-1,u1,login,2026-01-01T10:00:00Z,1\n"
                             "e2,acme-1,u1,login,2026-01-01T10:00Z,2\n"
                             "e3,acme-1,u1,login,2026-01-01T10:00:00+01,inf\n")
    assert "3 received, 1 stored, 0 duplicate(s), 2 quarantined" in ingest(path)
    assert list(stored()) == ["e1"]
    assert {line: row["reason"] for line, row in quarantined().items()} == {
        3: "timestamp: not an ISO 8601 date-time",
        4: "value: not a number",
    }
    assert quarantined()[4]["timestamp"] == "2026-01-01T10:00:00+01"


def test_a_date_that_does_not_exist_is_quarantined_and_the_rest_of_its_chunk_stored(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "e1,acme-1,u1,login,2025-02-29T10:00:00Z,\n"
                             "e2,acme-1,u1,login,2025-02-28T10:00:00Z,\n")
    assert "2 received, 1 stored, 0 duplicate(s), 1 quarantined" in ingest(path)
    assert list(stored()) == ["e2"]
    assert quarantined()[2]["reason"] == "timestamp: not an ISO 8601 date-time"


def test_a_repeated_id_keeps_the_first_line_whichever_route_each_row_took(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "e1,acme-1,u1,first,2026-01-01T10:00:00Z,1_000\n"  # the query's
                             "e1,acme-1,u1,second,2026-01-01T10:00:00Z,1\n")  # Arrow's
    assert "2 received, 1 stored, 1 duplicate(s)" in ingest(path)
    assert stored()["e1"]["event_type"] == "first"


def test_a_chunk_read_ahead_is_still_checked_against_the_batch_committed_before_it(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    body = "".join(f"e{n},acme-1,u1,login,2026-01-01T10:{n:02d}:00Z,\n" for n in range(10))
    path = tmp_path / "events.csv"
    # The second and third chunks repeat the first: the third is read while the first is
    # written and checked while the second is.
    path.write_text(HEADER + body * 3)
    output = ingest(path, "--chunk-size", "10")
    assert "30 received, 10 stored, 20 duplicate(s), 0 quarantined in 3 batch(es)" in output
    assert [b.duplicates for b in IngestBatch.objects.order_by("id")] == [0, 10, 10]
    assert len(stored()) == 10


def test_a_check_failing_on_a_later_chunk_quarantines_that_chunk_and_the_file_goes_on(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = actions._prepare
    calls: list[int] = []

    def failing_second(chunk: pa.Table, index: actions.AccountIndex) -> actions._Prepared:
        calls.append(chunk.num_rows)
        if len(calls) == 2:
            raise RuntimeError("disk full while checking")
        return real(chunk, index)

    monkeypatch.setattr(actions, "_prepare", failing_second)
    rows = "".join(f"e{n},acme-1,u1,login,2026-01-01T10:{n % 60:02d}:00Z,\n" for n in range(40))
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows)
    ingest(path, "--chunk-size", "10")
    batches = IngestBatch.objects.order_by("id")
    assert [(b.stored, b.quarantined) for b in batches] == [(10, 0), (0, 10), (10, 0), (10, 0)]
    assert batches[1].quarantine_reasons == {actions.CHUNK_REFUSED: 10}
    assert len(stored()) == 30
    assert not [t for t in threading.enumerate() if t.name.startswith(("cairn-read", "cairn-check"))]


def test_a_commit_failing_on_a_later_chunk_keeps_the_batches_before_it_and_stops_the_workers(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = actions._commit_batch

    def failing_second(prepared: actions._Prepared, **kwargs: object) -> IngestBatch:
        if IngestBatch.objects.count() == 1:
            raise RuntimeError("database went away")
        return real(prepared, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "_commit_batch", failing_second)
    rows = "".join(f"e{n},acme-1,u1,login,2026-01-01T10:{n % 60:02d}:00Z,\n" for n in range(40))
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows)
    with pytest.raises(CommandError, match=re.escape("stopped at part 2 (RuntimeError: database went away); part 1 is stored")):
        ingest(path, "--chunk-size", "10")
    assert [b.stored for b in IngestBatch.objects.all()] == [10]
    assert len(stored()) == 10
    assert not [t for t in threading.enumerate() if t.name.startswith(("cairn-read", "cairn-check"))]


def test_a_file_unreadable_after_its_first_chunks_keeps_the_batches_already_committed(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cairn.usage.readers.CSV_BLOCK_BYTES", 1 << 10)
    rows = "".join(f"e{n},acme-1,u1,login,2026-01-01T10:00:{n % 60:02d}Z,\n" for n in range(100))
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows + "e-bad,acme-1,too,many,columns,here,oops\n")
    with pytest.raises(CommandError, match="cannot be read as CSV after line"):
        ingest(path, "--chunk-size", "20")
    batches = list(IngestBatch.objects.all())
    assert batches and all(batch.stored == 20 for batch in batches)
    assert len(stored()) == 20 * len(batches)


def test_when_hashes_cannot_prove_ids_distinct_the_exact_check_keeps_each_first_event(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if two different ids had the same 64-bit hash: only the exact path may decide.
    monkeypatch.setattr(actions, "_ids_are_unique", lambda events: False)
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "e1,acme-1,u1,a,2026-01-01T10:00:00Z,\n"
                             "e2,acme-1,u1,b,2026-01-01T10:00:00Z,\n"
                             "e1,acme-1,u1,c,2026-01-01T10:00:00Z,\n")
    assert "3 received, 2 stored, 1 duplicate(s)" in ingest(path)
    assert {key: row["event_type"] for key, row in stored().items()} == {"e1": "a", "e2": "b"}


def test_a_typed_parquet_field_of_only_whitespace_is_missing(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.parquet"
    moment = pa.array([at(10)] * 3, pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({
        "event_id": ["e1", " ", "e3"],
        "account_external_id": ["acme-1", "acme-1", "acme-1"],
        "user_id": ["u1", "u2", " \t"],
        "event_type": ["login", "login", "login"],
        "timestamp": moment,
    }), path)
    assert "3 received, 2 stored, 0 duplicate(s), 1 quarantined" in ingest(path)
    assert IngestBatch.objects.get().quarantine_reasons == {"user_id: missing": 1}
    ids = sorted(stored())
    # A blank id is no id: Cairn derives one from the event's content.
    assert ids[0] == "e1" and len(ids[1]) == 32


def test_parquet_account_ids_read_as_a_dictionary_are_looked_up_checked_and_quarantined(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.parquet"
    names = ["acme-1", "globex-1", "nobody-9", " ", None, "acme-1"] * 100
    pq.write_table(pa.table({
        "event_id": [f"e{n}" for n in range(600)],
        "account": names,  # an accepted alias
        "user_id": ["u1"] * 600,
        "event_type": ["login"] * 600,
        "timestamp": pa.array([at(10, n % 60) for n in range(600)], pa.timestamp("us", tz="UTC")),
    }), path, row_group_size=200)  # three dictionaries, and chunks that span them
    first = next(read_chunks(path, "parquet", 300))
    assert pa.types.is_dictionary(first.column("account_external_id").type)

    out = ingest(path, "--chunk-size", "300")
    assert "600 received, 300 stored, 0 duplicate(s), 300 quarantined" in out
    acme, globex = accounts["acme"].pk, accounts["globex"].pk
    assert {key: row["account_id"] for key, row in stored().items()} == {
        f"e{n}": acme if n % 6 in (0, 5) else globex for n in range(600) if n % 6 in (0, 1, 5)
    }
    files = committed_event_files()
    assert pq.read_table(files, partitioning=None).schema.equals(store.EVENT_SCHEMA)
    assert [b.received for b in IngestBatch.objects.order_by("id")] == [300, 300]
    expected = {
        2: ("nobody-9", "account_external_id: unknown account"),
        3: (" ", "account_external_id: missing"),
        4: (None, "account_external_id: missing"),
    }
    kept = quarantined()
    assert {line: (row["account_external_id"], row["reason"]) for line, row in kept.items()} == {
        n + 1: expected[n % 6] for n in range(600) if n % 6 in expected
    }


def test_parquet_account_ids_whose_dictionary_overflowed_are_read_plainly(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    # 400 ids, ten times each: within a dictionary page of the default size they stay a
    # dictionary. A writer whose dictionary page fills up writes the rest of the column
    # plainly, and read as a dictionary each of those values would be hashed: the same ids
    # are then read as text.
    names = [f"unknown-{n:05d}" for n in range(400)] * 10 + ["acme-1", "globex-1"]
    table = pa.table({
        "event_id": [f"e{n}" for n in range(len(names))],
        "account_external_id": names,
        "user_id": ["u1"] * len(names),
        "event_type": ["login"] * len(names),
        "timestamp": pa.array([at(10)] * len(names), pa.timestamp("us", tz="UTC")),
    })
    roomy, overflowed = tmp_path / "roomy.parquet", tmp_path / "overflowed.parquet"
    pq.write_table(table, roomy)
    pq.write_table(table, overflowed, dictionary_pagesize_limit=4096)
    first = next(read_chunks(roomy, "parquet"))
    assert pa.types.is_dictionary(first.column("account_external_id").type)
    assert next(read_chunks(overflowed, "parquet")).column("account_external_id").type == pa.string()

    assert "4002 received, 2 stored, 0 duplicate(s), 4000 quarantined" in ingest(overflowed)
    assert {key: row["account_id"] for key, row in stored().items()} == {
        "e4000": accounts["acme"].pk, "e4001": accounts["globex"].pk,
    }


def test_two_columns_for_one_field_are_refused_by_name(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text("account,account_external_id,user_id,event_type,timestamp\n"
                    "acme-1,globex-1,u1,login,2026-01-01T10:00:00Z\n")
    with pytest.raises(CommandError, match=(
        "Columns 'account' and 'account_external_id' are both account_external_id: keep one"
    )):
        ingest(path)
    assert not IngestBatch.objects.exists() and not stored()


def test_the_same_events_from_parquet_and_csv_without_ids_get_the_same_derived_ids(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    parquet = tmp_path / "events.parquet"
    pq.write_table(pa.table({
        "account_external_id": ["acme-1", "globex-1"],
        "user_id": ["u1", "u2"],
        "event_type": ["login", "export"],
        "timestamp": pa.array([at(10), at(11)], pa.timestamp("us", tz="UTC")),
        "value": [None, 2.5],
    }), parquet)
    csv = tmp_path / "events.csv"
    csv.write_text("account_external_id,user_id,event_type,timestamp,value\n"
                   "acme-1,u1,login,2026-01-01T10:00:00Z,\n"
                   "globex-1,u2,export,2026-01-01T12:00:00+01:00,2.5\n")
    assert "2 received, 2 stored" in ingest(parquet)
    assert "2 received, 0 stored, 2 duplicate(s)" in ingest(csv)
