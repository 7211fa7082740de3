"""Forms of the onboarding tools. Rules beyond one field live in the models and actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.customers.models import Contact
from cairn.engagements.models import Engagement, EngagementActivity
from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.onboarding.models import (
    Milestone,
    OnboardingPlan,
    PackStatus,
    PlanActivity,
    PlanPhase,
    TimeEntry,
    WelcomePack,
)
from cairn.people.models import User
from cairn.playbooks.models import Phase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROWS = {"rows": 3}


def workers() -> Any:
    return User.objects.filter(is_active=True).exclude(role="readonly")


def add_errors(form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's refusal next to the field it names, or on top of the form."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


class WelcomePackForm(forms.ModelForm):
    class Meta:
        model = WelcomePack
        fields = [
            "sender", "recipient", "planned_on", "delivery_format", *WelcomePack.SECTIONS,
        ]
        widgets = {"planned_on": DATE, **{name: forms.Textarea(attrs=ROWS) for name in WelcomePack.SECTIONS}}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "sender").queryset = workers()
        choice(self, "recipient").queryset = engagement.account.contacts.all()
        for name in WelcomePack.SECTIONS:
            self.fields[name].help_text = self.fields[name].help_text or "Markdown."


class PackStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PackStatus.choices)
    on = forms.DateField(
        validators=[SaneDateValidator()], label="Date", widget=DATE, initial=timezone.localdate
    )


class PlanForm(forms.ModelForm):
    class Meta:
        model = OnboardingPlan
        fields = [
            "scope", "start_date", "deadline", "communication", "reporting_cadence",
            "reporting_note", "service_fee", "fee_currency", "fee_note",
        ]
        widgets = {
            "start_date": DATE, "deadline": DATE, "scope": forms.Textarea(attrs=ROWS),
            "communication": forms.Textarea(attrs=ROWS), "reporting_note": forms.Textarea(attrs=ROWS),
        }


class PhaseForm(forms.ModelForm):
    class Meta:
        model = PlanPhase
        fields = ["name", "start_date", "end_date", "outputs", "outcomes"]
        widgets = {
            "start_date": DATE, "end_date": DATE,
            "outputs": forms.Textarea(attrs=ROWS), "outcomes": forms.Textarea(attrs=ROWS),
        }


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "phase", "done_on"]
        widgets = {"due_date": DATE, "done_on": DATE}
        help_texts = {"done_on": "Leave empty until the milestone is reached."}

    def __init__(self, *args: Any, plan: OnboardingPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "phase").queryset = plan.phases.all()


def _responsible_choices(engagement: Engagement) -> list[tuple[str, Any]]:
    ours = [(f"u{u.pk}", str(u)) for u in workers()]
    theirs = [(f"c{c.pk}", str(c)) for c in engagement.account.contacts.all()]
    return [("", "Nobody yet"), ("Our team", ours), (str(engagement.account), theirs)]


class ActivityForm(forms.ModelForm):
    """A plan activity; one "responsible" list offers our team and the customer's contacts."""

    responsible = forms.ChoiceField(required=False, label="Responsible")

    class Meta:
        model = PlanActivity
        fields = ["phase", "name", "start_date", "end_date", "status", "outputs", "note"]
        widgets = {
            "start_date": DATE, "end_date": DATE,
            "outputs": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2}),
        }

    ALIASES = {"responsible_user": "responsible", "responsible_contact": "responsible"}

    def __init__(self, *args: Any, plan: OnboardingPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engagement = plan.engagement
        choice(self, "phase").queryset = plan.phases.all()
        field = self.fields["responsible"]
        field.choices = _responsible_choices(self.engagement)  # type: ignore[attr-defined]
        instance = self.instance
        if instance.responsible_user_id:
            self.initial["responsible"] = f"u{instance.responsible_user_id}"
        elif instance.responsible_contact_id:
            self.initial["responsible"] = f"c{instance.responsible_contact_id}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("responsible") or ""
        self.instance.responsible_user = None
        self.instance.responsible_contact = None
        if value.startswith("u"):
            self.instance.responsible_user = workers().filter(pk=value[1:]).first()
        elif value.startswith("c"):
            self.instance.responsible_contact = Contact.objects.filter(
                pk=value[1:], account=self.engagement.account_id
            ).first()
        return data


class MilestoneReportForm(forms.Form):
    next_steps = forms.CharField(
        max_length=NOTE,
        required=False, widget=forms.Textarea(attrs=ROWS),
        help_text="Markdown. Left empty, the report lists the next open activities.",
    )
    include_hours = forms.BooleanField(required=False, label="Show the hours our team spent")


def _activity_choices(engagement: Engagement) -> list[tuple[str, Any]]:
    plan = getattr(engagement, "onboarding_plan", None)
    planned = [
        (f"p{a.pk}", f"{a.phase.name}: {a.name}")
        for a in PlanActivity.objects.filter(phase__plan=plan).select_related("phase")
    ] if plan else []
    checklist = [
        (f"c{a.pk}", f"{a.activity.phase.name}: {a.activity.name}")
        for a in EngagementActivity.objects.filter(engagement=engagement).select_related("activity__phase")
    ]
    choices: list[tuple[str, Any]] = [("", "The engagement in general")]
    if planned:
        choices.append(("Onboarding plan", planned))
    choices.append(("Checklist", checklist))
    return choices


class TimeEntryForm(forms.ModelForm):
    activity = forms.ChoiceField(required=False, label="Activity")

    class Meta:
        model = TimeEntry
        fields = ["date", "hours", "note"]
        widgets = {"date": DATE, "hours": forms.NumberInput(attrs={"step": "0.25", "min": "0", "max": "24"})}

    ALIASES = {"plan_activity": "activity", "checklist_activity": "activity", "phase": "activity"}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        self.fields["activity"].choices = _activity_choices(engagement)  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())
        elif self.instance.plan_activity_id:
            self.initial["activity"] = f"p{self.instance.plan_activity_id}"
        elif self.instance.checklist_activity_id:
            self.initial["activity"] = f"c{self.instance.checklist_activity_id}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("activity") or ""
        self.instance.engagement = self.engagement
        self.instance.plan_activity = None
        self.instance.checklist_activity = None
        if value.startswith("p"):
            self.instance.plan_activity = PlanActivity.objects.filter(
                pk=value[1:], phase__plan__engagement=self.engagement
            ).select_related("phase__plan").first()
        elif value.startswith("c"):
            self.instance.checklist_activity = EngagementActivity.objects.filter(
                pk=value[1:], engagement=self.engagement
            ).select_related("activity__phase").first()
        return data


class TimeFilterForm(forms.Form):
    date_from = forms.DateField(validators=[SaneDateValidator()], required=False, label="From", widget=DATE)
    date_to = forms.DateField(validators=[SaneDateValidator()], required=False, label="To", widget=DATE)
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="CSM")
    phase = forms.ChoiceField(required=False, label="Phase")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "user").queryset = User.objects.filter(time_entries__isnull=False).distinct()
        keys = Phase.objects.order_by("position").values_list("key", "name").distinct()
        seen: dict[str, str] = {}
        for key, name in keys:
            seen.setdefault(key, name)
        self.fields["phase"].choices = [("", "All phases"), *seen.items()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "The end of the range must not be before its start.")
        return data
