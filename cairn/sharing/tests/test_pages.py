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
    answered = SharedLink.objects.get()
    for method, suffix, data in [("get", "", None), ("post", "decline/", {"comment": "No"}),
                                 ("post", "accept/", {"typed_name": "Mallory"}),
                                 ("post", "accept/", {"typed_name": ""})]:
        response = getattr(Client(), method)(_path(sent, suffix), data)
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    link = SharedLink.objects.get()
    assert (link.response, link.typed_name, link.comment) == ("accepted", "Maria Jensen", "")
    assert (link.used_at, link.ip_address) == (answered.used_at, answered.ip_address)
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).count() == 1


def _offers_the_copy(page: str, sent: Any) -> bool:
    return _path(sent, "read/") in page and _path(sent, "file/") in page


def test_the_thank_you_page_offers_the_answered_version_to_read_and_download(sent: Any) -> None:
    response = Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    page = response.content.decode()
    assert "Thank you, Maria Jensen" in page and _offers_the_copy(page, sent)
    assert "Download as PDF" in page


def test_an_answered_link_serves_a_read_only_copy_until_it_expires(sent: Any, plan: Any, carol: Any) -> None:
    from cairn.documents.actions import update_written

    Client().post(_path(sent, "decline/"), {"comment": "Targets too low."})
    update_written(plan, _details(plan), "# Rewritten\n\nSomething else.", base_version=1, by=carol)
    used = Client().get(_path(sent))
    assert used.status_code == 410 and "already been used" in used.content.decode()
    assert _offers_the_copy(used.content.decode(), sent)

    read = Client().get(_path(sent, "read/"))
    assert read.status_code == 200 and read["Cache-Control"] == "no-store"
    page = read.content.decode()
    assert "Energy use" in page and "Rewritten" not in page  # the version answered, frozen
    assert "You declined this version" in page and "Targets too low." in page
    assert "/accept/" not in page and "/decline/" not in page and "Your full name" not in page
    pdf = Client().get(_path(sent, "file/"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(pdf.content))

    now = timezone.now()
    SharedLink.objects.update(created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(days=1))
    for suffix in ("", "read/", "file/"):
        response = Client().get(_path(sent, suffix))
        assert response.status_code == 410
        page = response.content.decode()
        assert "already been used" in page and "Energy use" not in page
        assert not _offers_the_copy(page, sent)


def test_answering_again_from_the_read_only_copy_changes_nothing(sent: Any) -> None:
    Client(REMOTE_ADDR="198.51.100.7").post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    answered = SharedLink.objects.get()
    assert Client().get(_path(sent, "read/")).status_code == 200
    for suffix, data in [("accept/", {"typed_name": "Mallory"}), ("decline/", {"comment": "Changed my mind"})]:
        response = Client(REMOTE_ADDR="203.0.113.9").post(_path(sent, suffix), data)
        assert response.status_code == 410 and _offers_the_copy(response.content.decode(), sent)
    link = SharedLink.objects.get()
    assert (link.response, link.typed_name, link.comment, link.used_at, link.ip_address) == (
        "accepted", "Maria Jensen", "", answered.used_at, "198.51.100.7"
    )
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).count() == 1


def test_an_answered_link_serves_nothing_once_its_document_is_deleted(
    sent: Any, plan: Any, carol: Any
) -> None:
    from cairn.documents.actions import delete_document

    Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    delete_document(plan, by=carol)
    for suffix in ("", "read/", "file/"):
        response = Client().get(_path(sent, suffix))
        page = response.content.decode()
        assert response.status_code == 410 and "already been used" in page
        assert not _offers_the_copy(page, sent) and "Energy use" not in page
    assert SharedLink.objects.get().response == "accepted"


def test_an_open_link_reads_on_its_answer_page(sent: Any) -> None:
    response = Client().get(_path(sent, "read/"))
    assert response.status_code == 302 and response["Location"] == _path(sent)


def test_the_read_only_copy_keeps_a_constant_number_of_queries(
    sent: Any, django_assert_max_num_queries: Any
) -> None:
    Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    with django_assert_max_num_queries(4):
        assert Client().get(_path(sent, "read/")).status_code == 200


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(sent: Any) -> None:
    now = timezone.now()
    SharedLink.objects.update(created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(days=6))
    assert "This link has expired" in Client().get(_path(sent)).content.decode()
    response = Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    assert response.status_code == 410
    assert SharedLink.objects.get().used_at is None
    for suffix in ("read/", "file/"):
        response = Client().get(_path(sent, suffix))
        assert response.status_code == 410 and "This link has expired" in response.content.decode()


def test_a_revoked_link_shows_a_clear_page(sent: Any, as_carol: Client) -> None:
    response = as_carol.post(reverse("shared_link_revoke", args=[sent.link.pk]), {"next": "/engagements/"})
    assert response.status_code == 302 and response["Location"] == "/engagements/"
    for suffix in ("", "read/", "file/"):
        response = Client().get(_path(sent, suffix))
        page = response.content.decode()
        assert response.status_code == 410 and "withdrawn" in page and "Energy use" not in page


def test_a_forged_token_gets_a_not_found_page_that_reveals_nothing(sent: Any) -> None:
    for suffix, method in [("", "get"), ("accept/", "post"), ("file/", "get"), ("read/", "get")]:
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


def test_the_answer_page_refuses_a_version_whose_content_changed_since_it_was_sent(
    sent: Any, plan: Any
) -> None:
    from cairn.documents.models import DocumentVersion

    DocumentVersion.objects.filter(pk=plan.current_version.pk).update(body="# Another plan\n")
    response = Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    assert response.status_code == 200
    assert "changed since this link was sent" in response.content.decode()
    assert SharedLink.objects.get().used_at is None


def test_finding_2_the_answer_page_refuses_a_link_whose_purpose_does_not_fit_its_document(
    sent: Any, plan: Any
) -> None:
    from cairn.documents.models import Document, DocumentType

    Document.objects.filter(pk=plan.pk).update(doc_type=DocumentType.HANDOVER_NOTES)
    response = Client().post(_path(sent, "accept/"), {"typed_name": "Maria Jensen"})
    assert "cannot take an answer" in response.content.decode()
    assert SharedLink.objects.get().used_at is None
