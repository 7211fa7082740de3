"""Forms of the repository. They parse and validate; actions do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy

from cairn.documents import files
from cairn.documents.actions import Details
from cairn.documents.models import DocumentType
from cairn.engagements.models import Engagement
from cairn.fields import DOCUMENT
from cairn.playbooks.models import Phase


class DetailsForm(forms.Form):
    title = forms.CharField(max_length=200)
    doc_type = forms.ChoiceField(label="Type", choices=DocumentType.choices)
    phase = forms.ModelChoiceField(
        queryset=Phase.objects.none(), required=False, empty_label="No particular phase",
        help_text="The phase of the engagement this document belongs to.",
    )

    def __init__(self, *args: Any, engagement: Engagement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if engagement is None:
            # Templates are not tied to an engagement, so not to a phase either.
            del self.fields["phase"]
        else:
            self.fields["phase"].queryset = Phase.objects.filter(  # type: ignore[attr-defined]
                version_id=engagement.playbook_version_id
            ).order_by("position")

    def details(self) -> Details:
        data = self.cleaned_data
        return Details(title=data["title"], doc_type=data["doc_type"], phase=data.get("phase"))


class WrittenForm(DetailsForm):
    body = forms.CharField(
        max_length=DOCUMENT,
        label="Text", required=False, strip=False,
        widget=forms.Textarea(attrs={
            "rows": 24, "spellcheck": "true",
            # Live preview: htmx posts the text to the sanitizing renderer as the user types
            # (the first preview is rendered with the page).
            "hx-post": reverse_lazy("document_preview"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#preview",
            "hx-swap": "innerHTML",
        }),
        help_text="Markdown: # headings, **bold**, - lists, [links](https://…), | tables |.",
    )
    comment = forms.CharField(
        label="What changed", max_length=200, required=False,
        help_text="Optional; shown in the list of versions.",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def _clean_upload(upload: UploadedFile | None) -> UploadedFile | None:
    if upload is None:
        return None
    files.check_size(upload)
    return upload


# The kind of document a phase usually produces (the standard playbook's phase keys), so a
# file added from an engagement is filed where its work happens, not as the first choice.
PHASE_DOCUMENT_TYPES = {
    "preparation": DocumentType.HANDOVER_NOTES,
    "commitment": DocumentType.PROPOSAL,
    "onboarding": DocumentType.ONBOARDING_PLAN,
    "adoption-planning": DocumentType.ADOPTION_PLAN,
    "adoption-implementation": DocumentType.REPORT,
    "value-realization": DocumentType.REPORT,
    "engagement-evaluation": DocumentType.LESSONS_LEARNED,
}


def context_initial(engagement: Engagement, phase_pk: int | None) -> dict[str, object]:
    """A new document's phase and type from where it is added: the phase the page names if
    it is one of the engagement's, else the engagement's current phase."""
    phases = Phase.objects.filter(version_id=engagement.playbook_version_id)
    phase = phases.filter(pk=phase_pk).first() if phase_pk is not None else None
    if phase is None:
        phase = engagement.current_phase
    return {"phase": phase.pk, "doc_type": PHASE_DOCUMENT_TYPES.get(phase.key, DocumentType.OTHER)}


class UploadForm(DetailsForm):
    file = forms.FileField(help_text="Any file up to the size limit; it is always downloaded, "
                                     "never opened in the browser.")
    comment = forms.CharField(label="Note", max_length=200, required=False)
    field_order = ["file", "title", "doc_type", "phase", "comment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty to use the file name."

    def clean_file(self) -> UploadedFile | None:
        return _clean_upload(self.cleaned_data.get("file"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and not data.get("title"):
            data["title"] = files.safe_filename(upload.name or "")[:200]
        return data


class UploadedEditForm(DetailsForm):
    file = forms.FileField(
        label="Replace the file", required=False,
        help_text="Optional. The current file stays available as an earlier version.",
    )
    comment = forms.CharField(label="What changed", max_length=200, required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean_file(self) -> UploadedFile | None:
        return _clean_upload(self.cleaned_data.get("file"))


class TemplateTitleForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to keep the document's title."
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    doc_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *DocumentType.choices]
    )
    account = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    engagement = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def bind_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form, on the field it names when it can."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
