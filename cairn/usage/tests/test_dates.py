"""Moments out of range (issue 13, finding 3): events before 1970 or past the horizon are
quarantined naming `timestamp`, tickets and answers refused naming their field, and a file
ingest never stops half-way in a way a rerun cannot finish."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from cairn.cli import main
from cairn.customers.models import Account
from cairn.usage import actions
from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse
from cairn.usage.store import absolute, committed_event_files, events_dir

pytestmark = pytest.mark.django_db

FUTURE = "timestamp: in the future (more than 2 day(s) ahead of now)"
EARLY = "timestamp: before 1970-01-01"
ROWS = [  # (timestamp, where it goes)
    ("2026-01-01T10:00:00Z", None),
    ("9999-12-31T23:59:59-01:00", FUTURE),  # year 10000 in UTC
    ("0001-01-01T00:00:00Z", EARLY),
    ("2026-01-02T10:00:00Z", None),
    ("1969-12-31T23:59:59+00:00", EARLY),
    ("2026-01-03T10:00:00Z", None),
]


def stored_days() -> list[str]:
    return sorted({Path(name).parent.name for name in committed_event_files()})


def write_events(tmp_path: Path, fmt: str, timestamps: list[str]) -> Path:
    rows = [{"account_external_id": "acme-1", "user_id": f"u{n}", "event_type": "login",
             "timestamp": ts} for n, ts in enumerate(timestamps)]
    path = tmp_path / f"events.{fmt}"
    if fmt == "csv":
        lines = ["account_external_id,user_id,event_type,timestamp"]
        lines += [f"{r['account_external_id']},{r['user_id']},{r['event_type']},{r['timestamp']}" for r in rows]
        path.write_text("\n".join(lines) + "\n")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`cairn ...` through the command's entry point; its exit status."""
    # The command closes the connections when it ends; the test keeps its transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        main(["cairn", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_finding_3_events_past_year_9999_or_before_1970_are_quarantined_by_the_api(
    accounts: dict[str, Account], as_adam: Client
) -> None:
    body = {"events": [{"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
                        "timestamp": ts} for ts, _ in ROWS]}
    response = as_adam.post("/api/v1/usage/events", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["stored"], data["quarantined"]) == (3, 3)
    assert data["quarantine_reasons"] == {FUTURE: 1, EARLY: 2}
    assert stored_days() == ["day=2026-01-01", "day=2026-01-02", "day=2026-01-03"]
    quarantine = pq.read_table(absolute(IngestBatch.objects.get().quarantine_file))
    # The quarantine keeps what was sent, so a fixed sender's replay reads the same text.
    assert sorted(quarantine.column("timestamp").to_pylist()) == sorted(ts for ts, why in ROWS if why)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_finding_3_cairn_ingest_loads_the_whole_file_around_out_of_range_timestamps(
    accounts: dict[str, Account], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, fmt: str,
) -> None:
    # Two rows a chunk: the year-10000 row is in the first, so the old code crashed after
    # nothing and every rerun crashed at the same place.
    path = write_events(tmp_path, fmt, [ts for ts, _ in ROWS])
    assert cli(monkeypatch, "ingest", "events", str(path), "--chunk-size", "2") == 0
    out = capsys.readouterr().out
    assert "6 received, 3 stored, 0 duplicate(s), 3 quarantined in 3 batch(es)" in out
    assert f"quarantined 1: {FUTURE}" in out
    assert stored_days() == ["day=2026-01-01", "day=2026-01-02", "day=2026-01-03"]
    assert cli(monkeypatch, "ingest", "events", str(path), "--chunk-size", "2") == 0
    assert "6 received, 0 stored, 3 duplicate(s), 3 quarantined" in capsys.readouterr().out


def test_a_parquet_moment_microseconds_cannot_hold_is_quarantined(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "account_external_id": ["acme-1", "acme-1"], "user_id": ["u1", "u2"],
        "event_type": ["login", "login"],
        "timestamp": pa.array([1_767_261_600, 10**13], pa.timestamp("s", tz="UTC")),
    }), path)
    out = StringIO()
    call_command("ingest", "events", str(path), stdout=out)
    assert "2 received, 1 stored, 0 duplicate(s), 1 quarantined" in out.getvalue()
    assert "quarantined 1: timestamp: not an ISO 8601 date-time" in out.getvalue()


def test_the_future_horizon_is_a_setting(
    accounts: dict[str, Account], as_adam: Client, settings: Any
) -> None:
    soon = (timezone.now() + dt.timedelta(days=10)).isoformat()
    body = {"events": [{"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
                        "timestamp": soon}]}
    refused = as_adam.post("/api/v1/usage/events", body, content_type="application/json").json()
    assert refused["quarantine_reasons"] == {FUTURE: 1}
    settings.EVENT_FUTURE_DAYS = 30
    body["events"][0]["user_id"] = "u2"
    assert as_adam.post("/api/v1/usage/events", body, content_type="application/json").json()["stored"] == 1


