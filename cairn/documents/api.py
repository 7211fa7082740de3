"""The documents part of the REST API: list and search, read, write, upload, versions,
restore and delete."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, user_of
from cairn.documents import actions, files, queries, rules
from cairn.documents.models import Document, DocumentKind, DocumentType, DocumentVersion
from cairn.people import access
from cairn.people.models import User
from cairn.playbooks.models import Phase
from cairn.validation import DocumentText, Name

_ADD_REFUSAL = "Only people working on this engagement can add documents to it."

router = Router(tags=["documents"])


class VersionOut(Schema):
    number: int
    comment: str
    filename: str
    size: int
    created_at: dt.datetime
    created_by: str | None = Field(None, alias="created_by.username")
    restored_from: int | None = Field(None, alias="restored_from.number")


class DocumentOut(Schema):
    id: int
    title: str
    type: DocumentType = Field(..., alias="doc_type")
    kind: DocumentKind
    is_template: bool
    engagement: int | None = Field(None, alias="engagement_id")
    phase: int | None = Field(None, alias="phase_id")
    current_version: int | None = Field(None, alias="current_version.number")
    filename: str | None = Field(None, alias="current_version.filename")
    created_by: str | None = Field(None, alias="created_by.username")
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(..., alias="get_absolute_url")


class DocumentDetailOut(DocumentOut):
    body: str | None = Field(None, alias="current_version.body")


class DocumentFilters(Schema):
    engagement: int | None = Field(None, description="Only this engagement's documents.")
    type: DocumentType | None = Field(None, description="Only documents of this type.")
    q: Name | None = Field(None, description="Words that must all appear.")


class DocumentIn(Schema):
    engagement: int
    title: Name = Field(..., min_length=1)
    type: DocumentType = DocumentType.OTHER
    phase: int | None = None
    body: DocumentText = ""
    comment: Name = ""


class DocumentUpdate(Schema):
    base_version: int = Field(..., ge=0, description="The version the edit started from.")
    title: Name | None = Field(None, min_length=1)
    type: DocumentType | None = None
    phase: int | None = None
    body: DocumentText | None = None
    comment: Name = ""


class VersionConflict(Schema):
    detail: str
    current_version: int


READ_ONLY = "You may read this document but not change it."


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related("current_version", "created_by", "phase", "engagement")


def _get(pk: int) -> Document:
    return get_object_or_404(_documents(), pk=pk)


def _phase(pk: int | None) -> Phase | None:
    # Whether the phase fits the engagement's playbook is the action's check.
    if pk is None:
        return None
    phase = Phase.objects.filter(pk=pk).first()
    if phase is None:
        raise ValidationError({"phase": f"There is no phase with id {pk}."})
    return phase


@router.get("/", response=list[DocumentOut], summary="List and search documents")
@paginate(Pagination)
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> QuerySet[Document]:
    """Documents and templates, newest first; with `q`, those holding every word, title
    matches first."""
    search = queries.Search(
        q=filters.q or "", doc_type=filters.type or "", engagement_id=filters.engagement
    )
    return queries.search_documents(search)


@router.get("/{int:pk}", response={200: DocumentDetailOut, **READ_ERRORS},
            summary="A document with its current text")
def get_document(request: HttpRequest, pk: int) -> Document:
    return _get(pk)


@router.post("/", response={201: DocumentDetailOut, **WRITE_ERRORS},
             summary="Write a new document")
def create_document(request: HttpRequest, payload: DocumentIn) -> tuple[int, Document]:
    user = user_of(request)
    engagement = access.editable_engagement(
        user, payload.engagement, message=_ADD_REFUSAL, field="engagement"
    )
    details = actions.Details(
        title=payload.title, doc_type=payload.type, phase=_phase(payload.phase)
    )
    document = actions.create_written(
        engagement, details, payload.body, by=user, comment=payload.comment
    )
    return 201, _get(document.pk)


@router.put("/{int:pk}", response={200: DocumentDetailOut, 409: VersionConflict, **WRITE_ERRORS},
            summary="Save a new version of a written document")
def update_document(
    request: HttpRequest, pk: int, payload: DocumentUpdate
) -> tuple[int, object]:
    """Fields left out keep their value. `base_version` must be the current version number;
    if someone saved since, nothing is written and the answer is 409 with their version."""
    user = user_of(request)
    document = access.item(user, _documents(), rules.can_edit_document, READ_ONLY, pk=pk)
    if document.kind != DocumentKind.WRITTEN:
        raise ValidationError({"body": "An uploaded file is replaced in the web interface."})
    current_body = document.current_version.body if document.current_version else ""
    details = actions.Details(
        title=payload.title or document.title,
        doc_type=payload.type or document.doc_type,
        phase=_phase(payload.phase) if "phase" in payload.model_fields_set else document.phase,
    )
    try:
        actions.update_written(
            document, details, payload.body if payload.body is not None else current_body,
            base_version=payload.base_version, by=user, comment=payload.comment,
        )
    except actions.EditConflict as exc:
        return 409, {"detail": str(exc), "current_version": exc.current.number}
    return 200, _get(pk)


@router.get("/{int:pk}/versions", response={200: list[VersionOut], **READ_ERRORS},
            summary="Every version of a document, newest first")
def list_versions(request: HttpRequest, pk: int) -> list[DocumentVersion]:
    document = get_object_or_404(Document, pk=pk)
    return list(
        document.versions.select_related("created_by", "restored_from").order_by("-number")
    )


class UploadIn(Schema):
    engagement: int
    title: Name = Field("", description="Defaults to the file's name.")
    type: DocumentType = DocumentType.OTHER
    phase: int | None = None
    comment: Name = ""


class ReplaceIn(Schema):
    base_version: int = Field(..., ge=0, description="The version the change started from.")
    comment: Name = ""


def _editable(request: HttpRequest, pk: int) -> tuple[Document, User]:
    user = user_of(request)
    return access.item(user, _documents(), rules.can_edit_document, READ_ONLY, pk=pk), user


@router.post("/upload", response={201: DocumentDetailOut, **WRITE_ERRORS},
             summary="Upload a file as a new document (multipart form)")
def upload_document(
    request: HttpRequest, data: Form[UploadIn], file: File[UploadedFile]
) -> tuple[int, Document]:
    user = user_of(request)
    engagement = access.editable_engagement(
        user, data.engagement, message=_ADD_REFUSAL, field="engagement"
    )
    title = data.title.strip() or files.safe_filename(file.name or "")[:200] or "Untitled file"
    details = actions.Details(title=title, doc_type=data.type, phase=_phase(data.phase))
    document = actions.create_uploaded(engagement, details, file, by=user, comment=data.comment)
    return 201, _get(document.pk)


@router.post("/{int:pk}/file", response={200: DocumentDetailOut, 409: VersionConflict, **WRITE_ERRORS},
             summary="Replace an uploaded document's file (a new version; multipart form)")
def replace_file(
    request: HttpRequest, pk: int, data: Form[ReplaceIn], file: File[UploadedFile]
) -> tuple[int, object]:
    document, user = _editable(request, pk)
    details = actions.Details(
        title=document.title, doc_type=document.doc_type, phase=document.phase
    )
    try:
        actions.update_uploaded(
            document, details, base_version=data.base_version, by=user, upload=file,
            comment=data.comment,
        )
    except actions.EditConflict as exc:
        return 409, {"detail": str(exc), "current_version": exc.current.number}
    return 200, _get(pk)


@router.post("/{int:pk}/versions/{int:number}/restore",
             response={200: DocumentDetailOut, **WRITE_ERRORS},
             summary="Make an old version current again (as a new version)")
def restore(request: HttpRequest, pk: int, number: int) -> Document:
    document, user = _editable(request, pk)
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    actions.restore_version(document, version, by=user)
    return _get(pk)


@router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS}, summary="Delete a document")
def delete(request: HttpRequest, pk: int) -> tuple[int, None]:
    document, user = _editable(request, pk)
    actions.delete_document(document, by=user)
    return 204, None
