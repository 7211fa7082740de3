"""Everyone logged in reads; only people on the engagement (and leaders) write."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.documents.models import Document


def _edit_data(document, body: str = "changed"):  # type: ignore[no-untyped-def]
    return {"title": document.title, "doc_type": document.doc_type, "body": body,
            "base_version": document.current_version.number}


@pytest.mark.parametrize("client", ["as_adam", "as_alice", "as_carol", "as_dave", "as_rita"])
def test_everyone_logged_in_reads_documents_and_their_versions(request, client, written):
    browser = request.getfixturevalue(client)
    for url in (reverse("document", args=[written.pk]),
                reverse("document_versions", args=[written.pk]),
                reverse("document_version", args=[written.pk, 1]),
                reverse("document_search") + "?q=handover"):
        assert browser.get(url).status_code == 200, url


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, written):
    response = client.get(reverse("document", args=[written.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("client", "allowed"), [
    ("as_adam", True), ("as_alice", True), ("as_carol", True), ("as_dave", False),
    ("as_rita", False),
])
def test_who_may_write_on_carols_engagement(request, client, allowed, engagement, written):
    browser = request.getfixturevalue(client)
    expected = 302 if allowed else 403
    new = browser.post(reverse("document_new", args=[engagement.pk]),
                       {"title": "Note", "doc_type": "other", "body": "x"})
    assert new.status_code == expected
    upload = browser.post(reverse("document_upload", args=[engagement.pk]),
                          {"file": SimpleUploadedFile("a.txt", b"a"), "doc_type": "other"})
    assert upload.status_code == expected
    edit = browser.post(reverse("document_edit", args=[written.pk]), _edit_data(written))
    assert edit.status_code == expected
    written.refresh_from_db()
    restore = browser.post(reverse("document_restore", args=[written.pk, 1]))
    assert restore.status_code == expected
    expected_count = 3 if allowed else 1
    assert Document.objects.filter(engagement=engagement).count() == expected_count


def test_a_csm_cannot_edit_someone_elses_document(as_dave, written):
    assert as_dave.get(reverse("document_edit", args=[written.pk])).status_code == 403
    response = as_dave.post(reverse("document_edit", args=[written.pk]), _edit_data(written))
    assert response.status_code == 403
    assert b"You may read this document but not change it." in response.content
    written.refresh_from_db()
    assert written.current_version.number == 1


def test_a_team_member_may_write_on_the_engagement(as_dave, dave, engagement, written):
    engagement.team.add(dave)
    response = as_dave.post(reverse("document_edit", args=[written.pk]), _edit_data(written))
    assert response.status_code == 302


def test_read_only_users_change_nothing_and_see_no_edit_buttons(as_rita, written):
    page = as_rita.get(reverse("document", args=[written.pk])).content.decode()
    assert reverse("document_edit", args=[written.pk]) not in page
    assert reverse("document_delete", args=[written.pk]) not in page
    assert as_rita.post(reverse("document_delete", args=[written.pk])).status_code == 403
    assert Document.objects.filter(pk=written.pk).exists()


def test_deleting_a_document_is_recorded_and_returns_to_the_engagement(
    as_carol, written, engagement, carol
):
    response = as_carol.post(reverse("document_delete", args=[written.pk]))
    assert response.status_code == 302
    assert not Document.objects.filter(pk=written.pk).exists()
    deleted = Document.history.filter(id=written.pk, history_type="-").get()
    assert deleted.history_user == carol
    assert engagement.timeline.filter(title="Document deleted: Handover from sales").exists()


def test_documents_of_a_missing_engagement_are_not_found(as_carol, db):
    assert as_carol.get(reverse("document_new", args=[999])).status_code == 404
    assert as_carol.get(reverse("document", args=[999])).status_code == 404
