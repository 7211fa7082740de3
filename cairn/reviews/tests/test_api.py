"""Business reviews through the API: the same rules and refusals as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Account, Contact
from cairn.documents import actions as documents
from cairn.documents.models import DocumentType
from cairn.people.models import ApiToken
from cairn.reviews import actions
from cairn.reviews.models import DEFAULT_AGENDA, Decision, FollowUp, Kind, Program, Review, Status
from cairn.reviews.tests.conftest import REVIEW_DAY
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/reviews"


def _client(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
    return client


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_programme_is_started_reviewed_held_and_followed_up(client, carol, acme, contact, engagement):
    api = _client(client, carol)
    created = api.post(f"{API}/programs", {
        "account": acme.pk, "kind": "ebr", "purpose": "The board sees the energy saved.",
        "our_attendees": [carol.pk], "customer_attendees": [contact.pk], "cadence_months": 6,
        "duration_minutes": 90, "format": "on_site", "next_date": "2026-12-01",
    }, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "ebr" and body["account_name"] == "Acme Manufacturing"
    assert body["our_attendees"] == [carol.pk] and body["customer_attendees"] == [contact.pk]
    assert body["agenda"] == DEFAULT_AGENDA[Kind.EBR] and body["draft"] is None and body["last_held"] is None
    pk = body["id"]

    changed = api.patch(f"{API}/programs/{pk}", {"cadence_months": 12, "customer_attendees": []},
                        content_type=JSON)
    assert changed.status_code == 200, changed.content
    assert changed.json()["cadence_months"] == 12 and changed.json()["customer_attendees"] == []
    assert changed.json()["our_attendees"] == [carol.pk]

    prepared = api.post(f"{API}/programs/{pk}/reviews", {"date": "2026-12-01"}, content_type=JSON)
    assert prepared.status_code == 201, prepared.content
    review = prepared.json()
    assert review["status"] == "draft" and review["engagement"] == engagement.pk
    assert (review["period_start"], review["period_end"]) == ("2025-12-01", "2026-12-01")
    assert "Acme Manufacturing" in review["summary"] and review["support_text"]
    assert review["decisions"] == [] and review["follow_ups"] == [] and review["deck"] is None
    assert api.get(f"{API}/programs/{pk}").json()["draft"] == review["id"]

    url = f"{API}/reviews/{review['id']}"
    edited = api.patch(url, {"summary": "A good year.", "period_start": "2026-06-01"}, content_type=JSON)
    assert edited.status_code == 200 and edited.json()["summary"] == "A good year."
    assert edited.json()["period_start"] == "2026-06-01"

    held = api.post(f"{url}/meeting", {
        "held_on": "2026-12-02", "minutes": "Maria wants the Lyon plant next.",
        "decisions": ["Extend to Lyon", " ", "Quarterly energy report"],
    }, content_type=JSON)
    assert held.status_code == 200, held.content
    assert held.json()["status"] == "held" and held.json()["held_on"] == "2026-12-02"
    assert [d["text"] for d in held.json()["decisions"]] == ["Extend to Lyon", "Quarterly energy report"]
    programme = api.get(f"{API}/programs/{pk}").json()
    assert programme["next_date"] == "2027-12-02" and programme["last_held"] == "2026-12-02"

    follow = api.post(f"{url}/follow-ups", {
        "title": "Send the Lyon proposal", "assignee": carol.pk, "due_date": "2026-12-20",
    }, content_type=JSON)
    assert follow.status_code == 201, follow.content
    assert follow.json()["assignee"] == carol.pk and follow.json()["status"] == "open"
    task = Task.objects.get(pk=follow.json()["task"])
    assert task.account == acme and task.due_date == dt.date(2026, 12, 20)
    shown = api.get(url).json()
    assert [f["title"] for f in shown["follow_ups"]] == ["Send the Lyon proposal"]

    assert _fields(api.patch(url, {"summary": "Too late"}, content_type=JSON))
    assert api.delete(url).status_code == 204
    assert not Review.objects.exists() and Task.objects.filter(pk=task.pk).exists()
    assert api.delete(f"{API}/programs/{pk}").status_code == 204
    assert not Program.objects.exists()


def test_a_draft_is_cancelled_and_then_cannot_be_held(client, carol, review):
    api = _client(client, carol)
    url = f"{API}/reviews/{review.pk}"
    cancelled = api.post(f"{url}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _fields(api.post(f"{url}/cancel"))
    assert _fields(api.post(f"{url}/meeting", {"held_on": "2026-12-01", "minutes": "x"}, content_type=JSON))
    assert _fields(api.post(f"{url}/follow-ups", {"title": "x", "assignee": carol.pk}, content_type=JSON))


def test_the_review_shows_its_deck_and_handout_with_their_current_versions(client, rita, carol, review):
    def upload(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"%PDF-1.4 deck", content_type="application/pdf")

    details = documents.Details(title="QBR deck", doc_type=DocumentType.REPORT)
    deck = documents.create_uploaded(review.engagement, details, upload("deck.pdf"), by=carol)
    documents.update_uploaded(deck, details, base_version=1, by=carol, upload=upload("deck-2.pdf"))
    handout = documents.create_uploaded(review.engagement, details, upload("handout.pdf"), by=carol)
    Review.objects.filter(pk=review.pk).update(deck=deck, handout=handout)

    shown = _client(client, rita).get(f"{API}/reviews/{review.pk}").json()
    assert (shown["deck"], shown["deck_version"]) == (deck.pk, 2)
    assert (shown["handout"], shown["handout_version"]) == (handout.pk, 1)


def test_a_draft_is_built_into_its_deck_and_pdf_and_a_stranger_is_refused(client, carol, dave, review):
    refused = _client(client, dave).post(f"{API}/reviews/{review.pk}/export")
    assert refused.status_code == 403
    built = _client(client, carol).post(f"{API}/reviews/{review.pk}/export")
    assert built.status_code == 200, built.content
    shown = built.json()
    assert shown["deck"] and shown["deck_version"] == 1 and shown["handout_version"] == 1
    again = _client(client, carol).post(f"{API}/reviews/{review.pk}/export").json()
    assert (again["deck"], again["deck_version"]) == (shown["deck"], 2)
    actions.record_meeting(review, actions.Meeting(held_on=review.date, minutes="Held."), by=carol)
    held = _client(client, carol).post(f"{API}/reviews/{review.pk}/export")
    assert held.status_code == 400 and "held" in held.content.decode()


def test_the_lists_filter_paginate_and_keep_their_query_count(client, rita, carol, dave, acme, program, review):
    api = _client(client, rita)
    other = Account.objects.create(name="Beta Foods", owner=dave)
    ebr = actions.create_program(
        Program(account=other, kind=Kind.EBR, purpose="Board review"), ours=[dave], by=dave,
    )
    actions.prepare_review(ebr, actions.Prepare(date=dt.date(2026, 11, 1)), by=dave)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path).status_code == 200
        return len(ctx.captured_queries)

    few_programs, few_reviews = count(f"{API}/programs"), count(f"{API}/reviews")
    for n in range(4):
        account = Account.objects.create(name=f"Gamma {n}", owner=carol)
        who = Contact.objects.create(account=account, first_name="Kim", last_name=str(n))
        added = actions.create_program(
            Program(account=account, purpose="Quarterly"), ours=[carol], theirs=[who], by=carol,
        )
        actions.prepare_review(added, actions.Prepare(date=dt.date(2026, 10, 1 + n)), by=carol)
    assert count(f"{API}/programs") == few_programs
    assert count(f"{API}/reviews") == few_reviews

    listed = api.get(f"{API}/programs", {"account": acme.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == program.pk
    assert [p["id"] for p in api.get(f"{API}/programs", {"kind": "ebr"}).json()["items"]] == [ebr.pk]
    assert api.get(f"{API}/programs", {"page_size": 2}).json()["count"] == 6
    # The soonest next review first: Acme's, on REVIEW_DAY, before the undated ones.
    assert api.get(f"{API}/programs").json()["items"][0]["id"] == program.pk
    assert [r["id"] for r in api.get(f"{API}/reviews", {"program": program.pk}).json()["items"]] == [review.pk]
    assert api.get(f"{API}/reviews", {"account": other.pk}).json()["count"] == 1
    assert api.get(f"{API}/reviews", {"status": "held"}).json()["count"] == 0
    assert api.get(f"{API}/reviews", {"status": "draft"}).json()["count"] == 6
    assert "status" in _fields(api.get(f"{API}/reviews", {"status": "nope"}))
    assert "kind" in _fields(api.get(f"{API}/programs", {"kind": "qbrr"}))


@pytest.mark.parametrize(("body", "field"), [
    ({"purpose": ""}, "purpose"),
    ({"purpose": "x" * 20_001}, "purpose"),
    ({"kind": "annual"}, "kind"),
    ({"format": "by pigeon"}, "format"),
    ({"cadence_months": 0}, "cadence_months"),
    ({"cadence_months": 25}, "cadence_months"),
    ({"duration_minutes": 14}, "duration_minutes"),
    ({"duration_minutes": 481}, "duration_minutes"),
    ({"next_date": "1900-01-01"}, "next_date"),
    ({"our_attendees": [999_999]}, "our_attendees"),
    ({"customer_attendees": [999_999]}, "customer_attendees"),
    ({"account": 999_999}, "account"),
    ({"account": 2**63}, "account"),
    ({"our_attendees": [2**63]}, "our_attendees.0"),
    ({"customer_attendees": list(range(1, 102))}, "customer_attendees"),
])
def test_bad_programme_input_is_a_400_naming_the_field_and_nothing_is_saved(client, carol, acme, body, field):
    api = _client(client, carol)
    response = api.post(f"{API}/programs", {"account": acme.pk, "purpose": "Quarterly", **body},
                        content_type=JSON)
    assert field in _fields(response)
    assert not Program.objects.exists()


def test_a_second_programme_of_a_kind_and_strangers_contacts_are_refused(client, carol, acme, program, dave):
    api = _client(client, carol)
    twice = _fields(api.post(f"{API}/programs", {"account": acme.pk, "purpose": "Again"}, content_type=JSON))
    assert "already has a programme of this kind" in twice["kind"]
    elsewhere = Contact.objects.create(account=Account.objects.create(name="Beta", owner=dave), first_name="Bo")
    refused = _fields(api.post(f"{API}/programs", {
        "account": acme.pk, "kind": "ebr", "purpose": "Board", "customer_attendees": [elsewhere.pk],
    }, content_type=JSON))
    assert "Acme Manufacturing" in refused["customer_attendees"]
    assert Program.objects.count() == 1
    url = f"{API}/programs/{program.pk}"
    assert "customer_attendees" in _fields(api.patch(url, {"customer_attendees": [elsewhere.pk]}, content_type=JSON))
    assert "cadence_months" in _fields(api.patch(url, {"cadence_months": None}, content_type=JSON))
    assert "purpose" in _fields(api.patch(url, {"purpose": ""}, content_type=JSON))
    assert list(Program.objects.get().customer_attendees.all()) == list(program.customer_attendees.all())


def test_a_review_of_another_accounts_engagement_or_bad_dates_is_refused(client, carol, dave, program):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = Account.objects.create(name="Beta", owner=carol)
    theirs = start_engagement(other, EngagementData(
        initiative="Beta's rollout", owner=carol, start_date=dt.date(2026, 9, 1),
        challenge="Slow", solution="Faster",
    ), by=carol)
    api = _client(client, carol)
    url = f"{API}/programs/{program.pk}/reviews"
    assert "engagement" in _fields(api.post(url, {"date": "2026-12-01", "engagement": theirs.pk}, content_type=JSON))
    assert "engagement" in _fields(api.post(url, {"date": "2026-12-01", "engagement": 999_999}, content_type=JSON))
    assert "date" in _fields(api.post(url, {"date": "3000-01-01"}, content_type=JSON))
    # A quarter before the first day Cairn keeps.
    assert "period_start" in _fields(api.post(url, {"date": "1970-01-01"}, content_type=JSON))
    assert "period_end" in _fields(api.post(url, {
        "date": "2026-12-01", "period_start": "2026-12-01", "period_end": "2026-11-01",
    }, content_type=JSON))
    assert not Review.objects.exists()


def test_bad_review_edits_meetings_and_follow_ups_name_the_field(client, carol, review):
    api = _client(client, carol)
    url = f"{API}/reviews/{review.pk}"
    assert "date" in _fields(api.patch(url, {"date": None}, content_type=JSON))
    assert "summary" in _fields(api.patch(url, {"summary": "x" * 20_001}, content_type=JSON))
    assert "period_end" in _fields(api.patch(url, {"period_end": "2020-01-01"}, content_type=JSON))
    assert "minutes" in _fields(api.post(f"{url}/meeting", {"held_on": "2026-12-01", "minutes": "   "},
                                         content_type=JSON))
    assert "decisions.0" in _fields(api.post(f"{url}/meeting", {
        "held_on": "2026-12-01", "minutes": "Fine", "decisions": ["x" * 301],
    }, content_type=JSON))
    carol.is_active = False
    carol.save()
    helper = _client(client, type(carol).objects.create_user(username="hal", role="leader"))
    assert "assignee" in _fields(helper.post(f"{url}/follow-ups", {"title": "Call", "assignee": carol.pk},
                                             content_type=JSON))
    assert "assignee" in _fields(helper.post(f"{url}/follow-ups", {"title": "Call", "assignee": 999_999},
                                             content_type=JSON))
    review.refresh_from_db()
    assert review.status == Status.DRAFT and review.period_end == REVIEW_DAY
    assert not Decision.objects.exists() and not FollowUp.objects.exists()


def test_strangers_and_readers_are_refused_and_everyone_reads(client, dave, rita, alice, carol, acme, review):
    program = review.program
    for user in (dave, rita):
        api = _client(client, user)
        assert api.get(f"{API}/reviews/{review.pk}").status_code == 200
        assert api.get(f"{API}/programs/{program.pk}").status_code == 200
        assert api.post(f"{API}/programs", {"account": acme.pk, "kind": "ebr", "purpose": "X"},
                        content_type=JSON).status_code == 403
        assert api.patch(f"{API}/programs/{program.pk}", {"purpose": "Y"}, content_type=JSON).status_code == 403
        assert api.post(f"{API}/programs/{program.pk}/reviews", {"date": "2027-01-01"},
                        content_type=JSON).status_code == 403
        assert api.patch(f"{API}/reviews/{review.pk}", {"summary": "Y"}, content_type=JSON).status_code == 403
        assert api.post(f"{API}/reviews/{review.pk}/cancel").status_code == 403
        assert api.delete(f"{API}/reviews/{review.pk}").status_code == 403
        assert api.delete(f"{API}/programs/{program.pk}").status_code == 403
    assert _client(client, alice).post(f"{API}/reviews/{review.pk}/cancel").status_code == 200
    assert _client(client, carol).get(f"{API}/reviews/999999").status_code == 404
    assert _client(client, carol).patch(f"{API}/programs/999999", {}, content_type=JSON).status_code == 404
