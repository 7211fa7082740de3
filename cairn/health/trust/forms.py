"""Forms of the trust page: which scorecard to look at, and running a backtest."""

from __future__ import annotations

from django import forms

from cairn.health.models import Scorecard

DEFAULT_LEAD_DAYS = 90


class RunForm(forms.Form):
    scorecard = forms.ModelChoiceField(
        queryset=Scorecard.objects.all(),
        error_messages={"invalid_choice": "Choose one of the scorecards listed."},
    )
    lead_days = forms.IntegerField(
        label="Lead window (days)",
        initial=DEFAULT_LEAD_DAYS,
        min_value=1,
        max_value=730,
        help_text="An account counts as churned on a date if it churned within this many days after it.",
        error_messages={
            "min_value": "The lead window must be at least 1 day.",
            "max_value": "The lead window can be at most 730 days.",
            "invalid": "Enter the lead window as a whole number of days.",
            "required": "Enter the lead window in days.",
        },
    )
