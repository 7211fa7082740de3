"""Forms of the proposal page."""

from __future__ import annotations

from django import forms

from cairn.fields import DOCUMENT, NOTE


class EditForm(forms.Form):
    body = forms.CharField(
        max_length=DOCUMENT,
        widget=forms.Textarea(attrs={"rows": 24, "class": "markdown-editor"}), label="Proposal (Markdown)",
        strip=False, error_messages={"required": "The proposal cannot be empty."},
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False, max_length=200, label="What changed",
        help_text="Kept with the version, e.g. “Targets agreed with the sponsor”.",
    )


class ServicesForm(forms.Form):
    services = forms.CharField(
        max_length=NOTE,
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Our services",
        help_text="Markdown list of what our team does for the customer; used when the proposal "
        "is generated. Left empty, a standard list is used.",
    )
