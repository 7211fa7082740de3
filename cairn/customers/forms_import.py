"""Forms of the import flow: the upload, then the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from cairn.customers.importing.mapping import KIND_CHOICES, Kind
from cairn.customers.importing.readers import SUFFIXES
from cairn.customers.importing.values import DateOrder

NOT_IMPORTED = ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?", choices=KIND_CHOICES, widget=forms.RadioSelect,
        initial="accounts",
    )
    file = forms.FileField(
        label="File", widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "CSV (comma, semicolon or tab; UTF-8 or Windows encoding) or Excel .xlsx, as "
            f"exported from your CRM; at most {filesizeformat(settings.UPLOAD_MAX_BYTES)}."
        )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(uploaded.size)}; the limit is "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}. Split it, or export fewer columns."
            )
        if not uploaded.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(
                f"Cairn imports {', '.join(SUFFIXES)} files; this one is {uploaded.name!r}."
            )
        return uploaded


class MappingForm(forms.Form):
    """One select per Cairn field, listing the file's columns."""

    date_order = forms.ChoiceField(
        label="Dates like 03/04/2026 are", choices=DateOrder.choices, initial=DateOrder.AUTO,
        help_text="ISO dates (2026-04-03) and dates with a month name are always understood.",
    )

    def __init__(self, *args: Any, kind: Kind, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [(NOT_IMPORTED, "— not imported —"), *[(h, h) for h in headers]]
        for field in kind.fields:
            self.fields[f"map_{field.name}"] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                help_text=field.help,
                error_messages={
                    "required": f"{field.label} is required: choose the file column that holds it."
                },
            )
        # The date order goes last, after the fields it applies to.
        self.order_fields([*(f"map_{field.name}" for field in kind.fields), "date_order"])

    def mapping_fields(self) -> list[tuple[forms.BoundField, bool]]:
        return [(self[f"map_{field.name}"], field.required) for field in self.kind.fields]

    def mapping(self) -> dict[str, str]:
        return {
            field.name: self.cleaned_data[f"map_{field.name}"]
            for field in self.kind.fields
            if self.cleaned_data.get(f"map_{field.name}")
        }


def initial_mapping(proposal: dict[str, str]) -> dict[str, str]:
    return {f"map_{name}": header for name, header in proposal.items()}
