"""Small helpers shared by the forms of every app."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's refusal next to the field it names, or above the form, saying which
    field when the form has none of that name."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        if field != NON_FIELD_ERRORS and target is None:
            errors = [f"{field.replace('_', ' ').capitalize()}: {e}" for e in errors]
        form.add_error(target, errors)
