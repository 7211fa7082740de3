from __future__ import annotations

from django.urls import reverse

from cairn.documents.models import Document, DocumentVersion
from cairn.timeline.models import Entry


def test_a_csm_writes_a_document_on_her_engagement_and_it_is_version_1(as_carol, engagement,
                                                                      first_phase, carol):
    response = as_carol.post(reverse("document_new", args=[engagement.pk]), {
        "title": "Engagement strategy", "doc_type": "engagement_strategy",
        "phase": first_phase.pk, "body": "## Goals\n\nCut energy use by 20 %.", "comment": "",
    })
    document = Document.objects.get(title="Engagement strategy")
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert document.current_version.number == 1
    assert document.current_version.body.startswith("## Goals")
    assert document.phase == first_phase
    assert document.history.get().history_user == carol
    page = as_carol.get(document.get_absolute_url())
    assert b"<h2>Goals</h2>" in page.content


def test_every_save_keeps_the_earlier_version(as_carol, written):
    for number, text in ((2, "Second text"), (3, "Third text")):
        response = as_carol.post(reverse("document_edit", args=[written.pk]), {
            "title": written.title, "doc_type": written.doc_type, "phase": written.phase_id,
            "body": text, "comment": f"edit {number}", "base_version": number - 1,
        })
        assert response.status_code == 302
    versions = list(written.versions.order_by("number").values_list("number", "body"))
    assert [n for n, _ in versions] == [1, 2, 3]
    assert versions[0][1].startswith("# Handover")
    written.refresh_from_db()
    assert written.current_version.body == "Third text"


def test_the_version_list_and_an_old_version_can_be_read(as_rita, as_carol, written):
    as_carol.post(reverse("document_edit", args=[written.pk]), {
        "title": written.title, "doc_type": written.doc_type, "body": "New text",
        "base_version": 1, "comment": "rewrote it",
    })
    listing = as_rita.get(reverse("document_versions", args=[written.pk]))
    assert listing.status_code == 200
    assert b"rewrote it" in listing.content
    old = as_rita.get(reverse("document_version", args=[written.pk, 1]))
    assert old.status_code == 200
    assert b"Maria" in old.content
    assert b"not the current one" in old.content
    missing = as_rita.get(reverse("document_version", args=[written.pk, 9]))
    assert missing.status_code == 404


def test_restoring_an_old_version_makes_a_new_version_that_copies_it(as_carol, written, carol):
    as_carol.post(reverse("document_edit", args=[written.pk]), {
        "title": written.title, "doc_type": written.doc_type, "body": "A worse text",
        "base_version": 1,
    })
    response = as_carol.post(reverse("document_restore", args=[written.pk, 1]))
    assert response.status_code == 302
    written.refresh_from_db()
    current = written.current_version
    first = written.versions.get(number=1)
    assert current.number == 3
    assert current.body == first.body
    assert current.restored_from == first
    assert current.created_by == carol
    assert written.versions.count() == 3


def test_restoring_the_current_version_is_refused_with_a_message(as_carol, written):
    response = as_carol.post(reverse("document_restore", args=[written.pk, 1]), follow=True)
    assert b"already the current version" in response.content
    assert written.versions.count() == 1


def test_writing_updating_and_restoring_are_on_the_engagement_timeline(as_carol, written,
                                                                       engagement):
    as_carol.post(reverse("document_edit", args=[written.pk]), {
        "title": written.title, "doc_type": written.doc_type, "body": "v2", "base_version": 1,
    })
    as_carol.post(reverse("document_restore", args=[written.pk, 1]))
    entries = Entry.objects.filter(engagement=engagement, kind="document").order_by("id")
    titles = [e.title for e in entries]
    assert titles == [
        "Document written: Handover from sales",
        "Document updated: Handover from sales (version 2)",
        "Document restored: Handover from sales back to version 1 (now version 3)",
    ]
    assert all(e.account_id == engagement.account_id for e in entries)
    assert all(e.link == written.get_absolute_url() for e in entries)


def test_an_empty_title_is_refused_naming_the_field_and_nothing_is_saved(as_carol, engagement):
    response = as_carol.post(reverse("document_new", args=[engagement.pk]), {
        "title": "", "doc_type": "report", "body": "text",
    })
    assert response.status_code == 200
    assert b"Title: This field is required." in response.content
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_a_phase_of_another_playbook_version_is_refused(as_carol, engagement):
    from cairn.playbooks.models import Phase, PlaybookVersion

    other = PlaybookVersion.objects.create(
        playbook=engagement.playbook_version.playbook, number=99, status="draft"
    )
    foreign = Phase.objects.create(version=other, position=1, key="x", name="X", stage="initial")
    response = as_carol.post(reverse("document_new", args=[engagement.pk]), {
        "title": "Plan", "doc_type": "report", "body": "text", "phase": foreign.pk,
    })
    assert response.status_code == 200
    assert b"Phase:" in response.content
    assert not Document.objects.exists()


def test_the_live_preview_renders_sanitized_markdown(as_carol):
    response = as_carol.post(reverse("document_preview"),
                             {"body": "**bold** <script>alert(1)</script>"})
    assert response.status_code == 200
    assert b"<strong>bold</strong>" in response.content
    assert b"<script" not in response.content


def test_the_editor_page_wires_the_preview_with_htmx(as_carol, written):
    response = as_carol.get(reverse("document_edit", args=[written.pk]))
    assert response.status_code == 200
    assert f'hx-post="{reverse("document_preview")}"'.encode() in response.content
    assert b'id="preview"' in response.content
    assert b'name="base_version" value="1"' in response.content


def test_the_forms_to_write_upload_and_make_a_template_open_for_the_owner(
    as_carol, engagement, written, first_phase
):
    pages = [
        reverse("document_new", args=[engagement.pk]) + f"?phase={first_phase.pk}",
        reverse("document_upload", args=[engagement.pk]),
        reverse("document_save_as_template", args=[written.pk]),
        reverse("document_from_template", args=[engagement.pk]),
    ]
    for url in pages:
        response = as_carol.get(url)
        assert response.status_code == 200, url
    new_page = as_carol.get(pages[0]).content.decode()
    assert f'<option value="{first_phase.pk}" selected>' in new_page
