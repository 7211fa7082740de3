"""The metric editor's form. Kind-specific checks are cairn.metrics.kinds.clean, shared with
the file loader and the API, so every way in gives the same message for the same field."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.fields import NAME, NOTE
from cairn.metrics.kinds import MAX_WINDOW, OF_CHOICES
from cairn.metrics.models import MetricDefinition, MetricKind


class MetricForm(forms.Form):
    name = forms.CharField(
        max_length=150, error_messages={"required": "Give the metric a name."}
    )
    slug = forms.CharField(
        max_length=80, help_text="The metric's short id in files, the API and scorecards.",
        error_messages={"required": "Give the metric a slug (letters, digits, - and _)."},
    )
    description = forms.CharField(max_length=NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        choices=MetricKind.choices,
        error_messages={"invalid_choice": "Choose one of the listed kinds."},
    )
    event_type = forms.CharField(
        required=False, max_length=120,
        help_text="The product event it reads; blank for active users and seats means any event. "
        "Tenure reads none: it counts from the first paying subscription.",
    )
    window_days = forms.IntegerField(
        label="Window (days)", initial=28, required=False, min_value=1, max_value=MAX_WINDOW,
        error_messages={
            "invalid": "The window must be a whole number of days.",
            "min_value": f"The window must be between 1 and {MAX_WINDOW} days.",
            "max_value": f"The window must be between 1 and {MAX_WINDOW} days.",
        },
    )
    of = forms.ChoiceField(
        label="Of", choices=[(c, c.capitalize()) for c in OF_CHOICES], initial="count",
        required=False,
        help_text="For rates, percent change and figures per active day or per active user: count "
        "events, or sum their values.",
    )
    numerator = forms.CharField(
        max_length=NAME, required=False, help_text="For a ratio: the numerator's slug."
    )
    denominator = forms.CharField(
        max_length=NAME, required=False, help_text="For a ratio: the denominator's slug."
    )
    metrics = forms.CharField(
        max_length=NOTE,
        required=False, label="Metrics to add", help_text="For a total: slugs, comma-separated."
    )
    higher_is_better = forms.BooleanField(required=False, initial=True, label="Higher is better")
    active = forms.BooleanField(required=False, initial=True, label="Active (computed)")

    @staticmethod
    def initial_for(definition: MetricDefinition) -> dict[str, Any]:
        params = definition.params or {}
        return {
            "name": definition.name, "slug": definition.slug, "description": definition.description,
            "kind": definition.kind, "event_type": definition.event_type,
            "window_days": definition.window_days, "of": params.get("of", "count"),
            "numerator": params.get("numerator", ""), "denominator": params.get("denominator", ""),
            "metrics": ", ".join(params.get("metrics", [])),
            "higher_is_better": definition.higher_is_better, "active": definition.active,
        }

    def data_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("window_days") is None:
            data["window_days"] = 28
        return data
