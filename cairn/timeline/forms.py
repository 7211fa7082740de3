from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.timeline.models import LOGGED_KINDS, EntryKind, Task

User = get_user_model()


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in LOGGED_KINDS], initial=EntryKind.NOTE, label="Type"
    )
    title = forms.CharField(max_length=200, label="Summary")
    body = forms.CharField(
        max_length=NOTE, widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Details"
    )
    occurred_at = forms.DateTimeField(
        validators=[SaneDateValidator()],
        required=False,
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for now.",
    )

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data.get("occurred_at")
        if value and value > timezone.now() + dt.timedelta(days=1):
            raise forms.ValidationError("A logged meeting or call cannot be in the future.")
        return value


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "assignee", "due_date", "description"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "assignee").queryset = User.objects.filter(is_active=True).exclude(
            role="readonly"
        )
