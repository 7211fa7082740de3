"""Forms of engagement evaluation. Bounds come from the models; the actions validate again."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.evaluation.models import (
    MAX_TAGS,
    CompanyValueKind,
    CustomerValue,
    DevelopmentPlan,
    Lesson,
    PlanItem,
    Team,
)
from cairn.fields import SaneDateValidator
from cairn.people.models import User

DATE = forms.DateInput(attrs={"type": "date"})
YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNo(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect, **kwargs
        )


class CustomerValueForm(forms.ModelForm):
    known_to_customer = YesNo(label="Does the customer know it?")
    known_to_us = YesNo(label="Do we know it (measured, not assumed)?")

    class Meta:
        model = CustomerValue
        fields = ["what", "measured_how", "known_to_customer", "known_to_us"]
        widgets = {"measured_how": forms.Textarea(attrs={"rows": 2})}
        labels = {"what": "Value the customer got", "measured_how": "Measured how"}
        help_texts = {"what": "e.g. fuel per nautical mile down 6 %."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("known_to_customer", "known_to_us"):
            value = getattr(self.instance, name)
            if value is not None and not self.is_bound:
                self.initial[name] = "yes" if value else "no"


class CompanyValueForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of value",
        choices=[c for c in CompanyValueKind.choices if c[0] != CompanyValueKind.OTHER],
    )
    description = forms.CharField(
        label="What it brought us", max_length=20_000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty to remove what this round recorded of this kind.",
    )
    reported_to = forms.MultipleChoiceField(
        label="Reported to", choices=Team.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LessonForm(forms.ModelForm):
    tags = forms.CharField(
        required=False, max_length=400,
        help_text=f"Separated by commas, at most {MAX_TAGS}: e.g. onboarding, data access.",
    )

    class Meta:
        model = Lesson
        fields = ["title", "what_happened", "next_time"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "next_time": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def tag_list(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class GatherForm(forms.Form):
    challenges = forms.MultipleChoiceField(
        label="Challenges to carry into the library", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one challenge."},
    )
    tags = forms.CharField(
        required=False, max_length=400, help_text="Tags for every lesson gathered, separated by commas.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["challenges"].choices = choices  # type: ignore[attr-defined]

    def tag_list(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class LessonSearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search",
        widget=forms.TextInput(attrs={"type": "search", "size": 30, "placeholder": "Words in the lesson"}),
    )
    tag = forms.CharField(required=False, max_length=40)


class PlanForm(forms.ModelForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["career_vision", "success_factors"]
        widgets = {
            "career_vision": forms.Textarea(attrs={"rows": 3}),
            "success_factors": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"career_vision": "Where you want to be in a few years, in your words."}


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["title", "target_date", "status"]
        widgets = {"target_date": DATE}
        labels = {"title": "Plan item"}


class ReviewForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=DATE, validators=[SaneDateValidator()])
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label="Held with")
    notes = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(
        max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True).exclude(pk=owner.pk).exclude(role="readonly")
            .order_by("first_name", "last_name")
        )
        field.help_text = "Your leader, or a peer."
