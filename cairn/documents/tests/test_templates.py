"""Save as template, new from template, and who may change templates."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.documents import actions
from cairn.documents.models import Document
from cairn.timeline.models import Entry


def test_save_as_template_copies_the_current_version_out_of_the_engagement(
    as_carol, written, carol, engagement
):
    response = as_carol.post(reverse("document_save_as_template", args=[written.pk]),
                             {"title": "Handover checklist"})
    template = Document.objects.get(is_template=True)
    assert response.status_code == 302
    assert response["Location"] == template.get_absolute_url()
    assert template.engagement is None and template.phase is None
    assert template.title == "Handover checklist"
    assert template.doc_type == written.doc_type
    assert template.created_by == carol
    assert template.current_version.number == 1
    assert template.current_version.body == written.current_version.body
    assert Entry.objects.filter(engagement=engagement,
                                title="Saved as a template: Handover from sales").exists()
    # Later edits of the document leave the template alone.
    actions.update_written(written, actions.Details(title=written.title), "changed",
                           base_version=1, by=carol)
    template.refresh_from_db()
    assert "Maria" in template.current_version.body


def test_new_from_template_prefills_the_editor_and_records_the_origin(
    as_carol, written, carol, engagement, first_phase
):
    template = actions.save_as_template(written, by=carol, title="Handover template")
    url = reverse("document_new", args=[engagement.pk])
    page = as_carol.get(url, {"template": template.pk, "phase": first_phase.pk})
    assert page.status_code == 200
    assert b"Handover template" in page.content
    assert b"The sponsor is **Maria**" in page.content
    response = as_carol.post(f"{url}?template={template.pk}", {
        "title": "Handover for Acme", "doc_type": "handover_notes", "phase": first_phase.pk,
        "body": "The sponsor is **Jon**.",
    })
    document = Document.objects.get(title="Handover for Acme")
    assert response.status_code == 302
    assert document.engagement == engagement
    assert document.current_version.comment == "Started from the template “Handover template”"


def test_new_from_an_uploaded_template_copies_its_file(as_carol, engagement, carol, settings,
                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    source = actions.create_uploaded(
        engagement, actions.Details(title="Welcome pack"),
        SimpleUploadedFile("welcome.pptx", b"deck"), by=carol,
    )
    template = actions.save_as_template(source, by=carol)
    url = reverse("document_new", args=[engagement.pk])
    assert b"welcome.pptx" in as_carol.get(url, {"template": template.pk}).content
    response = as_carol.post(f"{url}?template={template.pk}",
                             {"title": "Welcome pack for Acme", "doc_type": "onboarding_plan"})
    assert response.status_code == 302
    document = Document.objects.get(title="Welcome pack for Acme")
    assert document.kind == "uploaded"
    assert document.current_version.filename == "welcome.pptx"
    download = as_carol.get(reverse("document_download", args=[document.pk]))
    assert b"".join(download.streaming_content) == b"deck"


def test_the_template_picker_lists_templates_for_the_engagement(as_carol, written, carol,
                                                                engagement):
    template = actions.save_as_template(written, by=carol, title="Handover template")
    page = as_carol.get(reverse("document_from_template", args=[engagement.pk]))
    assert page.status_code == 200
    use = f'{reverse("document_new", args=[engagement.pk])}?template={template.pk}'
    assert use.encode() in page.content


def test_a_template_is_edited_by_its_creator_and_by_leaders_only(
    as_carol, as_alice, as_dave, as_rita, written, carol
):
    template = actions.save_as_template(written, by=carol)
    edit = reverse("document_edit", args=[template.pk])
    data = {"title": "Better template", "doc_type": "handover_notes", "body": "x",
            "base_version": 1}
    assert as_dave.post(edit, data).status_code == 403
    assert as_rita.post(edit, data).status_code == 403
    assert as_carol.post(edit, data).status_code == 302
    data.update(base_version=2, title="Curated template")
    assert as_alice.post(edit, data).status_code == 302
    template.refresh_from_db()
    assert template.title == "Curated template"
    assert template.current_version.number == 3
    delete = reverse("document_delete", args=[template.pk])
    assert as_dave.post(delete).status_code == 403
    assert as_alice.post(delete).status_code == 302
    assert not Document.objects.filter(pk=template.pk).exists()


def test_only_people_on_the_engagement_make_templates_from_its_documents(
    as_dave, as_rita, written
):
    url = reverse("document_save_as_template", args=[written.pk])
    assert as_dave.post(url, {"title": ""}).status_code == 403
    assert as_rita.post(url, {"title": ""}).status_code == 403
    assert not Document.objects.filter(is_template=True).exists()
