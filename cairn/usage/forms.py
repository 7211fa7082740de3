"""Forms of the usage app: one row of a ticket or survey file, and the event filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cairn.fields import NOTE
from cairn.usage.models import TicketPriority, TicketStatus
from cairn.usage.validation import moment_refusal


class AwareDateTimeField(forms.Field):
    """An ISO 8601 date-time that states its zone: a naive one is ambiguous, so refused."""

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date-time, e.g. 2026-03-01T09:30:00Z.",
        "naive": "Give the time zone, e.g. 2026-03-01T09:30:00Z or +01:00.",
        "range": "Enter a moment from 1970-01-01 to now: this one is %(refusal)s.",
    }

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        else:
            try:
                parsed = dt.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise forms.ValidationError(self.error_messages["naive"], code="naive")
        try:
            moment = parsed.astimezone(dt.UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is in year 10000 in UTC
            edge = dt.datetime.max if parsed.year > 1 else dt.datetime.min  # noqa: DTZ901
            moment = edge.replace(tzinfo=dt.UTC)
        refusal = moment_refusal(moment)
        if refusal:
            raise forms.ValidationError(
                self.error_messages["range"], code="range", params={"refusal": refusal}
            )
        return moment


class FeedbackRow(forms.Form):
    """What tickets and survey answers share: an external id, an account, maybe a contact."""

    external_id = forms.CharField(max_length=100)
    account = forms.CharField(max_length=100, help_text="The account's external id.")
    contact_email = forms.EmailField(required=False)


class TicketRow(FeedbackRow):
    subject = forms.CharField(max_length=300, required=False)
    priority = forms.ChoiceField(choices=TicketPriority.choices, required=False)
    status = forms.ChoiceField(choices=TicketStatus.choices, required=False)
    opened_at = AwareDateTimeField()
    closed_at = AwareDateTimeField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opened, closed = data.get("opened_at"), data.get("closed_at")
        if opened and closed and closed < opened:
            self.add_error("closed_at", "A ticket cannot be closed before it was opened.")
        data["priority"] = data.get("priority") or TicketPriority.NORMAL
        data["status"] = data.get("status") or TicketStatus.OPEN
        return data


class SurveyRow(FeedbackRow):
    score = forms.IntegerField(
        min_value=0, max_value=10,
        error_messages={
            "min_value": "An NPS score is a whole number from 0 to 10.",
            "max_value": "An NPS score is a whole number from 0 to 10.",
            "invalid": "An NPS score is a whole number from 0 to 10.",
        },
    )
    comment = forms.CharField(max_length=NOTE, required=False, strip=True)
    answered_at = AwareDateTimeField()


class EventFilter(forms.Form):
    """Filters of the recent events list. Unknown values simply match nothing."""

    account = forms.CharField(required=False, max_length=100, label="Account external id")
    event_type = forms.CharField(required=False, max_length=120, label="Event type")
    page = forms.IntegerField(required=False, min_value=1)
