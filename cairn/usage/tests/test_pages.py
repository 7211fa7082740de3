"""The Usage pages, the quarantine's replay button, and the account usage panel."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Account
from cairn.people.models import User
from cairn.usage import actions
from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse
from cairn.usage.queries import account_usage

pytestmark = pytest.mark.django_db


def send(rows: list[dict[str, str]], user: User | None = None, key: str = "") -> IngestBatch:
    columns = {name: pa.array([row.get(name) for row in rows], pa.string()) for name in
               ("account_external_id", "user_id", "event_type", "timestamp", "value",
                "properties", "event_id")}
    table = pa.table({**columns, "line": pa.array(range(len(rows)), pa.int64())})
    return actions.ingest_api_batch(table, key=key, user=user).batch


def login(day: int, user: str = "u1", account: str = "acme-1", kind: str = "login") -> dict[str, str]:
    return {"account_external_id": account, "user_id": user, "event_type": kind,
            "timestamp": f"2026-01-{day:02d}T10:00:00Z"}


def test_recent_events_are_listed_newest_first_and_filtered(
    accounts: dict[str, Account], as_rita: Client
) -> None:
    send([login(1), login(2, kind="export"), login(3, account="globex-1")])
    page = as_rita.get("/usage/")
    assert page.status_code == 200
    rows = page.context["page"].events
    assert [(r["account_external_id"], r["event_type"]) for r in rows] == [
        ("globex-1", "login"), ("acme-1", "export"), ("acme-1", "login")
    ]
    filtered = as_rita.get("/usage/", {"account": "acme-1", "event_type": "export"})
    assert [r["event_type"] for r in filtered.context["page"].events] == ["export"]
    assert b"Clear filters" in filtered.content


def test_the_events_page_is_paginated(accounts: dict[str, Account], as_rita: Client) -> None:
    send([login(1, user=f"u{n}") for n in range(60)])
    second = as_rita.get("/usage/", {"page": 2})
    assert second.context["page"].total == 60
    assert len(second.context["page"].events) == 10
    assert b"Page 2 of 2" in second.content


def test_an_empty_store_says_how_to_send_events(as_rita: Client) -> None:
    page = as_rita.get("/usage/")
    assert b"No product-usage events yet" in page.content
    assert b"Usage</a>" in page.content  # in the main navigation


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/usage/", "/usage/batches/", "/usage/quarantine/"])
def test_usage_pages_run_the_same_number_of_queries_for_2_or_20_batches(
    accounts: dict[str, Account], as_carol: Client, carol: User, url: str
) -> None:
    for n in range(2):
        send([login(1 + n % 28, user=f"a{n}"), login(1, account="nobody", user=f"a{n}")], carol)
    few = _queries(as_carol, url)
    for n in range(18):
        send([login(1 + n % 28, user=f"b{n}"), login(1, account="nobody", user=f"b{n}")], carol)
    assert _queries(as_carol, url) == few


def test_batches_show_their_counts(accounts: dict[str, Account], as_rita: Client) -> None:
    send([login(1), login(1), login(1, account="nobody")], key="nightly-1")
    send([login(1)], key="nightly-2")  # the first of those logins again
    page = as_rita.get("/usage/batches/")
    batch = page.context["batches"][1]
    # Two identical logins in one batch are two events; the same one sent again is not.
    assert (batch.received, batch.stored, batch.duplicates, batch.quarantined) == (3, 2, 0, 1)
    again = page.context["batches"][0]
    assert (again.received, again.stored, again.duplicates, again.quarantined) == (1, 0, 1, 0)
    assert b"nightly-1" in page.content


def test_the_quarantine_shows_reasons_and_a_csm_replays_it_once_the_account_exists(
    accounts: dict[str, Account], as_carol: Client
) -> None:
    send([login(1, account="initech-7"), {**login(2), "timestamp": "2026-01-02 10:00"}])
    page = as_carol.get("/usage/quarantine/")
    assert page.context["quarantine"].reasons == {
        "account_external_id: unknown account": 1, "timestamp: no time zone": 1,
    }
    assert b"initech-7" in page.content and b"Replay the quarantine" in page.content
    Account.objects.create(name="Initech", external_id="initech-7")
    response = as_carol.post("/usage/quarantine/replay/", follow=True)
    assert "1 stored, 0 duplicate(s), 1 still quarantined" in response.content.decode()
    assert response.context["quarantine"].reasons == {"timestamp: no time zone": 1}


def test_a_read_only_user_sees_the_quarantine_but_cannot_replay_it(
    accounts: dict[str, Account], as_rita: Client
) -> None:
    send([login(1, account="initech-7")])
    page = as_rita.get("/usage/quarantine/")
    assert b"initech-7" in page.content and b"Replay the quarantine" not in page.content
    Account.objects.create(name="Initech", external_id="initech-7")
    assert as_rita.post("/usage/quarantine/replay/").status_code == 403
    assert IngestBatch.objects.filter(quarantine_open=True).count() == 1


def test_replaying_an_empty_quarantine_says_so(as_carol: Client) -> None:
    response = as_carol.post("/usage/quarantine/replay/", follow=True)
    assert b"The quarantine is empty" in response.content


def test_the_account_usage_panel_counts_recent_events_tickets_and_nps(
    accounts: dict[str, Account],
) -> None:
    acme = accounts["acme"]
    send([login(20), login(21, user="u2"), login(21, kind="export"), login(1, kind="export"),
          login(21, account="globex-1")])
    now = dt.datetime(2026, 1, 22, tzinfo=dt.UTC)
    SupportTicket.objects.create(external_id="T-1", account=acme, subject="Export fails",
                                 priority="urgent", opened_at=now)
    for n, score in enumerate([10, 9, 3]):
        SurveyResponse.objects.create(external_id=f"S-{n}", account=acme, score=score,
                                      answered_at=dt.datetime.now(dt.UTC))
    usage = account_usage(acme, today=dt.date(2026, 2, 5))  # the window starts on 9 Jan
    assert usage.by_type == [("login", 2), ("export", 1)]
    assert (usage.total, usage.users) == (3, 2)
    assert usage.last_seen == dt.datetime(2026, 1, 21, 10, tzinfo=dt.UTC)
    assert usage.open_tickets == 1 and usage.nps == 33
    html = render_to_string("usage/_account_usage.html", {"usage": usage})
    assert "Export fails" in html and "Urgent" in html and "login" in html


def test_a_quiet_account_still_shows_when_it_was_last_seen(accounts: dict[str, Account]) -> None:
    send([login(1)])
    usage = account_usage(accounts["acme"], today=dt.date(2026, 6, 1))
    assert usage.total == 0 and usage.last_seen == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    html = render_to_string("usage/_account_usage.html", {"usage": usage})
    assert "No events in the last 28 days; last seen 01 Jan 2026" in html