def test_a_chunk_that_cannot_be_checked_is_quarantined_whole_and_the_file_goes_on(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = write_events(tmp_path, "csv", [f"2026-01-0{n}T10:00:00Z" for n in range(1, 7)])
    real = actions._prepare
    calls: list[int] = []

    def failing_second(chunk: pa.Table, index: actions.AccountIndex) -> Any:
        calls.append(chunk.num_rows)
        if len(calls) == 2:
            raise RuntimeError("a bug in a check")
        return real(chunk, index)

    out = StringIO()
    with mock.patch.object(actions, "_prepare", failing_second):
        call_command("ingest", "events", str(path), "--chunk-size", "2", stdout=out)
    assert "6 received, 4 stored, 0 duplicate(s), 2 quarantined in 3 batch(es)" in out.getvalue()
    assert f"quarantined 2: {actions.CHUNK_REFUSED}" in out.getvalue()
    # Once the cause is gone, the replay stores the quarantined part: nothing is lost.
    call_command("ingest", "replay", stdout=StringIO())
    assert len(stored_days()) == 6


def test_finding_3_an_ingest_stopped_part_way_says_so_and_a_rerun_completes(
    accounts: dict[str, Account], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_events(tmp_path, "jsonl", [f"2026-01-0{n}T10:00:00Z" for n in range(1, 7)])
    real = actions._commit_batch

    def disk_full_at_part_2(prepared: Any, **kwargs: Any) -> IngestBatch:
        if IngestBatch.objects.count() == 1:
            raise OSError(28, "No space left on device")
        return real(prepared, **kwargs)

    with mock.patch.object(actions, "_commit_batch", disk_full_at_part_2):
        status = cli(monkeypatch, "ingest", "events", str(path), "--chunk-size", "2")
    err = capsys.readouterr().err
    assert status == 1
    assert "stopped at part 2 (OSError: [Errno 28] No space left on device); part 1 is stored" in err
    assert "Traceback" not in err
    assert IngestBatch.objects.count() == 1
    assert cli(monkeypatch, "ingest", "events", str(path), "--chunk-size", "2") == 0
    assert "6 received, 4 stored, 2 duplicate(s), 0 quarantined" in capsys.readouterr().out
    assert len(stored_days()) == 6


def test_a_json_line_nested_too_deep_is_quarantined_not_a_crash(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n" + json.dumps(
        {"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
         "timestamp": "2026-01-01T10:00:00Z"}) + "\n")
    out = StringIO()
    call_command("ingest", "events", str(path), stdout=out)
    assert "2 received, 1 stored, 0 duplicate(s), 1 quarantined" in out.getvalue()


def test_no_day_folder_outside_the_range_is_ever_written(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = write_events(tmp_path, "csv", [ts for ts, _ in ROWS])
    call_command("ingest", "events", str(path), stdout=StringIO())
    assert sorted(p.name for p in events_dir().iterdir()) == [
        "day=2026-01-01", "day=2026-01-02", "day=2026-01-03"
    ]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                                    "1969-07-20T20:17:00Z", "2999-01-01T00:00:00Z",
                                    # A year ahead: a file refused it, the API took it.
                                    f"{dt.date.today().year + 1}-12-01T00:00:00Z"])
def test_finding_3_a_ticket_or_answer_out_of_range_is_refused_naming_the_field(
    accounts: dict[str, Account], as_adam: Client, moment: str
) -> None:
    tickets = as_adam.post("/api/v1/usage/tickets", {"tickets": [
        {"external_id": "T-1", "account": "acme-1", "opened_at": moment}]},
        content_type="application/json")
    assert tickets.status_code == 400, tickets.content
    assert [e["field"] for e in tickets.json()["errors"]] == ["tickets.0.opened_at"]
    surveys = as_adam.post("/api/v1/usage/surveys", {"surveys": [
        {"external_id": "S-1", "account": "acme-1", "score": 9, "answered_at": moment}]},
        content_type="application/json")
    assert surveys.status_code == 400, surveys.content
    assert [e["field"] for e in surveys.json()["errors"]] == ["surveys.0.answered_at"]
    assert not SupportTicket.objects.exists() and not SurveyResponse.objects.exists()


def test_a_ticket_file_with_a_year_10000_date_names_the_line_and_field(
    accounts: dict[str, Account], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("external_id,account,opened_at\nT-1,acme-1,2026-01-01T10:00:00Z\n"
                    "T-2,acme-1,9999-12-31T23:59:59-01:00\n")
    assert cli(monkeypatch, "ingest", "tickets", str(path)) == 1
    err = capsys.readouterr().err
    assert 'line 3, field "opened_at": Enter a moment from 1970-01-01 to now' in err
    assert "Traceback" not in err and not SupportTicket.objects.exists()
