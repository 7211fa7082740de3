from __future__ import annotations

from typing import Any, cast

from django import forms

from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.people.models import User
from cairn.renewals.models import OPEN_STAGES, OUTCOMES, ChurnReason, Renewal


class RenewalForm(forms.ModelForm):  # type: ignore[type-arg]
    """Working a renewal: who, how far, what we aim for and expect."""

    class Meta:
        model = Renewal
        fields = ["owner", "stage", "target_amount", "forecast_amount", "flagged_at_risk", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [(s.value, s.label) for s in OPEN_STAGES]
        choice(self, "owner").queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )


class OutcomeForm(forms.Form):
    stage = forms.ChoiceField(label="Outcome", choices=[(s.value, s.label) for s in OUTCOMES])
    final_amount = forms.DecimalField(
        label="Final ARR", max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text="Left empty for a renewal at the same ARR; 0 for a churn.",
    )
    reason = forms.ModelChoiceField(
        queryset=ChurnReason.objects.filter(is_active=True), required=False,
        help_text="For a churn or a downgrade.",
    )
    reason_text = forms.CharField(
        label="In words", required=False, max_length=NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    closed_on = forms.DateField(
        label="Recorded on", required=False, validators=[SaneDateValidator()],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if left empty.",
    )
    term_months = forms.IntegerField(label="New term (months)", min_value=1, max_value=120, initial=12)


class ReasonForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ChurnReason
        fields = ["name", "description", "is_active", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
