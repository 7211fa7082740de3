"""`cairn ingest tickets|surveys FILE`: upsert by external id, bad rows by line and field."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.customers.models import Account
from cairn.usage.models import SupportTicket, SurveyResponse

pytestmark = pytest.mark.django_db

TICKETS = "external_id,account,subject,priority,status,opened_at,closed_at\n"


def run(kind: str, path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest", kind, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_tickets_are_created_then_updated_from_a_csv_file(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS + "T-1,acme-1,Export fails,high,open,2026-01-01T10:00:00Z,\n")
    assert "1 ticket(s) created, 0 updated." in run("tickets", path)[0]
    path.write_text(TICKETS + "T-1,acme-1,Export fails,high,solved,2026-01-01T10:00:00Z,"
                              "2026-01-03T10:00:00+01:00\n")
    assert "0 ticket(s) created, 1 updated." in run("tickets", path)[0]
    assert SupportTicket.objects.get().status == "solved"


def test_every_bad_ticket_row_is_reported_by_line_and_field_and_nothing_is_saved(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        TICKETS
        + "T-1,acme-1,Fine,low,open,2026-01-01T10:00:00Z,\n"
        + "T-2,acme-1,Closed early,low,closed,2026-01-05T10:00:00Z,2026-01-01T10:00:00Z\n"
        + "T-3,nobody,Who,low,open,2026-01-01T10:00:00Z,\n"
        + "T-4,acme-1,Naive,low,open,2026-01-01 10:00,\n"
        + "T-1,acme-1,Again,low,open,2026-01-01T10:00:00Z,\n"
    )
    with pytest.raises(CommandError, match="4 problem\\(s\\); nothing was saved"):
        call_command("ingest", "tickets", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    report = err.getvalue()
    assert 'line 3, field "closed_at": A ticket cannot be closed before it was opened.' in report
    assert "line 4, field \"account\": no account has the external id 'nobody'." in report
    assert 'line 5, field "opened_at": Give the time zone' in report
    assert 'line 6, field "external_id": also on line 2 of this file.' in report
    assert not SupportTicket.objects.exists()


def test_survey_answers_are_read_from_json_lines_and_a_bad_score_names_its_line(
    accounts: dict[str, Account], tmp_path: Path
) -> None:
    path = tmp_path / "nps.jsonl"
    path.write_text('{"external_id": "S-1", "account": "acme-1", "score": 9, '
                    '"comment": "Love it", "answered_at": "2026-01-05T10:00:00Z"}\n')
    assert "1 survey answer(s) created" in run("surveys", path)[0]
    path.write_text('{"external_id": "S-2", "account": "acme-1", "score": 12, '
                    '"answered_at": "2026-01-05T10:00:00Z"}\nnot json\n')
    with pytest.raises(CommandError):
        call_command("ingest", "surveys", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    assert 'line 1, field "score": An NPS score is a whole number from 0 to 10.' in err.getvalue()
    assert 'line 2, field "line": not a JSON object' in err.getvalue()
    assert list(SurveyResponse.objects.values_list("external_id", flat=True)) == ["S-1"]


def test_the_database_refuses_a_score_out_of_range_by_its_named_constraint(
    accounts: dict[str, Account],
) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(external_id="S-9", account=accounts["acme"], score=11,
                                      answered_at="2026-01-05T10:00:00Z")
