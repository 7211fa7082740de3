"""Domain actions on documents. Each owns its transaction, keeps every version, and writes
the engagement's timeline and the document's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cairn.documents import files
from cairn.documents.models import Document, DocumentKind, DocumentType, DocumentVersion
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.playbooks.models import Phase
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind


class EditConflict(Exception):
    """Someone saved a newer version since the editor was opened; nothing was written."""

    def __init__(self, current: DocumentVersion) -> None:
        self.current = current
        who = current.created_by or "someone"
        super().__init__(
            f"{who} saved version {current.number} while you were editing. "
            "Nothing was overwritten: compare with their version before saving again."
        )


@dataclass
class Details:
    title: str
    doc_type: str = DocumentType.OTHER
    phase: Phase | None = None


def _check_details(details: Details, engagement: Engagement | None) -> None:
    if not details.title.strip():
        raise ValidationError({"title": "Give the document a title."})
    if details.doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": f"Unknown document type {details.doc_type!r}."})
    if details.phase is None:
        return
    if engagement is None:
        raise ValidationError({"phase": "A template does not belong to a phase."})
    if details.phase.version_id != engagement.playbook_version_id:
        raise ValidationError({"phase": "That phase is not in this engagement's playbook."})


def _apply(document: Document, details: Details) -> None:
    document.title = details.title.strip()
    document.doc_type = details.doc_type
    document.phase = details.phase


def _record(document: Document, title: str, by: User, body: str = "") -> None:
    engagement = document.engagement
    if engagement is None:  # templates live outside any account's timeline
        return
    record(
        engagement.account, EntryKind.DOCUMENT, title, engagement=engagement, author=by,
        body=body, link=document.get_absolute_url(),
    )


def _add_version(
    document: Document,
    *,
    by: User,
    body: str = "",
    upload: UploadedFile | None = None,
    copy_of: DocumentVersion | None = None,
    comment: str = "",
    restored_from: DocumentVersion | None = None,
) -> DocumentVersion:
    previous = document.current_version
    version = DocumentVersion(
        document=document,
        number=(previous.number if previous else 0) + 1,
        body=body,
        comment=comment.strip()[:200],
        restored_from=restored_from,
        created_by=by,
    )
    if upload is not None:
        try:
            files.check_size(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        name = files.safe_filename(upload.name or "")
        version.filename = name
        version.content_type = files.safe_content_type(name)
        version.size = upload.size or 0
        version.extracted_text = files.extract_text(upload, name)
        version.file = upload  # type: ignore[assignment]  # stored under a random name
    elif copy_of is not None:
        # Versions share the stored file: files are never rewritten, so this is safe.
        version.body = copy_of.body
        version.file = copy_of.file.name  # type: ignore[assignment]
        version.filename = copy_of.filename
        version.content_type = copy_of.content_type
        version.size = copy_of.size
        version.extracted_text = copy_of.extracted_text
    version.save()
    document.current_version = version
    return version


def _save(document: Document, by: User) -> None:
    document._history_user = by  # type: ignore[attr-defined]
    document.full_clean(exclude=["current_version"])
    document.save()


def _set_current(document: Document) -> None:
    # The pointer to the newest version is not part of the history (see the model), so a
    # plain update keeps a new document's history at one "created" record.
    Document.objects.filter(pk=document.pk).update(current_version=document.current_version)


def _lock(document: Document, base_version: int | None) -> Document:
    """Lock the document row and refuse the write if it moved on since `base_version`."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    current = locked.current_version
    if base_version is not None and current is not None and current.number != base_version:
        raise EditConflict(current)
    return locked


@transaction.atomic
def create_written(
    engagement: Engagement,
    details: Details,
    body: str,
    *,
    by: User,
    comment: str = "",
    template: Document | None = None,
) -> Document:
    _check_details(details, engagement)
    document = Document(
        engagement=engagement, kind=DocumentKind.WRITTEN, created_by=by, source_template=template
    )
    _apply(document, details)
    _save(document, by)
    if template is not None and not comment:
        comment = f"Started from the template “{template.title}”"
    _add_version(document, by=by, body=body, comment=comment)
    _set_current(document)
    _record(document, f"Document written: {document.title}", by, body=comment)
    return document


@transaction.atomic
def create_uploaded(
    engagement: Engagement, details: Details, upload: UploadedFile, *, by: User, comment: str = ""
) -> Document:
    _check_details(details, engagement)
    document = Document(engagement=engagement, kind=DocumentKind.UPLOADED, created_by=by)
    _apply(document, details)
    _save(document, by)
    version = _add_version(document, by=by, upload=upload, comment=comment)
    _set_current(document)
    _record(document, f"File uploaded: {document.title} ({version.filename})", by, body=comment)
    return document


