"""`cairn ingest events FILE`: day partitions, atomic batches, no double counting, quarantine."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.customers.models import Account
from cairn.usage import store
from cairn.usage.models import IngestBatch
from cairn.usage.store import committed_event_files

pytestmark = pytest.mark.django_db

HEADER = "account_external_id,user_id,event_type,timestamp,value,properties\n"


def ingest(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("ingest", "events", str(path), *extra, stdout=out)
    return out.getvalue()


def stored_events() -> pa.Table:
    files = committed_event_files()
    if not files:
        return store.EVENT_SCHEMA.empty_table()
    return pq.read_table(files, partitioning=None)


def csv_file(tmp_path: Path, body: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_events_are_stored_in_utc_day_partitions_with_the_documented_columns(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        "acme-1,u1,login,2026-01-01T23:30:00-02:00,,\n"  # 01:30 on 2 Jan in UTC
        "globex-1,u2,export,2026-01-01T10:00:00Z,3.5,\"{\"\"rows\"\": 10}\"\n",
    )
    output = ingest(path)
    assert "2 received, 2 stored, 0 duplicate(s), 0 quarantined" in output
    files = committed_event_files()
    assert sorted(Path(f).parent.name for f in files) == ["day=2026-01-01", "day=2026-01-02"]
    batch = IngestBatch.objects.get()
    assert all(Path(f).name.startswith(f"{batch.batch_id}-") for f in files)
    table = stored_events()
    assert table.schema.names == store.EVENT_SCHEMA.names
    rows = {row["user_id"]: row for row in table.to_pylist()}
    assert rows["u1"]["account_id"] == accounts["acme"].pk
    assert rows["u1"]["ts"] == dt.datetime(2026, 1, 2, 1, 30, tzinfo=dt.UTC)
    assert rows["u2"]["value"] == 3.5 and json.loads(rows["u2"]["properties"]) == {"rows": 10}
    assert rows["u2"]["batch_id"] == batch.batch_id


def test_committed_event_files_can_be_limited_to_a_day_range(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    ingest(csv_file(tmp_path, "".join(
        f"acme-1,u1,login,2026-01-0{day}T10:00:00Z,,\n" for day in range(1, 6)
    )))
    chosen = committed_event_files(dt.date(2026, 1, 2), dt.date(2026, 1, 3))
    assert sorted(Path(f).parent.name for f in chosen) == ["day=2026-01-02", "day=2026-01-03"]
    assert all(Path(f).is_absolute() for f in chosen)


def test_ingesting_the_same_file_twice_counts_every_event_once(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "acme-1,u1,login,2026-01-01T10:00:00Z,,\n"
                              "acme-1,u1,login,2026-01-01T10:00:00Z,,\n"  # two logins that second
                              "acme-1,u2,login,2026-01-01T11:00:00Z,,\n")
    assert "3 received, 3 stored, 0 duplicate(s)" in ingest(path)
    assert "3 received, 0 stored, 3 duplicate(s)" in ingest(path)
    assert stored_events().num_rows == 3


def test_the_same_events_in_another_format_and_batch_are_duplicates(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    ingest(csv_file(tmp_path, "acme-1,u1,login,2026-01-01T10:00:00Z,2,\"{\"\"a\"\":1}\"\n"))
    jsonl = tmp_path / "same.jsonl"
    jsonl.write_text(json.dumps({
        "account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
        "timestamp": "2026-01-01T11:00:00+01:00", "value": 2.0, "properties": {"a": 1},
    }) + "\n")
    assert "1 received, 0 stored, 1 duplicate(s)" in ingest(jsonl)


def test_a_client_event_id_is_unique_across_the_store(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    header = "event_id,account_external_id,user_id,event_type,timestamp\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "e-1,acme-1,u1,login,2026-01-01T10:00:00Z\n")
    # Same id, different content (a client's retry with a corrected field): still one event.
    second.write_text(header + "e-1,acme-1,u1,logout,2026-01-01T10:05:00Z\n"
                               "e-2,acme-1,u1,logout,2026-01-01T10:05:00Z\n")
    ingest(first)
    assert "2 received, 1 stored, 1 duplicate(s)" in ingest(second)
    assert sorted(stored_events().column("event_id").to_pylist()) == ["e-1", "e-2"]


def test_invalid_rows_are_quarantined_with_a_reason_naming_the_field(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        "acme-1,u1,login,2026-01-01T10:00:00Z,,\n"
        "nobody-9,u1,login,2026-01-01T10:00:00Z,,\n"
        ",u1,login,2026-01-01T10:00:00Z,,\n"
        "acme-1,,login,2026-01-01T10:00:00Z,,\n"
        "acme-1,u1,,2026-01-01T10:00:00Z,,\n"
        "acme-1,u1,login,,,\n"
        "acme-1,u1,login,yesterday,,\n"
        "acme-1,u1,login,2026-01-01T10:00:00,,\n"
        "acme-1,u1,login,2026-01-01T10:00:00Z,lots,\n"
        "acme-1,u1,login,2026-01-01T10:00:00Z,,[1]\n",
    )
    ingest(path)
    batch = IngestBatch.objects.get()
    assert (batch.received, batch.stored, batch.duplicates, batch.quarantined) == (10, 1, 0, 9)
    assert batch.quarantine_reasons == {
        "account_external_id: unknown account": 1,
        "account_external_id: missing": 1,
        "user_id: missing": 1,
        "event_type: missing": 1,
        "timestamp: missing": 1,
        "timestamp: not an ISO 8601 date-time": 1,
        "timestamp: no time zone": 1,
        "value: not a number": 1,
        "properties: not a JSON object": 1,
    }
    kept = pq.read_table(store.absolute(batch.quarantine_file)).to_pylist()
    by_line = {row["line"]: row for row in kept}
    assert by_line[3]["account_external_id"] == "nobody-9"
    assert by_line[9]["timestamp"] == "2026-01-01T10:00:00"
    assert by_line[9]["reason"] == "timestamp: no time zone"
    assert by_line[10]["value"] == "lots"


def test_a_file_without_a_required_column_is_refused_naming_it(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("account_external_id,user_id,timestamp\nacme-1,u1,2026-01-01T10:00:00Z\n")
    with pytest.raises(CommandError, match="Missing column\\(s\\): event_type"):
        ingest(path)
    assert not IngestBatch.objects.exists()


def test_parquet_with_typed_columns_is_stored_and_a_naive_timestamp_column_is_quarantined(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    aware, naive = tmp_path / "aware.parquet", tmp_path / "naive.parquet"
    base = {
        "account_external_id": ["acme-1", "acme-1"], "user_id": [7, 8],
        "event_type": ["login", "login"], "value": [1.0, None],
    }
    moment = [dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 11, tzinfo=dt.UTC)]
    pq.write_table(pa.table({**base, "timestamp": pa.array(moment, pa.timestamp("us", tz="UTC"))}),
                   aware)
    pq.write_table(pa.table({**base, "ts": pa.array([m.replace(tzinfo=None) for m in moment],
                                                    pa.timestamp("us"))}), naive)
    assert "2 received, 2 stored" in ingest(aware)
    assert stored_events().column("user_id").to_pylist() == ["7", "8"]
    assert "2 received, 0 stored, 0 duplicate(s), 2 quarantined" in ingest(naive)
    assert IngestBatch.objects.latest("id").quarantine_reasons == {"timestamp: no time zone": 2}


def test_a_json_line_that_is_not_an_object_is_quarantined_with_its_text(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"account": "acme-1", "user": "u1", "type": "login", '
                    '"ts": "2026-01-01T10:00:00Z"}\n[1, 2]\n\n{broken\n')
    assert "3 received, 1 stored, 0 duplicate(s), 2 quarantined" in ingest(path)
    batch = IngestBatch.objects.get()
    assert batch.quarantine_reasons == {"line: not a JSON object": 2}
    kept = pq.read_table(store.absolute(batch.quarantine_file)).to_pylist()
    assert [(row["line"], row["properties"]) for row in kept] == [(2, "[1, 2]"), (4, "{broken")]


def test_replay_stores_quarantined_events_once_their_account_exists(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    ingest(csv_file(tmp_path, "initech-7,u1,login,2026-01-01T10:00:00Z,,\n"
                              "acme-1,u1,login,2026-01-01T10:00:00,,\n"))
    first = IngestBatch.objects.get()
    out = StringIO()
    call_command("ingest", "replay", stdout=out)
    assert "0 stored, 2 still quarantined" in out.getvalue()
    Account.objects.create(name="Initech", external_id="initech-7")
    out = StringIO()
    call_command("ingest", "replay", stdout=out)
    assert "1 stored, 1 still quarantined" in out.getvalue()
    assert stored_events().column("account_external_id").to_pylist() == ["initech-7"]
    open_batches = IngestBatch.objects.filter(quarantine_open=True)
    assert [b.quarantine_reasons for b in open_batches] == [{"timestamp: no time zone": 1}]
    first.refresh_from_db()
    assert not first.quarantine_open and first.quarantine_file == ""
    # Only the open quarantine remains on disk.
    assert [p.name for p in store.quarantine_dir().iterdir()] == [
        f"{open_batches[0].batch_id}.parquet"
    ]
    for batch in IngestBatch.objects.all():
        assert batch.received == batch.stored + batch.duplicates + batch.quarantined


def test_a_writer_failing_after_the_first_file_leaves_nothing_visible(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_file(tmp_path, "".join(
        f"acme-1,u1,login,2026-01-0{day}T10:00:00Z,,\n" for day in range(1, 6)
    ))
    real_write = store.write_parquet
    calls: list[Path] = []

    def write_then_crash(table: pa.Table, target: Path) -> None:
        calls.append(target)
        if len(calls) > 1:
            raise OSError("disk full")
        real_write(table, target)

    monkeypatch.setattr(store, "write_parquet", write_then_crash)
    monkeypatch.setattr("cairn.usage.actions.WRITERS", 1)
    # The process dies before it can tidy up: simulate by keeping its files.
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)
    with pytest.raises(CommandError, match=re.escape("stopped at part 1 (OSError: disk full); nothing was stored")):
        ingest(path)
    monkeypatch.undo()
    assert not IngestBatch.objects.exists()
    assert committed_event_files() == []
    leftovers = list(store.events_dir().rglob("*.parquet"))
    assert len(leftovers) == 1  # the first file was written, but is not visible
    # The next ingest removes the leftover and stores the batch whole.
    assert "5 received, 5 stored" in ingest(path)
    assert leftovers[0].exists() is False
    assert stored_events().num_rows == 5
    assert len(list(store.events_dir().rglob("*.parquet"))) == 5


def test_a_database_failure_at_commit_leaves_no_files(
    accounts: dict[str, Account], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(IngestBatch.objects, "create", refuse)
    with pytest.raises(CommandError, match="database went away"):
        ingest(csv_file(tmp_path, "acme-1,u1,login,2026-01-01T10:00:00Z,,\nnobody,u,x,"
                                  "2026-01-01T10:00:00Z,,\n"))
    assert list(store.root().rglob("*.parquet")) == []
