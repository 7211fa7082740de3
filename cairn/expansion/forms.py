from __future__ import annotations

from typing import Any, cast

from django import forms

from cairn.customers.models import Account, Contact
from cairn.engagements.models import Engagement
from cairn.expansion.models import (
    CLOSED_STAGES,
    SALES_STAGES,
    AdvocacyAsk,
    AskKind,
    HandoffPolicy,
    Opportunity,
)
from cairn.fields import NAME, NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.people.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _workers() -> Any:
    return User.objects.filter(is_active=True).exclude(role="readonly").order_by("first_name", "last_name")


class OpportunityForm(forms.ModelForm):  # type: ignore[type-arg]
    """Spotting an opportunity, and changing what it is about."""

    class Meta:
        model = Opportunity
        fields = ["kind", "title", "description", "product", "engagement", "amount",
                  "expected_close", "spotted_by", "confirmed_by"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "expected_close": DATE}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "engagement").queryset = (
            Engagement.objects.filter(account=account).order_by("-start_date", "pk")
        )
        choice(self, "confirmed_by").queryset = Contact.objects.filter(account=account)
        choice(self, "spotted_by").queryset = _workers()
        self.fields["spotted_by"].help_text = "You, if left empty."


class WorkForm(OpportunityForm):
    """Changing an opportunity: once Sales has it, its stage and sales owner too."""

    class Meta(OpportunityForm.Meta):
        fields = [*OpportunityForm.Meta.fields, "stage", "sales_owner_name", "sales_owner_email",
                  "crm_reference"]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, account=account, **kwargs)
        if self.instance.with_sales:
            cast(forms.ChoiceField, self.fields["stage"]).choices = [(s.value, s.label) for s in SALES_STAGES]
        else:
            for name in ("stage", "sales_owner_name", "sales_owner_email", "crm_reference"):
                del self.fields[name]


class HandoffForm(forms.Form):
    sales_owner_name = forms.CharField(label="Sales owner", max_length=NAME)
    sales_owner_email = forms.EmailField(label="Sales owner's e-mail")
    crm_reference = forms.CharField(label="CRM reference", max_length=100)
    amount = forms.DecimalField(
        label="Estimated ARR", max_digits=14, decimal_places=2, min_value=0,
        help_text="The estimate as you hand it over.",
    )
    confirmed_by = forms.ModelChoiceField(
        label="Need confirmed by", queryset=Contact.objects.none(), required=False,
        help_text="The customer contact who confirmed the need.",
    )
    handed_on = forms.DateField(
        label="Handed over on", required=False, validators=[SaneDateValidator()], widget=DATE,
        help_text="Today if left empty.",
    )

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "amount": opportunity.amount, "confirmed_by": opportunity.confirmed_by_id,
        })
        super().__init__(*args, **kwargs)
        choice(self, "confirmed_by").queryset = Contact.objects.filter(account_id=opportunity.account_id)


class CloseForm(forms.Form):
    stage = forms.ChoiceField(label="Outcome", choices=[(s.value, s.label) for s in CLOSED_STAGES])
    closed_amount = forms.DecimalField(
        label="Closed ARR", max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text="The ARR the customer bought; 0 if left empty for a lost one.",
    )
    closed_on = forms.DateField(
        label="Closed on", required=False, validators=[SaneDateValidator()], widget=DATE,
        help_text="Today if left empty.",
    )
    close_reason = forms.CharField(
        label="Reason and notes", required=False, max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Needed for a lost one.",
    )


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = HandoffPolicy
        fields = ["text", "minimum_amount", "requires_confirmation"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class AskForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AdvocacyAsk
        fields = ["kind", "status", "asked_on", "done_on", "asked_by", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "asked_on": DATE, "done_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "asked_by").queryset = _workers()
        self.fields["asked_by"].help_text = "You, if left empty."


class PlanAskForm(forms.Form):
    """One click on a candidate: plan an ask of this kind."""

    kind = forms.ChoiceField(choices=AskKind.choices, initial=AskKind.REFERENCE_CALL)
