"""Uploaded files: limits, names, storage, download headers, new versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.documents.files import safe_filename
from cairn.documents.models import Document, DocumentVersion


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


def _upload(client, engagement, name: str, content: bytes = b"hello", **extra):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile(name, content), "title": "", "doc_type": "report",
            "comment": "", **extra}
    return client.post(reverse("document_upload", args=[engagement.pk]), data)


def test_an_uploaded_file_is_stored_under_a_random_name_and_downloaded_as_attachment(
    as_carol, as_rita, engagement, media
):
    response = _upload(as_carol, engagement, "Roadmap Q3.pdf", b"%PDF-1.4 roadmap")
    assert response.status_code == 302
    document = Document.objects.get()
    version = document.current_version
    assert document.title == "Roadmap Q3.pdf"
    assert version.filename == "Roadmap Q3.pdf"
    assert version.size == len(b"%PDF-1.4 roadmap")
    stored = Path(version.file.path)
    assert stored.parent == Path(media) / "documents"
    assert stored.name != "Roadmap Q3.pdf" and stored.suffix == ".pdf"
    download = as_rita.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="Roadmap Q3.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 roadmap"


@pytest.mark.parametrize("name", ["page.html", "vector.svg", "tool.js", "data.xml"])
def test_active_content_is_served_as_opaque_bytes(as_carol, engagement, name):
    _upload(as_carol, engagement, name, b"<script>alert(1)</script>")
    document = Document.objects.get()
    download = as_carol.get(reverse("document_download", args=[document.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]


def test_a_file_over_the_limit_is_refused_with_a_message_naming_the_field(
    as_carol, engagement, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    response = _upload(as_carol, engagement, "big.csv", b"x" * 2048)
    assert response.status_code == 200
    assert b"File: The file is 2.0\xc2\xa0KB; the limit is 1.0\xc2\xa0KB." in response.content
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_an_empty_file_is_refused(as_carol, engagement):
    response = _upload(as_carol, engagement, "empty.txt", b"")
    assert response.status_code == 200
    assert b"File:" in response.content
    assert not Document.objects.exists()


@pytest.mark.parametrize(("sent", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("README", "README"),
    (".bashrc", "bashrc"),
    ("a\x00b<c>.txt", "a_b_c_.txt"),
    ("..", "file"),
    ("", "file"),
])
def test_file_names_are_reduced_to_a_safe_display_name(sent, shown):
    assert safe_filename(sent) == shown


def test_a_very_long_name_is_cut_but_keeps_its_extension():
    name = safe_filename("r" * 400 + ".docx")
    assert len(name) == 150
    assert name.endswith("rrr.docx")


@pytest.mark.parametrize("name", ["../../etc/passwd", "x" * 300 + ".pdf", "NOEXTENSION"])
def test_hostile_names_never_reach_the_disk(as_carol, engagement, media, name):
    assert _upload(as_carol, engagement, name).status_code == 302
    version = Document.objects.get().current_version
    stored = Path(version.file.path).resolve()
    assert stored.parent == (Path(media) / "documents").resolve()
    assert ".." not in version.file.name
    assert "/" not in version.filename
    assert len(version.filename) <= 150
    download = as_carol.get(reverse("document_download", args=[Document.objects.get().pk]))
    assert download.status_code == 200


def test_replacing_the_file_makes_a_new_version_and_keeps_the_old_file(as_carol, engagement):
    _upload(as_carol, engagement, "plan.txt", b"first plan")
    document = Document.objects.get()
    response = as_carol.post(reverse("document_edit", args=[document.pk]), {
        "title": document.title, "doc_type": "report", "base_version": 1,
        "file": SimpleUploadedFile("plan-v2.txt", b"second plan"), "comment": "new numbers",
    })
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.filename == "plan-v2.txt"
    old = as_carol.get(reverse("document_version_download", args=[document.pk, 1]))
    assert b"".join(old.streaming_content) == b"first plan"
    restored = as_carol.post(reverse("document_restore", args=[document.pk, 1]))
    assert restored.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 3
    assert document.current_version.filename == "plan.txt"
    current = as_carol.get(reverse("document_download", args=[document.pk]))
    assert b"".join(current.streaming_content) == b"first plan"


def test_changing_only_the_details_of_an_upload_is_a_new_version_of_the_same_file(
    as_carol, engagement
):
    _upload(as_carol, engagement, "plan.txt", b"first plan")
    document = Document.objects.get()
    response = as_carol.post(reverse("document_edit", args=[document.pk]), {
        "title": "Onboarding plan", "doc_type": "onboarding_plan", "base_version": 1,
    })
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Onboarding plan"
    assert document.current_version.number == 2
    assert document.current_version.filename == "plan.txt"
    assert document.current_version.comment == "Details changed"


def test_two_people_changing_an_uploads_details_meet_a_conflict(
    as_carol, as_alice, engagement
):
    _upload(as_carol, engagement, "plan.txt", b"first plan")
    document = Document.objects.get()
    url = reverse("document_edit", args=[document.pk])
    first = as_carol.post(url, {"title": "Carol's title", "doc_type": "other", "base_version": 1})
    second = as_alice.post(url, {"title": "Alice's title", "doc_type": "other", "base_version": 1})
    assert first.status_code == 302
    assert second.status_code == 409
    document.refresh_from_db()
    assert document.title == "Carol's title"


def test_the_text_of_plain_text_uploads_is_kept_for_search(as_carol, engagement):
    _upload(as_carol, engagement, "notes.md", b"Kick-off with the **steering** group")
    _upload(as_carol, engagement, "photo.png", b"\x89PNG steering")
    texts = dict(DocumentVersion.objects.values_list("filename", "extracted_text"))
    assert texts["notes.md"] == "Kick-off with the **steering** group"
    assert texts["photo.png"] == ""


def test_the_versions_page_shows_who_changed_the_details(as_carol, engagement):
    _upload(as_carol, engagement, "plan.txt", b"first plan")
    document = Document.objects.get()
    as_carol.post(reverse("document_edit", args=[document.pk]), {
        "title": "Onboarding plan", "doc_type": "onboarding_plan", "base_version": 1,
    })
    page = as_carol.get(reverse("document_versions", args=[document.pk])).content.decode()
    assert "History of the details" in page
    # In words, with the type's label rather than its stored code (issue 13, screens).
    assert "<strong>Title</strong> changed from plan.txt to Onboarding plan" in page
    assert "to Onboarding plan</div>" in page and "onboarding_plan" not in page
    assert "Carol Owner" in page
