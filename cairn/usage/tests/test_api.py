"""The usage API: events with a batch key, tickets and surveys, auth and permissions."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
import pytest
from django.test import Client

from cairn.customers.models import Account, Contact
from cairn.people.models import ApiToken, User
from cairn.usage.models import IngestBatch, SupportTicket, SurveyResponse
from cairn.usage.store import committed_event_files

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/usage/events"


def event(**overrides: Any) -> dict[str, Any]:
    return {"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
            "timestamp": "2026-01-01T10:00:00Z", **overrides}


def token_client(user: User, *, ingest: bool = False) -> Client:
    _, key = ApiToken.issue(user, "test", ingest=ingest)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_a_batch_of_events_is_stored_and_answered_with_its_counts(
    accounts: dict[str, Account], alice: User
) -> None:
    body = {"events": [
        event(), event(), event(user_id=42, value="3.5", properties={"b": 1, "a": [1]}),
        event(account_external_id="nobody"), event(timestamp="2026-01-01T10:00:00"),
        event(value=[1]),
    ]}
    response = post(token_client(alice, ingest=True), EVENTS, body)
    assert response.status_code == 201, response.content
    data = response.json()
    # The two identical events are two: a row repeating another keeps its own id.
    assert (data["received"], data["stored"], data["duplicates"], data["quarantined"]) == (
        6, 3, 0, 3
    )
    assert data["quarantine_reasons"] == {
        "account_external_id: unknown account": 1, "timestamp: no time zone": 1,
        "value: not a number": 1,
    }
    batch = IngestBatch.objects.get(batch_id=data["batch_id"])
    assert batch.created_by == alice and batch.source == "api"
    rows = pq.read_table(committed_event_files(), partitioning=None).to_pylist()
    assert sorted(r["user_id"] for r in rows) == ["42", "u1", "u1"]
    assert {r["properties"] for r in rows} == {None, '{"a":[1],"b":1}'}


def test_resending_a_batch_with_the_same_key_is_answered_with_the_first_result(
    accounts: dict[str, Account], as_adam: Client
) -> None:
    body = {"key": "export-2026-01-01", "events": [event(), event(user_id="u2")]}
    first = post(as_adam, EVENTS, body)
    again = post(as_adam, EVENTS, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["batch_id"] == first.json()["batch_id"]
    assert again.json()["already_ingested"] is True and again.json()["stored"] == 2
    assert IngestBatch.objects.count() == 1


def test_the_same_events_under_another_key_are_counted_as_duplicates(
    accounts: dict[str, Account], as_adam: Client
) -> None:
    post(as_adam, EVENTS, {"key": "a", "events": [event(event_id="e-1"), event()]})
    data = post(as_adam, EVENTS, {"key": "b", "events": [event(event_id="e-1"), event()]}).json()
    assert (data["stored"], data["duplicates"]) == (0, 2)


def test_finding_1_only_an_admin_or_an_ingest_token_sends_usage_events(
    accounts: dict[str, Account], adam: User, alice: User, carol: User, dave: User
) -> None:
    assert post(token_client(adam), EVENTS, {"events": [event()]}).status_code == 201
    assert post(token_client(alice, ingest=True), EVENTS, {"events": [event()]}).status_code == 201
    for client in (token_client(alice), token_client(carol), token_client(dave)):
        response = post(client, EVENTS, {"events": [event(user_id="not-stored")]})
        assert response.status_code == 403
        assert "ingest scope" in response.json()["detail"]
    assert IngestBatch.objects.count() == 2


def test_an_ingest_token_loses_its_scope_when_its_user_is_no_longer_a_leader(
    accounts: dict[str, Account], alice: User
) -> None:
    client = token_client(alice, ingest=True)
    alice.role = "csm"
    alice.save()
    assert post(client, EVENTS, {"events": [event()]}).status_code == 403


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/usage/tickets", {"tickets": [{"external_id": "T-1", "account": "globex-1",
                                                "subject": "Mine now",
                                                "opened_at": "2026-02-01T10:00:00Z"}]}),
        ("/api/v1/usage/surveys", {"surveys": [{"external_id": "S-1", "account": "globex-1",
                                                "score": 0, "answered_at": "2026-02-01T10:00:00Z"}]}),
    ],
)
def test_finding_1_a_csm_cannot_overwrite_feedback_of_an_account_they_do_not_own(
    accounts: dict[str, Account], adam: User, carol: User, dave: User, url: str,
    body: dict[str, Any],
) -> None:
    # The integration sent Globex's ticket and answer; Dave works on no Globex engagement.
    ingest = token_client(adam)
    assert post(ingest, "/api/v1/usage/tickets", {"tickets": [ticket(account="globex-1")]}
                ).status_code == 200
    assert post(ingest, "/api/v1/usage/surveys", {"surveys": [survey(account="globex-1")]}
                ).status_code == 200
    response = post(token_client(dave), url, body)
    assert response.status_code == 403, response.content
    assert "globex-1" in response.json()["detail"]
    # Carol may not move Globex's record onto her own Acme either.
    moved = {key: [{**item, "account": "acme-1"} for item in items] for key, items in body.items()}
    assert post(token_client(carol), url, moved).status_code == 403
    assert SupportTicket.objects.get().subject == "Export fails"
    assert SurveyResponse.objects.get().score == 9


def test_a_csm_adds_feedback_to_an_account_they_own(
    accounts: dict[str, Account], carol: User
) -> None:
    client = token_client(carol)
    assert post(client, "/api/v1/usage/tickets", {"tickets": [ticket()]}).json() == {
        "created": 1, "updated": 0,
    }
    assert post(client, "/api/v1/usage/surveys", {"surveys": [survey()]}).status_code == 200
    response = post(client, "/api/v1/usage/surveys",
                    {"surveys": [survey(external_id="S-2", account="globex-1")]})
    assert response.status_code == 403
    assert SurveyResponse.objects.count() == 1


def test_a_read_only_user_cannot_send_events_tickets_or_surveys(
    accounts: dict[str, Account], rita: User
) -> None:
    client = token_client(rita)
    for url, body in (
        (EVENTS, {"events": [event()]}),
        ("/api/v1/usage/tickets", {"tickets": [ticket()]}),
        ("/api/v1/usage/surveys", {"surveys": [survey()]}),
    ):
        response = post(client, url, body)
        assert response.status_code == 403
        assert "Read-only" in response.json()["detail"]
    assert not IngestBatch.objects.exists() and not SupportTicket.objects.exists()
    assert client.get("/api/v1/usage/batches").status_code == 200


def test_without_a_token_the_api_answers_401() -> None:
    assert post(Client(), EVENTS, {"events": [event()]}).status_code == 401
    assert Client().get("/api/v1/usage/batches").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "events"),
        ({"events": "many"}, "events"),
        ({"events": [event()], "key": "k" * 201}, "key"),
        ({"events": [event()], "key": ["a"]}, "key"),
    ],
)
def test_a_malformed_batch_is_refused_naming_the_field(
    accounts: dict[str, Account], as_adam: Client, body: dict[str, Any], field: str
) -> None:
    response = post(as_adam, EVENTS, body)
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not IngestBatch.objects.exists()


def test_a_batch_of_ten_thousand_events_is_accepted_and_one_more_is_refused(
    accounts: dict[str, Account], as_adam: Client
) -> None:
    events = [event(user_id=f"u{n}") for n in range(10_000)]
    response = post(as_adam, EVENTS, {"events": events})
    assert response.status_code == 201 and response.json()["stored"] == 10_000
    response = post(as_adam, EVENTS, {"events": [*events, event()]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events"


def test_batches_are_listed_newest_first(accounts: dict[str, Account], as_rita: Client,
                                         as_adam: Client) -> None:
    post(as_adam, EVENTS, {"key": "one", "events": [event()]})
    post(as_adam, EVENTS, {"key": "two", "events": [event(user_id="u2")]})
    items = as_rita.get("/api/v1/usage/batches").json()["items"]
    assert [item["key"] for item in items] == ["two", "one"]
    one = as_rita.get(f"/api/v1/usage/batches/{items[1]['batch_id']}")
    assert one.status_code == 200 and one.json()["stored"] == 1
    assert as_rita.get("/api/v1/usage/batches/nope").status_code == 404


def ticket(**overrides: Any) -> dict[str, Any]:
    return {"external_id": "T-1", "account": "acme-1", "subject": "Export fails",
            "priority": "high", "status": "open", "opened_at": "2026-01-01T10:00:00Z",
            **overrides}


def survey(**overrides: Any) -> dict[str, Any]:
    return {"external_id": "S-1", "account": "acme-1", "score": 9, "comment": "Great",
            "answered_at": "2026-01-05T10:00:00Z", **overrides}


def test_tickets_are_created_then_updated_by_external_id(
    accounts: dict[str, Account], as_carol: Client
) -> None:
    contact = Contact.objects.create(account=accounts["acme"], first_name="Jo",
                                     email="jo@acme.example")
    url = "/api/v1/usage/tickets"
    response = post(as_carol, url, {"tickets": [ticket(contact_email="JO@acme.example")]})
    assert response.json() == {"created": 1, "updated": 0}
    response = post(as_carol, url, {"tickets": [
        ticket(status="solved", closed_at="2026-01-02T10:00:00Z"), ticket(external_id="T-2"),
    ]})
    assert response.json() == {"created": 1, "updated": 1}
    solved = SupportTicket.objects.get(external_id="T-1")
    assert solved.status == "solved" and solved.closed_at is not None
    assert solved.contact is None  # the update did not name the contact any more
    assert SupportTicket.objects.get(external_id="T-2").account == accounts["acme"]
    assert contact.pk


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (ticket(closed_at="2025-12-31T10:00:00Z"), "tickets.1.closed_at"),
        (ticket(account="nobody"), "tickets.1.account"),
        (ticket(contact_email="who@acme.example"), "tickets.1.contact_email"),
        (ticket(opened_at="2026-01-01T10:00:00"), "tickets.1.opened_at"),
        (ticket(priority="whenever"), "tickets.1.priority"),
    ],
)
def test_a_bad_ticket_is_refused_naming_the_field_and_nothing_is_saved(
    accounts: dict[str, Account], as_carol: Client, item: dict[str, Any], field: str
) -> None:
    item["external_id"] = "T-9"
    response = post(as_carol, "/api/v1/usage/tickets", {"tickets": [ticket(), item]})
    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not SupportTicket.objects.exists()


def test_survey_answers_are_upserted_and_a_score_out_of_range_names_the_field(
    accounts: dict[str, Account], as_carol: Client
) -> None:
    url = "/api/v1/usage/surveys"
    assert post(as_carol, url, {"surveys": [survey()]}).json() == {"created": 1, "updated": 0}
    assert post(as_carol, url, {"surveys": [survey(score=3)]}).json() == {
        "created": 0, "updated": 1,
    }
    assert SurveyResponse.objects.get().score == 3
    response = post(as_carol, url, {"surveys": [survey(score=11, external_id="S-2")]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "surveys.0.score"
    assert SurveyResponse.objects.count() == 1
