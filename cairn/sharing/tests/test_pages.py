"""The customer's pages (no account) and the CS team's revoke, through the HTTP client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.sharing.models import SharedLink
from cairn.testing_pdf import assert_not_blank, first_page_image
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def _path(sent: Any, suffix: str = "") -> str:
    return f"/shared/{sent.token}/{suffix}"


def test_the_customer_reads_the_frozen_version_without_an_account(sent: Any) -> None:
    response = Client().get(_path(sent))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Success plan" in page and "<table>" in page and "Energy use" in page
    assert "Here is the plan we discussed." in page
    assert "Sign off" in page and "Decline" in page
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "no-store"


def test_the_customer_page_keeps_a_constant_number_of_queries(
    sent: Any, django_assert_max_num_queries: Any, engagement: Any, plan: Any, carol: Any
) -> None:
    from cairn.documents.actions import update_written
    from cairn.documents.models import Document

    with django_assert_max_num_queries(4):
        assert Client().get(_path(sent)).status_code == 200
    long_body = "\n\n".join(f"## Part {n}\n\nText {n}." for n in range(200))
    document = Document.objects.get(pk=plan.pk)
    update_written(document, _details(document), long_body, base_version=1, by=carol)
    with django_assert_max_num_queries(4):
        assert Client().get(_path(sent)).status_code == 200


def _details(document: Any) -> Any:
    from cairn.documents.actions import Details

    return Details(document.title, document.doc_type)


def test_the_frozen_version_is_shown_even_after_the_document_moves_on(
    sent: Any, plan: Any, carol: Any
) -> None:
    from cairn.documents.actions import update_written

    update_written(plan, _details(plan), "# Rewritten\n\nSomething else.", base_version=1, by=carol)
    page = Client().get(_path(sent)).content.decode()
    assert "Energy use" in page and "Rewritten" not in page


def test_the_customer_downloads_the_version_as_a_pdf_that_is_not_blank(sent: Any) -> None:
    response = Client().get(_path(sent, "file/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(response.content))


def test_accepting_through_the_page_records_the_answer_and_thanks_the_customer(sent: Any) -> None:
    response = Client(HTTP_USER_AGENT="Safari", REMOTE_ADDR="198.51.100.7").post(
        _path(sent, "accept/"), {"typed_name": "Maria Jensen", "comment": "Looks right."}
    )
    assert response.status_code == 200
    assert "Thank you, Maria Jensen" in response.content.decode()
    link = SharedLink.objects.get()
    assert (link.response, link.typed_name, link.comment) == ("accepted", "Maria Jensen", "Looks right.")
    assert (link.ip_address, link.user_agent) == ("198.51.100.7", "Safari")
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE, engagement=link.engagement).exists()


def test_accepting_without_a_name_names_the_field_and_records_nothing(sent: Any) -> None:
    response = Client().post(_path(sent, "accept/"), {"typed_name": "   "})
    assert response.status_code == 200
    assert "Type your full name to accept." in response.content.decode()
    assert SharedLink.objects.get().used_at is None


def test_declining_needs_a_comment(sent: Any) -> None:
    response = Client().post(_path(sent, "decline/"), {"comment": ""})
    assert "Say why you decline" in response.content.decode()
    assert SharedLink.objects.get().used_at is None
    response = Client().post(_path(sent, "decline/"), {"comment": "Targets too low."})
    assert "Targets too low." in response.content.decode()
    assert SharedLink.objects.get().response == "declined"


def test_a_used_link_shows_a_clear_page_and_changes_nothing(sent: Any) -> None:
    Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    for method, suffix, data in [("get", "", None), ("post", "decline/", {"comment": "No"}),
                                 ("post", "accept/", {"typed_name": "Mallory"}), ("get", "file/", None)]:
        response = getattr(Client(), method)(_path(sent, suffix), data)
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    link = SharedLink.objects.get()
    assert (link.response, link.typed_name) == ("accepted", "Maria Jensen")
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).count() == 1


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(sent: Any) -> None:
    now = timezone.now()
    SharedLink.objects.update(created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(days=6))
    assert "This link has expired" in Client().get(_path(sent)).content.decode()
    response = Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    assert response.status_code == 410
    assert SharedLink.objects.get().used_at is None


def test_a_revoked_link_shows_a_clear_page(sent: Any, as_carol: Client) -> None:
    response = as_carol.post(reverse("shared_link_revoke", args=[sent.link.pk]), {"next": "/engagements/"})
    assert response.status_code == 302 and response["Location"] == "/engagements/"
    response = Client().get(_path(sent))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_a_forged_token_gets_a_not_found_page_that_reveals_nothing(sent: Any) -> None:
    for suffix, method in [("", "get"), ("accept/", "post"), ("file/", "get")]:
        response = getattr(Client(), method)(f"/shared/forged-token-{'x' * 30}/{suffix}")
        assert response.status_code == 404
        page = response.content.decode()
        assert "This link is not valid" in page and "Success plan" not in page
    assert SharedLink.objects.get().used_at is None


def test_revoking_needs_a_login_and_the_right_to_edit_the_engagement(
    sent: Any, as_dave: Client, as_rita: Client
) -> None:
    url = reverse("shared_link_revoke", args=[sent.link.pk])
    response = Client().post(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert as_dave.post(url).status_code == 403
    assert as_rita.post(url).status_code == 403
    assert SharedLink.objects.get().revoked_at is None


def test_an_external_next_url_is_ignored_after_revoking(sent: Any, as_carol: Client, engagement: Any) -> None:
    response = as_carol.post(reverse("shared_link_revoke", args=[sent.link.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == engagement.get_absolute_url()
