"""The forms of business reviews: a programme and its attendees, preparing a review, editing
its draft, recording the meeting and adding a follow-up task. Every field bounded and typed;
the actions judge the rest and their refusals land next to the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.engagements.models import Engagement
from cairn.fields import NOTE, TITLE, SaneDateValidator
from cairn.forms import choice
from cairn.people.models import User
from cairn.reviews.actions import default_engagement
from cairn.reviews.models import SECTIONS, Program, Review
from cairn.timeline.models import Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ATTENDEES = 30  # a side of a meeting, not a mailing list
MAX_DECISIONS = 50
TASK_TITLE = Task._meta.get_field("title").max_length or TITLE


def _workers() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role="readonly").order_by("first_name", "last_name")


def _engagements(account: Account) -> QuerySet[Engagement]:
    return Engagement.objects.filter(account=account).order_by("-start_date", "-pk")


class EngagementChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of the account's engagements, named by its initiative (the account goes without
    saying)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.initiative} (from {obj.start_date:%d %b %Y})"


def _engagement_field(form: forms.BaseForm, account: Account) -> None:
    field = choice(form, "engagement")
    field.queryset = _engagements(account)
    field.empty_label = "None"


def _bounded(people: Any, label: str) -> Any:
    if people is not None and len(people) > MAX_ATTENDEES:
        raise forms.ValidationError(f"Choose at most {MAX_ATTENDEES} {label}.")
    return people


class ProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    """How an account is reviewed: what, why, who, how often, how long, how and when next."""

    class Meta:
        model = Program
        fields = ["kind", "purpose", "cadence_months", "duration_minutes", "format", "next_date",
                  "our_attendees", "customer_attendees", "agenda"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "next_date": DATE,
            "our_attendees": forms.CheckboxSelectMultiple,
            "customer_attendees": forms.CheckboxSelectMultiple,
        }
        labels = {"kind": "Kind of review", "format": "Format", "purpose": "What is shared and why"}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "our_attendees").queryset = _workers()
        choice(self, "customer_attendees").queryset = Contact.objects.filter(account=account).order_by(
            "first_name", "last_name"
        )
        self.fields["customer_attendees"].help_text = f"Contacts of {account.name}."
        if self.instance.pk is None:
            self.fields["agenda"].help_text = "One item per line. Left empty, the kind's standard agenda."

    def clean_our_attendees(self) -> Any:
        return _bounded(self.cleaned_data.get("our_attendees"), "of our people")

    def clean_customer_attendees(self) -> Any:
        return _bounded(self.cleaned_data.get("customer_attendees"), "contacts")


class PrepareForm(forms.Form):
    date = forms.DateField(label="Meeting date", validators=[SaneDateValidator()], widget=DATE)
    period_start = forms.DateField(
        label="Covers from", required=False, validators=[SaneDateValidator()], widget=DATE,
        help_text="Left empty: since the last review held, or one cadence back.",
    )
    period_end = forms.DateField(
        label="Covers until", required=False, validators=[SaneDateValidator()], widget=DATE,
        help_text="Left empty: the meeting date.",
    )
    engagement = EngagementChoice(
        queryset=Engagement.objects.none(), required=False,
        help_text="Whose value plan, KPIs and risks the review shows, and whose repository keeps the deck.",
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        engagement = default_engagement(program.account)
        kwargs.setdefault("initial", {
            "date": program.next_date or timezone.localdate(),
            "engagement": engagement.pk if engagement else None,
        })
        super().__init__(*args, **kwargs)
        _engagement_field(self, program.account)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends on or after the day it starts.")
        return data


class ReviewForm(forms.ModelForm):  # type: ignore[type-arg]
    """The draft: its dates, the engagement it reports on, the agenda and the text of each
    section, as the deck and the PDF will show them."""

    class Meta:
        model = Review
        fields = ["date", "period_start", "period_end", "engagement", "agenda",
                  *(name for name, _ in SECTIONS)]
        widgets = {
            "date": DATE, "period_start": DATE, "period_end": DATE,
            "agenda": forms.Textarea(attrs={"rows": 6}),
            **{name: forms.Textarea(attrs={"rows": 5}) for name, _ in SECTIONS},
        }
        labels = {name: heading for name, heading in SECTIONS}
        field_classes = {"engagement": EngagementChoice}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _engagement_field(self, self.instance.program.account)
        for name, _ in SECTIONS:
            self.fields[name].help_text = "One point a line; each line is a bullet on its slide."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label="Held on", validators=[SaneDateValidator()], widget=DATE)
    minutes = forms.CharField(
        max_length=NOTE, widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was said: the points discussed, by whom, and what each side took away.",
    )
    decisions = forms.CharField(
        max_length=NOTE, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"One decision a line, at most {MAX_DECISIONS}.",
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "held_on": review.held_on or min(review.date, timezone.localdate()),
            "minutes": review.minutes,
            "decisions": "\n".join(d.text for d in review.decisions.all()),
        })
        super().__init__(*args, **kwargs)

    def clean_decisions(self) -> list[str]:
        lines = _lines(self.cleaned_data.get("decisions") or "")
        if len(lines) > MAX_DECISIONS:
            raise forms.ValidationError(f"Record at most {MAX_DECISIONS} decisions, one a line.")
        for number, line in enumerate(lines, start=1):
            if len(line) > TITLE:
                raise forms.ValidationError(
                    f"Decision {number} has {len(line):,} characters: keep each to {TITLE}."
                )
        return lines


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=TASK_TITLE, label="Task")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="Assigned to")
    due_date = forms.DateField(label="Due", required=False, validators=[SaneDateValidator()], widget=DATE)
    description = forms.CharField(
        max_length=NOTE, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Left empty, the task says which review it came from.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assignee": user.pk})
        super().__init__(*args, **kwargs)
        choice(self, "assignee").queryset = _workers()
