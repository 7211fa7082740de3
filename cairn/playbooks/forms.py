"""The playbook editor's small forms. Each names its field in its error messages, because the
editor shows one message beside a one-line form rather than a label above a field."""

from __future__ import annotations

from django import forms

from cairn.fields import NOTE
from cairn.playbooks.models import Stage


def _name(what: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=f"{what.capitalize()} name",
        max_length=max_length,
        error_messages={
            "required": f"Give the {what} a name.",
            "max_length": f"The {what} name is too long (at most %(limit_value)d characters).",
        },
    )


class CopyPlaybookForm(forms.Form):
    name = _name("new playbook", 150)


class PublishForm(forms.Form):
    notes = forms.CharField(
        max_length=NOTE,
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what changed in this version (What changed)."},
    )


class AddPhaseForm(forms.Form):
    name = _name("phase", 120)
    stage = forms.ChoiceField(
        label="Stage", choices=Stage.choices,
        error_messages={"invalid_choice": "Choose one of the three stages."},
    )


class PhaseForm(AddPhaseForm):
    purpose = forms.CharField(max_length=NOTE, label="Purpose", required=False, widget=forms.Textarea)
    periodic = forms.BooleanField(label="Opened at intervals", required=False)


class ActivityForm(forms.Form):
    name = _name("activity", 200)


class OutputForm(forms.Form):
    name = _name("output", 200)
    required = forms.BooleanField(label="Required", required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={
            "required": "Say which way to move (up or down).",
            "invalid_choice": "A row moves up or down.",
        },
    )


def first_error(form: forms.Form) -> str:
    """The form's first message, for the one-line notice beside the form."""
    for errors in form.errors.values():
        return str(errors[0])
    return "Please check the form."
