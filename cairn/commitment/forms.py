"""Forms of the phase 2 pages. Rules live in the models and actions; these parse input."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from cairn.commitment.models import (
    SCALE_MAX,
    SCALE_MIN,
    Attitude,
    FirstMeeting,
    MeetingFormat,
    RaciRole,
    Stakeholder,
)
from cairn.customers.models import Contact
from cairn.documents.models import Document
from cairn.engagements.models import Engagement
from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.people.models import User
from cairn.timeline.models import EntryKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SCORE = forms.NumberInput(attrs={"min": SCALE_MIN, "max": SCALE_MAX, "step": 1})


def workers() -> Any:
    return User.objects.filter(is_active=True).exclude(role="readonly")


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = [
            "contact", "category", "headcount", "role", "power", "interest", "attitude",
            "strategy", "owner", "cadence", "cadence_days", "next_contact",
        ]
        widgets = {
            "power": SCORE, "interest": SCORE, "next_contact": DATE,
            "strategy": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "category": "Or a category of similar stakeholders",
            "power": f"Power ({SCALE_MIN}–{SCALE_MAX})",
            "interest": f"Interest ({SCALE_MIN}–{SCALE_MAX})",
            "owner": "Contact owner (our side)",
            "next_contact": "Next contact",
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.engagement = engagement
        taken = Stakeholder.objects.filter(engagement=engagement, contact__isnull=False)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        choice(self, "contact").queryset = Contact.objects.filter(
            account_id=engagement.account_id
        ).exclude(pk__in=taken.values("contact_id"))
        choice(self, "owner").queryset = workers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") and (data.get("category") or "").strip():
            self.add_error("category", "Choose a contact or name a category, not both.")
        elif not data.get("contact") and not (data.get("category") or "").strip():
            self.add_error("contact", "Choose a contact, or name a category of stakeholders.")
        return data


class PlaceForm(forms.Form):
    """Move a stakeholder on the matrix: power, interest and attitude only."""

    power = forms.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX, widget=SCORE)
    interest = forms.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX, widget=SCORE)
    attitude = forms.ChoiceField(choices=Attitude.choices)


class ContactLogForm(forms.Form):
    on = forms.DateField(validators=[SaneDateValidator()], label="Date", widget=DATE)
    kind = forms.ChoiceField(
        label="How",
        choices=[
            (EntryKind.MEETING, "Meeting"), (EntryKind.CALL, "Call"),
            (EntryKind.EMAIL, "E-mail"), (EntryKind.NOTE, "Other"),
        ],
    )
    note = forms.CharField(max_length=NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RaciActivityForm(forms.Form):
    name = forms.CharField(max_length=200, label="Activity")


class RaciCellForm(forms.Form):
    party = forms.RegexField(
        regex=r"^[su]\d+$", max_length=20, error_messages={"invalid": "Unknown column."}
    )
    role = forms.ChoiceField(choices=[("", "—"), *RaciRole.choices], required=False)


class RaciMemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Add one of our people")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "user").queryset = User.objects.filter(is_active=True)


_AGENDA_LINE = re.compile(r"^(?P<title>.*?)\s*\((?P<minutes>\d+)\s*min(?:utes)?\)$", re.IGNORECASE)


def parse_agenda(text: str) -> list[dict[str, Any]]:
    """One item per line; minutes in brackets at the end: "Introductions (10 min)"."""
    items = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*•").strip()
        if not line:
            continue
        match = _AGENDA_LINE.match(line)
        if match and match["title"]:
            items.append({"title": match["title"], "minutes": int(match["minutes"])})
        else:
            items.append({"title": line, "minutes": None})
    return items


def agenda_text(agenda: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['title']} ({item['minutes']} min)" if item.get("minutes") else item["title"]
        for item in agenda
    )


class MeetingPlanForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        validators=[SaneDateValidator()],
        required=False, label="When", widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    format = forms.ChoiceField(choices=MeetingFormat.choices)
    place = forms.CharField(
        required=False, max_length=200, help_text="An address, a room or a video link."
    )
    length_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=60
    )
    desired_outcomes = forms.CharField(
        max_length=NOTE,
        label="Desired outcomes", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What both sides should have when the meeting ends.",
    )
    agenda = forms.CharField(
        max_length=NOTE,
        required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One item per line; minutes in brackets at the end, e.g. Introductions (10 min).",
    )
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Their attendees",
    )
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Our attendees",
    )
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Collateral from the repository",
    )
    collateral_notes = forms.CharField(
        max_length=NOTE,
        required=False, label="Other collateral", widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "contacts").queryset = Contact.objects.filter(account_id=engagement.account_id)
        choice(self, "users").queryset = workers()
        choice(self, "documents").queryset = Document.objects.filter(
            Q(engagement=engagement) | Q(is_template=True)
        ).order_by("is_template", "title")

    def clean_agenda(self) -> list[dict[str, Any]]:
        return parse_agenda(self.cleaned_data.get("agenda") or "")

    @staticmethod
    def initial_for(meeting: FirstMeeting) -> dict[str, Any]:
        return {
            "scheduled_at": (
                timezone.localtime(meeting.scheduled_at) if meeting.scheduled_at else None
            ),
            "format": meeting.format, "place": meeting.place,
            "length_minutes": meeting.length_minutes,
            "desired_outcomes": meeting.desired_outcomes, "agenda": agenda_text(meeting.agenda),
            "contacts": list(meeting.contacts.all()), "users": list(meeting.users.all()),
            "documents": list(meeting.documents.all()),
            "collateral_notes": meeting.collateral_notes,
        }


class HeldForm(forms.Form):
    held_at = forms.DateTimeField(
        validators=[SaneDateValidator()],
        label="Held on", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    minutes = forms.CharField(
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 10}), help_text="Markdown: what was said and agreed."
    )


class NextStepForm(forms.Form):
    title = forms.CharField(max_length=200, label="Next step")
    assignee = forms.ModelChoiceField(queryset=User.objects.none())
    due_date = forms.DateField(validators=[SaneDateValidator()], required=False, widget=DATE, label="Due")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "assignee").queryset = workers()
