"""Forms of the trust page: which scorecard to look at, and running a backtest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.fields import SaneDateValidator
from cairn.health.models import Scorecard
from cairn.health.trust import backtest
from cairn.health.trust.observe import NEW_ACCOUNT_DAYS

DEFAULT_LEAD_DAYS = 90
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DATE, validators=[SaneDateValidator()],
        help_text=help_text, error_messages={"invalid": "Enter a date like 2026-03-31."},
    )


class RunForm(forms.Form):
    scorecard = forms.ModelChoiceField(
        queryset=Scorecard.objects.all(),
        error_messages={"invalid_choice": "Choose one of the scorecards listed."},
    )
    lead_days = forms.IntegerField(
        label="Lead window (days)",
        initial=DEFAULT_LEAD_DAYS,
        min_value=1,
        max_value=backtest.MAX_LEAD_DAYS,
        help_text="An account counts as churned on a date if it churned within this many days after it.",
        error_messages={
            "min_value": "The lead window must be at least 1 day.",
            "max_value": f"The lead window can be at most {backtest.MAX_LEAD_DAYS} days.",
            "invalid": "Enter the lead window as a whole number of days.",
            "required": "Enter the lead window in days.",
        },
    )
    as_of = forms.DateField(
        label="As of", required=False, widget=DATE, validators=[SaneDateValidator()],
        help_text="Backtest as if it were this day: only churn known by then counts. Today when blank.",
        error_messages={"invalid": "Enter a date like 2026-03-31."},
    )
    train_from = _date("Training from")
    train_until = _date("Training until")
    test_from = _date("Testing from")
    test_until = _date(
        "Testing until",
        "Leave the four dates blank for the default split: the last third of the dates is tested, "
        "and training stops a lead window before the tests start.",
    )
    include_new = forms.BooleanField(
        label="Include new accounts", required=False,
        help_text=f"Accounts in their first {NEW_ACCOUNT_DAYS} paying days are left out by default: "
        "they churn often and are easy to flag, which flatters the score.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate
        self.split: backtest.Split | None = None

    def clean(self) -> dict[str, Any]:
        """The split as the backtest will use it: refused here with the same words."""
        data = super().clean() or self.cleaned_data
        if self.errors:
            return data
        data["as_of"] = data.get("as_of") or timezone.localdate()
        try:
            self.split = backtest.plan(
                lead_days=data["lead_days"], as_of=data["as_of"],
                **{name: data.get(name) for name in backtest.SPLIT_FIELDS},
            )
        except ValidationError as exc:
            self.refuse(exc)
        return data

    def refuse(self, exc: ValidationError) -> None:
        """Show an error the backtest raised on the fields it names."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)