@transaction.atomic
def create_from_template(
    engagement: Engagement, template: Document, details: Details, *, by: User
) -> Document:
    """Start a document from a template as it is (used for uploaded-file templates)."""
    if not template.is_template or template.current_version is None:
        raise ValidationError({"template": "Choose a template to start from."})
    _check_details(details, engagement)
    document = Document(
        engagement=engagement, kind=template.kind, created_by=by, source_template=template
    )
    _apply(document, details)
    _save(document, by)
    _add_version(
        document, by=by, copy_of=template.current_version,
        comment=f"Started from the template “{template.title}”",
    )
    _set_current(document)
    _record(document, f"Document added from a template: {document.title}", by)
    return document


@transaction.atomic
def update_written(
    document: Document,
    details: Details,
    body: str,
    *,
    base_version: int,
    by: User,
    comment: str = "",
) -> DocumentVersion:
    """Save an edit as a new version, unless someone saved since `base_version`."""
    locked = _lock(document, base_version)
    if locked.kind != DocumentKind.WRITTEN:
        raise ValidationError({"body": "Only documents written in Cairn have a text to edit."})
    _check_details(details, locked.engagement)
    _apply(locked, details)
    version = _add_version(locked, by=by, body=body, comment=comment)
    _save(locked, by)
    _record(locked, f"Document updated: {locked.title} (version {version.number})", by,
            body=comment)
    return version


@transaction.atomic
def update_uploaded(
    document: Document,
    details: Details,
    *,
    base_version: int,
    by: User,
    upload: UploadedFile | None = None,
    comment: str = "",
) -> DocumentVersion:
    """Change an uploaded document's details, and replace its file if a new one is given."""
    locked = _lock(document, base_version)
    if locked.kind != DocumentKind.UPLOADED:
        raise ValidationError({"file": "Only uploaded documents have a file to replace."})
    _check_details(details, locked.engagement)
    _apply(locked, details)
    if upload is not None:
        version = _add_version(locked, by=by, upload=upload, comment=comment)
        title = f"New file for {locked.title}: {version.filename} (version {version.number})"
    else:
        # A change of title, type or phase is a save too: it gets a version (the same file),
        # so a second person editing from the older version meets a conflict, not a loss.
        version = _add_version(
            locked, by=by, copy_of=locked.current_version,
            comment=comment or "Details changed",
        )
        title = f"Document details changed: {locked.title} (version {version.number})"
    _save(locked, by)
    _record(locked, title, by, body=comment)
    return version


@transaction.atomic
def restore_version(document: Document, version: DocumentVersion, *, by: User) -> DocumentVersion:
    """Make an old version current again, as a new version, so the history only grows."""
    locked = _lock(document, None)
    if version.document_id != locked.pk:
        raise ValidationError("That version belongs to another document.")
    if locked.current_version_id == version.pk:
        raise ValidationError(f"Version {version.number} is already the current version.")
    restored = _add_version(
        locked, by=by, copy_of=version, restored_from=version,
        comment=f"Restored from version {version.number}",
    )
    _save(locked, by)
    _record(
        locked,
        f"Document restored: {locked.title} back to version {version.number} "
        f"(now version {restored.number})",
        by,
    )
    return restored


@transaction.atomic
def save_as_template(document: Document, *, by: User, title: str = "") -> Document:
    """Copy the document's current version into a new template for the next engagements,
    in one step; the template keeps a link to the document it was promoted from."""
    if document.is_template:
        raise ValidationError("This document is already a template.")
    if document.current_version is None:
        raise ValidationError("This document has no content to copy.")
    template = Document(
        engagement=None, phase=None, is_template=True, kind=document.kind,
        doc_type=document.doc_type, title=(title.strip() or document.title)[:200], created_by=by,
        origin=document,
    )
    _save(template, by)
    _add_version(
        template, by=by, copy_of=document.current_version,
        comment=f"Saved from “{document.title}” version {document.current_version.number}",
    )
    _set_current(template)
    _record(document, f"Saved as a template: {document.title}", by)
    return template


@transaction.atomic
def delete_document(document: Document, *, by: User) -> None:
    # Files stay on disk: restored versions and templates may share them.
    title = document.title
    engagement = document.engagement
    document._history_user = by  # type: ignore[attr-defined]
    document.delete()
    if engagement is not None:
        record(
            engagement.account, EntryKind.DOCUMENT, f"Document deleted: {title}",
            engagement=engagement, author=by, link=engagement.get_absolute_url(),
        )
