"""Forms of the preparation tools. Each narrows its choices to the engagement or account at
hand, so a list offers only what the model would accept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.preparation.models import (
    FLAGS,
    Capability,
    Confidence,
    Contribution,
    ElementKind,
    Fact,
    HandoverMeeting,
    HandoverRole,
    InternalDriver,
    Level,
    PestleDriver,
    Question,
    SharedPestle,
    SolutionLink,
    StrategyElement,
    ValueChainFunction,
)

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROWS2 = forms.Textarea(attrs={"rows": 2})
ROWS4 = forms.Textarea(attrs={"rows": 4})


def _colleagues() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name")


class FactForm(forms.ModelForm):
    class Meta:
        model = Fact
        fields = ["area", "statement", "source", "source_detail", "confidence"]
        widgets = {"statement": ROWS2}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "fact"]
        widgets = {"text": ROWS2}
        labels = {"fact": "Validates the assumed fact"}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facts = Fact.objects.filter(engagement=engagement, confidence=Confidence.ASSUMED)
        if self.instance.fact_id:
            facts = facts | Fact.objects.filter(pk=self.instance.fact_id)
        choice(self, "fact").queryset = facts


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=NOTE, widget=ROWS2)
    answered_by = forms.ModelChoiceField(
        queryset=Contact.objects.none(), required=False, label="Answered by (contact)"
    )
    answered_by_name = forms.CharField(
        required=False, max_length=150, label="Or by (name)",
        help_text="When the person is not among the customer's contacts.",
    )
    answered_on = forms.DateField(validators=[SaneDateValidator()], widget=DATE)
    validate_fact = forms.BooleanField(
        required=False, initial=True, label="Mark the fact it is about as validated"
    )

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "answered_by").queryset = Contact.objects.filter(account=engagement.account_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("answered_by") and not (data.get("answered_by_name") or "").strip():
            self.add_error("answered_by", "Say who answered: a contact or a name.")
        return data


class HandoverForm(forms.ModelForm):
    """The meeting, with the colleagues attending in each role."""

    class Meta:
        model = HandoverMeeting
        fields = ["date", "agenda", "notes"]
        widgets = {"date": DATE, "agenda": ROWS4, "notes": ROWS4}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current: dict[str, list[int]] = {}
        if self.instance.pk:
            for attendee in self.instance.attendees.all():
                current.setdefault(attendee.role, []).append(attendee.user_id)
        for role, label in HandoverRole.choices:
            self.fields[f"role_{role}"] = forms.ModelMultipleChoiceField(
                queryset=_colleagues(), required=False, label=label,
                widget=forms.SelectMultiple(attrs={"size": 4}), initial=current.get(role, []),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[int, str] = {}
        for role, label in HandoverRole.choices:
            for user in data.get(f"role_{role}") or []:
                if user.pk in seen:
                    self.add_error(f"role_{role}", f"{user} attends already as {seen[user.pk]}.")
                seen[user.pk] = label
        return data

    def attendees(self) -> list[tuple[Any, str]]:
        return [
            (user, role)
            for role, _ in HandoverRole.choices
            for user in self.cleaned_data.get(f"role_{role}") or []
        ]


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=200, label="Follow-up")
    assignee = forms.ModelChoiceField(queryset=User.objects.none())
    due_date = forms.DateField(validators=[SaneDateValidator()], required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "assignee").queryset = _colleagues().exclude(role="readonly")


class PlacementForm(forms.ModelForm):
    """Where a contact sits in the org chart: their manager and department."""

    class Meta:
        model = Contact
        fields = ["reports_to", "department"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "reports_to").queryset = Contact.objects.filter(
            account=self.instance.account_id
        ).exclude(pk=self.instance.pk)
        self.fields["reports_to"].label = "Reports to"


class FunctionForm(forms.ModelForm):
    class Meta:
        model = ValueChainFunction
        fields = ["kind", "name", "description", "impact", "impact_note"]
        widgets = {"description": ROWS2}
        labels = {"kind": "Row", "impact": "Impact of the initiative"}


class CapabilityForm(forms.ModelForm):
    class Meta:
        model = Capability
        fields = [
            "level", "parent", "name", "description", "people", "process", "tools", "inputs",
            "outputs", "changed", "change", *FLAGS,
        ]
        widgets = {
            name: ROWS2 for name in ["description", "people", "process", "tools", "inputs",
                                     "outputs", "change"]
        }
        help_texts = {"parent": "A mid-level capability sits under a high-level one, a low-level "
                                "one under a mid-level one."}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Capability.objects.filter(engagement=engagement, level__in=[Level.HIGH, Level.MID])
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        choice(self, "parent").queryset = parents.order_by("level", "name")


class DriverForm(forms.ModelForm):
    class Meta:
        model = PestleDriver
        fields = ["category", "title", "description", "driver_type", "impact"]
        widgets = {"description": ROWS2}


class SharedPestleForm(forms.ModelForm):
    class Meta:
        model = SharedPestle
        fields = ["industry", "region", "summary"]
        widgets = {"summary": ROWS2}


class UseSharedForm(forms.Form):
    use_shared = forms.BooleanField(
        required=False, label="Start from the shared analysis of this industry and region"
    )
    note = forms.CharField(max_length=NOTE, required=False, widget=ROWS2, label="Why this account differs")


class InternalDriverForm(forms.ModelForm):
    class Meta:
        model = InternalDriver
        fields = ["category", "title", "description", "driver_type", "impact"]
        widgets = {"description": ROWS2}


class ElementForm(forms.ModelForm):
    class Meta:
        model = StrategyElement
        fields = ["kind", "title", "description", "parent", "serves"]
        widgets = {"description": ROWS2}

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = StrategyElement.objects.filter(account_id=account_id).exclude(pk=self.instance.pk or 0)
        choice(self, "parent").queryset = others.exclude(
            kind__in=[ElementKind.OBJECTIVE, ElementKind.TACTIC]
        )
        choice(self, "serves").queryset = others.filter(
            kind__in=[ElementKind.GOAL, ElementKind.OBJECTIVE]
        )


class LinkForm(forms.ModelForm):
    class Meta:
        model = SolutionLink
        fields = ["product", "element", "note"]
        labels = {"element": "Serves", "product": "Product"}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "product").queryset = engagement.products.all()
        choice(self, "product").empty_label = "The whole solution"
        choice(self, "element").queryset = StrategyElement.objects.filter(
            account_id=engagement.account_id,
            kind__in=[ElementKind.TACTIC, ElementKind.OBJECTIVE, ElementKind.GOAL,
                      ElementKind.VISION],
        )


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["product", "function", "output", "contribution", "outcome"]

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "product").queryset = engagement.products.all()
        choice(self, "outcome").queryset = engagement.outcomes.all()
