"""Small helpers shared by the forms of every app."""

from __future__ import annotations

from typing import cast

from django import forms


def choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    """A form's model choice field, typed, to narrow its queryset at run time."""
    return cast(forms.ModelChoiceField, form.fields[name])  # type: ignore[type-arg]


def form_errors_text(form: forms.BaseForm) -> str:
    """Every error of a form in one sentence per field, each starting with the field's label."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label if field and field.label else name.replace("_", " ").capitalize())
        message = " ".join(str(e) for e in errors)
        parts.append(message if name == "__all__" else f"{label}: {message}")
    return " ".join(parts)
