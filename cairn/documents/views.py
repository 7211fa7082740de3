"""Views of single documents; thin: parse, check permission, call an action, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn import changes
from cairn.documents import actions, notices, rules
from cairn.documents.forms import (
    DetailsForm,
    TemplateTitleForm,
    UploadedEditForm,
    UploadForm,
    WrittenForm,
    bind_errors,
    context_initial,
)
from cairn.documents.models import Document, DocumentKind, DocumentVersion
from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.people import access
from cairn.people.models import User

PREVIEW_MAX_CHARS = 200_000
ADD_REFUSAL = "Only people working on this engagement can add documents to it."


READ_ONLY = "You may read this document but not change it."


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related(
        "current_version", "current_version__created_by", "created_by", "phase",
        "engagement", "engagement__account",
    )


def _document(pk: int) -> Document:
    return get_object_or_404(_documents(), pk=pk)


def _changeable(request: HttpRequest, pk: int, message: str = READ_ONLY) -> Document:
    """The document, if the user may change it (a template: its author or a leader)."""
    return access.item(request.user, _documents(), rules.can_edit_document, message, pk=pk)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    # isdigit() alone takes "²", which int() refuses; and an id has at most 18 digits.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(pk)
    return render(request, "documents/document.html", {
        "document": doc,
        "version": doc.current_version,
        "can_edit": rules.can_edit_document(request.user, doc),
        "can_save_as_template": rules.can_save_as_template(request.user, doc),
    })


@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(
        request.user, engagement_pk, Engagement.objects.select_related("account"),
        message=ADD_REFUSAL,
    )
    template = None
    template_pk = _int_param(request, "template")
    if template_pk is not None:
        template = get_object_or_404(
            Document.objects.select_related("current_version"), pk=template_pk, is_template=True
        )
    if template is not None and template.kind == DocumentKind.UPLOADED:
        return _new_from_file_template(request, engagement, template)
    initial = context_initial(engagement, _int_param(request, "phase"))
    if template is not None:
        body = template.current_version.body if template.current_version else ""
        initial.update(title=template.title, doc_type=template.doc_type, body=body)
    form = WrittenForm(request.POST or None, engagement=engagement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            doc = actions.create_written(
                engagement, form.details(), form.cleaned_data["body"], by=_user(request),
                comment=form.cleaned_data["comment"], template=template,
            )
        except ValidationError as exc:
            bind_errors(form, exc)
        else:
            messages.success(request, f"“{doc.title}” saved as version 1.")
            return redirect(doc)
    return render(request, "documents/edit.html", {
        "form": form, "engagement": engagement, "template": template, "creating": True,
    })


def _new_from_file_template(
    request: HttpRequest, engagement: Engagement, template: Document
) -> HttpResponse:
    initial = {"title": template.title, "doc_type": template.doc_type,
               "phase": _int_param(request, "phase")}
    form = DetailsForm(request.POST or None, engagement=engagement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            doc = actions.create_from_template(engagement, template, form.details(),
                                               by=_user(request))
        except ValidationError as exc:
            bind_errors(form, exc)
        else:
            messages.success(request, f"“{doc.title}” added from the template.")
            return redirect(doc)
    return render(request, "documents/from_file_template.html", {
        "form": form, "engagement": engagement, "template": template,
    })


@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    engagement = access.editable_engagement(
        request.user, engagement_pk, Engagement.objects.select_related("account"),
        message=ADD_REFUSAL,
    )
    form = UploadForm(
        request.POST or None, request.FILES or None, engagement=engagement,
        initial=context_initial(engagement, _int_param(request, "phase")),
    )
    if request.method == "POST" and form.is_valid():
        try:
            doc = actions.create_uploaded(
                engagement, form.details(), form.cleaned_data["file"], by=_user(request),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            bind_errors(form, exc)
        else:
            messages.success(request, f"“{doc.title}” uploaded.")
            return redirect(doc)
    return render(request, "documents/upload.html", {
        "form": form, "engagement": engagement, "upload_limit": settings.UPLOAD_MAX_BYTES,
    })


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _changeable(request, pk)
    current = doc.current_version
    initial = {
        "title": doc.title, "doc_type": doc.doc_type, "phase": doc.phase_id,
        "body": current.body if current else "", "base_version": current.number if current else 0,
    }
    form_class = WrittenForm if doc.is_written else UploadedEditForm
    form = form_class(request.POST or None, request.FILES or None, engagement=doc.engagement,
                      initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["base_version"] is None:
        # Without it the conflict check cannot work, so never guess.
        form.add_error(None, "The form lost track of the version you started from. "
                             "Copy your text, reload the page and save again.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        base: int = data["base_version"]
        version: DocumentVersion | None
        try:
            if doc.is_written:
                version = actions.update_written(
                    doc, form.details(), data["body"], base_version=base, by=_user(request),
                    comment=data["comment"],
                )
            else:
                version = actions.update_uploaded(
                    doc, form.details(), base_version=base, by=_user(request),
                    upload=data.get("file"), comment=data["comment"],
                )
        except actions.EditConflict as exc:
            conflict = exc.current
            form.add_error(None, str(exc))
            # The user has now seen the newer version; a second save is a deliberate choice.
            resubmit = request.POST.copy()
            resubmit["base_version"] = str(conflict.number)
            form.data = resubmit
        except ValidationError as exc:
            bind_errors(form, exc)
        else:
            messages.success(request, f"“{doc.title}” saved: version {version.number}.")
            return redirect("document", pk=doc.pk)
    status = 409 if conflict else 200
    return render(request, "documents/edit.html", {
        "form": form, "document": doc, "engagement": doc.engagement, "conflict": conflict,
        "notices": notices.edit_notices(doc),
    }, status=status)


@require_POST
def document_preview(request: HttpRequest) -> HttpResponse:
    # Renders only what the user sent, so reading rights are enough.
    text = request.POST.get("body", "")[:PREVIEW_MAX_CHARS]
    return HttpResponse(render_markdown(text) or '<p class="muted">Nothing to preview yet.</p>')


@require_GET
def document_versions(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(pk)
    versions = doc.versions.select_related("created_by", "restored_from").order_by("-number")
    return render(request, "documents/versions.html", {
        "document": doc, "versions": versions, "details_history": _details_history(doc),
        "can_edit": rules.can_edit_document(request.user, doc),
    })


DETAIL_FIELDS = ["title", "doc_type", "phase"]


def _details_history(doc: Document) -> list[dict[str, object]]:
    """Changes to the title, type and phase, newest first, each against the one before.

    One query: records are compared in Python, not through simple-history's prev_record.
    """
    history = doc.history  # type: ignore[attr-defined]
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    described = changes.in_sequence(records, fields=DETAIL_FIELDS)
    rows: list[dict[str, object]] = [
        {"record": record, "changes": words}
        for i, (record, words) in enumerate(zip(records, described, strict=True))
        if i == 0 or words
    ]
    return rows[::-1]


def _version(doc: Document, number: int) -> DocumentVersion:
    return get_object_or_404(
        DocumentVersion.objects.select_related("created_by", "restored_from"),
        document=doc, number=number,
    )


@require_GET
def document_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    doc = _document(pk)
    version = _version(doc, number)
    return render(request, "documents/document.html", {
        "document": doc, "version": version, "old_version": version.pk != doc.current_version_id,
        "can_edit": rules.can_edit_document(request.user, doc),
        "can_save_as_template": False,
    })


@require_POST
def document_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    doc = _changeable(request, pk)
    version = _version(doc, number)
    try:
        restored = actions.restore_version(doc, version, by=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("document_versions", pk=doc.pk)
    messages.success(request, f"Version {number} restored as version {restored.number}.")
    return redirect(doc)


@require_GET
def document_download(
    request: HttpRequest, pk: int, number: int | None = None
) -> HttpResponseBase:
    doc = _document(pk)
    version = doc.current_version if number is None else _version(doc, number)
    if version is None or not version.file:
        raise Http404("This version has no file.")
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from the data directory.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=version.filename or "file",
        content_type=version.content_type or "application/octet-stream",
    )
    # Even if a browser ignored "attachment", nothing in the file may run in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def document_save_as_template(request: HttpRequest, pk: int) -> HttpResponse:
    doc = access.item(
        request.user, _documents(), rules.can_save_as_template,
        "Only people working on this engagement can make templates from its documents.", pk=pk,
    )
    form = TemplateTitleForm(request.POST or None, initial={"title": doc.title})
    if request.method == "POST" and form.is_valid():
        try:
            template = actions.save_as_template(doc, by=_user(request),
                                                title=form.cleaned_data["title"])
        except ValidationError as exc:
            bind_errors(form, exc)
        else:
            messages.success(request, f"Template “{template.title}” saved to the repository.")
            return redirect(template)
    return render(request, "documents/save_as_template.html", {"form": form, "document": doc})


@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _changeable(request, pk, "You may read this document but not delete it.")
    engagement = doc.engagement
    actions.delete_document(doc, by=_user(request))
    messages.success(request, f"“{doc.title}” deleted.")
    return redirect(engagement if engagement is not None else "document_search")
