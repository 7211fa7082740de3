"""The endpoint form: a name, the receiver's address, the events it receives (by their labels)
and whether it is switched on. The model judges the rest (known events, http or https)."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.webhooks import events
from cairn.webhooks.models import URL_CHARS, Endpoint


class EndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(
        label="URL", max_length=URL_CHARS, assume_scheme="https",
        help_text=Endpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label="Events", choices=events.choices(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
        help_text="Each is documented, with an example, on the events page.",
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["active"].initial = True
