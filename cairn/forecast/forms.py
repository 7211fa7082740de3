"""The model card's training form: the lead window and, if wanted, the periods to train and
test on. The API's training call validates its body with the same form, so both give the same
messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from cairn.fields import SaneDateValidator
from cairn.forecast.actions import DEFAULT_LEAD_DAYS, Dates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MIN_LEAD, MAX_LEAD = 7, 730


def _day(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DATE, validators=[SaneDateValidator()],
        help_text=help_text, error_messages={"invalid": "Enter a date like 2026-03-31."},
    )


class TrainForm(forms.Form):
    lead_days = forms.IntegerField(
        label="Lead window (days)",
        initial=DEFAULT_LEAD_DAYS,
        min_value=MIN_LEAD,
        max_value=MAX_LEAD,
        help_text="The forecast is the chance an account churns within this many days.",
        error_messages={
            "min_value": f"The lead window must be at least {MIN_LEAD} days.",
            "max_value": f"The lead window can be at most {MAX_LEAD} days.",
            "invalid": "Enter the lead window as a whole number of days.",
            "required": "Enter the lead window in days.",
        },
    )
    as_of = _day("Outcomes known up to", "Leave empty for today. A date in the past trains as "
                 "the forecast would have been trained then.")
    train_from = _day("Train from", "First metric date to learn from; empty picks the split.")
    train_until = _day("Train until", "Last metric date to learn from.")
    test_from = _day("Test from", "First metric date of the out-of-time check.")
    test_until = _day("Test until", "Last metric date of the out-of-time check.")

    def clean_as_of(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("as_of")
        if day is not None and day > timezone.localdate():
            # Outcomes after today are not known: they would all read as "stayed".
            raise forms.ValidationError("Outcomes are known only up to today.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        train_from, train_until = data.get("train_from"), data.get("train_until")
        test_from, test_until = data.get("test_from"), data.get("test_until")
        if train_from and train_until and train_from > train_until:
            self.add_error("train_until", "The training period must end on or after its first day.")
        if test_from and test_until and test_from > test_until:
            self.add_error("test_until", "The test period must end on or after its first day.")
        last_train = train_until or train_from
        first_test = test_from or test_until
        if last_train and first_test and first_test <= last_train:
            self.add_error("test_from", f"The test dates must come after the training dates, "
                           f"which end on {last_train:%Y-%m-%d}.")
        return data

    def dates(self) -> Dates:
        data = self.cleaned_data
        return Dates(data.get("train_from"), data.get("train_until"), data.get("test_from"),
                     data.get("test_until"))
