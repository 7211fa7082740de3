from __future__ import annotations

from typing import Any

from django import forms

from cairn.notifications.kinds import choices_for
from cairn.notifications.models import EmailTemplate
from cairn.notifications.queries import Choice


class PreferencesForm(forms.Form):
    """A select per kind the person receives, set to their choice or the kind's default."""

    def __init__(self, data: Any, *, choices: list[Choice]) -> None:
        super().__init__(data)
        for choice in choices:
            self.fields[choice.kind] = forms.ChoiceField(
                label=choice.label, choices=choices_for(choice.kind), initial=choice.delivery,
                help_text=choice.explained,
            )


class TemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EmailTemplate
        fields = ["subject", "html", "text"]
        widgets = {
            "html": forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
            "text": forms.Textarea(attrs={"rows": 12}),
        }
        help_texts = {
            "subject": "One line; merge fields such as {{ account }} are filled in.",
            "html": "What mail programs that show formatting display. Values are escaped.",
            "text": "What the others display, and what screen readers often read.",
        }
