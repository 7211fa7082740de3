"""The proposal page and API, through the HTTP client, for each persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cairn.documents.models import Document
from cairn.proposals import actions
from cairn.sharing import actions as sharing
from cairn.sharing.models import SharedLink
from cairn.testing_pdf import assert_not_blank, first_page_image

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"


def test_the_owner_generates_edits_and_sends_the_proposal_on_the_page(
    as_carol: Client, engagement: Any, maria: Any, outcomes: Any
) -> None:
    page = reverse("proposal", args=[engagement.pk])
    assert "Generate the proposal" in as_carol.get(page).content.decode()
    assert as_carol.post(reverse("proposal_generate", args=[engagement.pk])).status_code == 302
    html = as_carol.get(page).content.decode()
    assert "Energy per unit" in html and "Draft" in html
    response = as_carol.post(reverse("proposal_edit", args=[engagement.pk]),
                             {"body": "# Proposal\n\nAgreed.", "base_version": 1, "comment": "Shorter"})
    assert response.status_code == 302
    response = as_carol.post(reverse("proposal_send", args=[engagement.pk]),
                             {"contact": maria.pk, "days": 10, "message": "As discussed"})
    assert response.status_code == 200
    created = response.content.decode()
    assert "/shared/" in created and "cannot show it again" in created
    link = SharedLink.objects.get()
    assert link.version_number == 2 and (link.expires_at - link.created_at).days == 10
    html = as_carol.get(page).content.decode()
    assert "Sent to Maria Jensen" in html


def test_a_stale_edit_is_refused_and_nothing_is_saved(as_carol: Client, engagement: Any, carol: Any) -> None:
    actions.generate(engagement, by=carol)
    actions.generate(engagement, by=carol)
    response = as_carol.post(reverse("proposal_edit", args=[engagement.pk]),
                             {"body": "Old edit", "base_version": 1})
    assert response.status_code == 200 and "while you were editing" in response.content.decode()
    assert Document.objects.get().current_version.number == 2


def test_sending_without_a_contact_names_the_field(as_carol: Client, engagement: Any, carol: Any) -> None:
    actions.generate(engagement, by=carol)
    response = as_carol.post(reverse("proposal_send", args=[engagement.pk]), {"days": 14})
    assert response.status_code == 400 and "Send to: This field is required." in response.content.decode()
    assert not SharedLink.objects.exists()


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_read_but_cannot_change_the_proposal(
    persona: str, request: Any, engagement: Any, carol: Any, maria: Any
) -> None:
    actions.generate(engagement, by=carol)
    client = request.getfixturevalue(persona)
    html = client.get(reverse("proposal", args=[engagement.pk])).content.decode()
    assert "Customer engagement proposal" in html and "Create the link" not in html
    for name, data in [("proposal_generate", {}), ("proposal_edit", {"body": "x", "base_version": 1}),
                       ("proposal_services", {"services": "x"}), ("proposal_send", {"contact": maria.pk})]:
        assert client.post(reverse(name, args=[engagement.pk]), data).status_code == 403
    assert client.post(f"{API}{engagement.pk}/generate").status_code == 403
    assert client.post(f"{API}{engagement.pk}/send", {"contact": maria.pk},
                       content_type="application/json").status_code == 403
    assert Document.objects.get().current_version.number == 1 and not SharedLink.objects.exists()


def test_the_proposal_page_keeps_a_constant_number_of_queries(
    as_rita: Client, engagement: Any, carol: Any, maria: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.generate(engagement, by=carol)
    actions.send(engagement, maria, by=carol)
    with CaptureQueriesContext(connection) as small:
        assert as_rita.get(reverse("proposal", args=[engagement.pk])).status_code == 200
    for _ in range(6):
        actions.generate(engagement, by=carol)
        actions.send(engagement, maria, by=carol)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert as_rita.get(reverse("proposal", args=[engagement.pk])).status_code == 200


def test_the_pdf_renders_a_cover_that_is_not_blank(
    as_rita: Client, engagement: Any, carol: Any, outcomes: Any
) -> None:
    assert as_rita.get(reverse("proposal_pdf", args=[engagement.pk])).status_code == 404
    actions.generate(engagement, by=carol)
    for url in (reverse("proposal_pdf", args=[engagement.pk]), f"{API}{engagement.pk}/pdf?version=1"):
        response = as_rita.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert_not_blank(first_page_image(response.content))


def test_the_api_runs_the_whole_cycle_with_frozen_accepted_versions(
    as_carol: Client, engagement: Any, maria: Any
) -> None:
    body = as_carol.post(f"{API}{engagement.pk}/generate").json()
    assert body["current_version"] == 1 and body["versions"][0]["status"] == "draft"
    sent = as_carol.post(f"{API}{engagement.pk}/send", {"contact": maria.pk, "days": 5},
                         content_type="application/json")
    assert sent.status_code == 201 and "/shared/" in sent.json()["url"]
    token = sent.json()["url"].rsplit("/shared/", 1)[1].strip("/")
    link = sharing.find_link(token)
    assert link is not None
    sharing.respond(link, accept=True, typed_name="Maria Jensen")
    body = as_carol.get(f"{API}{engagement.pk}").json()
    assert body["accepted_version"] == 1 and body["versions"][0]["status"] == "accepted"
    assert body["versions"][0]["links"][0]["typed_name"] == "Maria Jensen"
    edited = as_carol.put(f"{API}{engagement.pk}/text", {"body": "# New\n", "base_version": 1},
                          content_type="application/json").json()
    assert [v["status"] for v in edited["versions"]] == ["needs_new_acceptance", "accepted"]
    assert edited["accepted_version"] == 1
    stale = as_carol.put(f"{API}{engagement.pk}/text", {"body": "x", "base_version": 1},
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


def test_the_api_names_bad_fields(as_carol: Client, engagement: Any, carol: Any) -> None:
    actions.generate(engagement, by=carol)
    response = as_carol.post(f"{API}{engagement.pk}/send", {"contact": 999999},
                             content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "contact"
    response = as_carol.put(f"{API}{engagement.pk}/text", {"body": "  ", "base_version": 1},
                            content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "body"
    assert not SharedLink.objects.exists() and Document.objects.get().current_version.number == 1


def _token(created_page: str) -> str:
    return created_page.split("/shared/", 1)[1].split("/", 1)[0]


def test_editing_a_sent_proposal_on_the_page_withdraws_its_link_and_says_so(
    as_carol: Client, engagement: Any, maria: Any
) -> None:
    from cairn.timeline.models import Entry

    as_carol.post(reverse("proposal_generate", args=[engagement.pk]))
    page = reverse("proposal", args=[engagement.pk])
    assert "stops working at once" not in as_carol.get(page).content.decode()
    created = as_carol.post(reverse("proposal_send", args=[engagement.pk]), {"contact": maria.pk, "days": 10})
    token = _token(created.content.decode())
    assert "The link open for version 1 stops working at once" in as_carol.get(page).content.decode()

    response = as_carol.post(reverse("proposal_edit", args=[engagement.pk]),
                             {"body": "# Proposal\n\nNew targets.", "base_version": 1}, follow=True)

    html = response.content.decode()
    assert "Saved as version 2." in html
    assert "The open link to Maria Jensen (version 1) no longer works: version 2 replaces that text." in html
    assert SharedLink.objects.get().state() == "revoked"
    assert Entry.objects.filter(engagement=engagement,
                                title="Link to Maria Jensen withdrawn: Customer engagement proposal (version 1)"
                                ).exists()
    customer = Client().get(f"/shared/{token}/")
    assert customer.status_code == 410 and "withdrawn" in customer.content.decode()
    assert Client().post(f"/shared/{token}/accept/", {"typed_name": "Maria Jensen"}).status_code == 410
    assert SharedLink.objects.get().used_at is None

    as_carol.post(reverse("proposal_send", args=[engagement.pk]), {"contact": maria.pk, "days": 10})
    response = as_carol.post(reverse("proposal_generate", args=[engagement.pk]), follow=True)
    assert "The open link to Maria Jensen (version 2) no longer works" in response.content.decode()
    assert [link.state() for link in SharedLink.objects.order_by("pk")] == ["revoked", "revoked"]


def test_a_refused_edit_withdraws_nothing(as_carol: Client, engagement: Any, carol: Any, maria: Any) -> None:
    actions.generate(engagement, by=carol)
    actions.send(engagement, maria, by=carol)
    for data in ({"body": "Old edit", "base_version": 0}, {"body": "  ", "base_version": 1}):
        response = as_carol.post(reverse("proposal_edit", args=[engagement.pk]), data)
        assert response.status_code == 200 and "no longer works" not in response.content.decode()
    assert SharedLink.objects.get().state() == "open"
    stale = as_carol.put(f"{API}{engagement.pk}/text", {"body": "x", "base_version": 0},
                         content_type="application/json")
    assert stale.status_code == 409 and SharedLink.objects.get().state() == "open"


def test_the_api_withdraws_open_links_when_a_new_version_is_saved(
    as_carol: Client, engagement: Any, maria: Any
) -> None:
    body = as_carol.post(f"{API}{engagement.pk}/generate").json()
    assert body["withdrawn_links"] == [] and body["withdrawn_note"] == ""
    sent = as_carol.post(f"{API}{engagement.pk}/send", {"contact": maria.pk},
                         content_type="application/json").json()

    edited = as_carol.put(f"{API}{engagement.pk}/text", {"body": "# New\n", "base_version": 1},
                          content_type="application/json")

    assert edited.status_code == 200
    body = edited.json()
    assert [(link["id"], link["state"]) for link in body["withdrawn_links"]] == [(sent["id"], "revoked")]
    assert body["withdrawn_note"].startswith("The open link to Maria Jensen (version 1) no longer works")
    assert body["versions"][1]["links"][0]["state"] == "revoked"
    assert as_carol.get(f"/api/v1/shared-links/{sent['id']}").json()["state"] == "revoked"

    again = as_carol.post(f"{API}{engagement.pk}/send", {"contact": maria.pk},
                          content_type="application/json").json()
    body = as_carol.post(f"{API}{engagement.pk}/generate").json()
    assert [link["id"] for link in body["withdrawn_links"]] == [again["id"]]
    assert body["current_version"] == 3 and body["versions"][0]["status"] == "draft"


def _handover_notes(engagement: Any, carol: Any) -> Any:
    from cairn.documents.actions import Details, create_written
    from cairn.documents.models import DocumentType

    return create_written(engagement, Details("Handover notes", DocumentType.HANDOVER_NOTES),
                          "# Handover\n\nNotes from sales.", by=carol)


def _accepted_proposal(engagement: Any, carol: Any, maria: Any) -> Any:
    """A proposal whose version 1 Maria accepted through its link."""
    actions.generate(engagement, by=carol)
    sharing.respond(actions.send(engagement, maria, by=carol).link, accept=True, typed_name="Maria Jensen")
    return actions.proposal_of(engagement)


def test_finding_2_the_links_api_refuses_the_proposal_purpose_for_another_document(
    as_carol: Client, engagement: Any, carol: Any, maria: Any
) -> None:
    proposal = _accepted_proposal(engagement, carol, maria)
    notes = _handover_notes(engagement, carol)
    response = as_carol.post("/api/v1/shared-links/", {
        "engagement": engagement.pk, "version": notes.current_version.pk, "purpose": "proposal",
        "contact": maria.pk,
    }, content_type="application/json")
    assert response.status_code == 400, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "not the engagement's proposal" in errors["purpose"]
    assert SharedLink.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.accepted_version.number == 1 and proposal.accepted_version.document_id == proposal.document_id


def test_finding_2_the_links_api_refuses_an_older_version_than_the_accepted_one(
    as_carol: Client, engagement: Any, carol: Any, maria: Any
) -> None:
    proposal = _accepted_proposal(engagement, carol, maria)
    revision = actions.edit(engagement, "# Proposal v2\n", base_version=1, by=carol)
    sharing.respond(actions.send(engagement, maria, by=carol).link, accept=True, typed_name="Maria Jensen")
    first = proposal.document.versions.get(number=1)
    response = as_carol.post("/api/v1/shared-links/", {
        "engagement": engagement.pk, "version": first.pk, "purpose": "proposal", "contact": maria.pk,
    }, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "version 2 is accepted" in response.json()["errors"][0]["message"]
    proposal.refresh_from_db()
    assert proposal.accepted_version_id == revision.version.pk


def test_finding_2_a_proposal_link_to_another_document_cannot_replace_the_accepted_version(
    client: Client, engagement: Any, carol: Any, maria: Any
) -> None:
    # A link made before the rule existed (or written around it): the customer page still
    # offers the answer, and accepting it must change nothing.
    proposal = _accepted_proposal(engagement, carol, maria)
    notes = _handover_notes(engagement, carol)
    new = sharing.create_link(engagement, proposal.accepted_version, purpose="proposal", contact=maria, by=carol)
    SharedLink.objects.filter(pk=new.link.pk).update(
        version=notes.current_version, document_title=notes.title,
        content_sha256=sharing.content_hash(notes.current_version),
    )
    response = client.post(reverse("shared_link_accept", args=[new.token]), {"typed_name": "Mallory"})
    assert response.status_code == 200
    assert "cannot take an answer" in response.content.decode()
    link = SharedLink.objects.get(pk=new.link.pk)
    assert link.used_at is None and link.response == ""
    proposal.refresh_from_db()
    assert proposal.accepted_version.document_id == proposal.document_id
    assert proposal.accepted_version.number == 1


def test_finding_2_the_proposal_answer_itself_refuses_to_change_an_accepted_version(
    engagement: Any, carol: Any, maria: Any
) -> None:
    # Defence in depth: even called directly with an answered link to another document, the
    # proposal's answer handler refuses, so the whole answer rolls back.
    from django.core.exceptions import ValidationError

    proposal = _accepted_proposal(engagement, carol, maria)
    notes = _handover_notes(engagement, carol)
    link = SharedLink.objects.get()
    link.version = notes.current_version
    with pytest.raises(ValidationError, match="not the engagement's proposal"):
        actions.on_response(link)
    proposal.refresh_from_db()
    assert proposal.accepted_version.document_id == proposal.document_id
