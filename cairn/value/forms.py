from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from cairn.adoption.models import Kpi
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement, Outcome
from cairn.forms import choice
from cairn.people.models import User
from cairn.preparation.models import LINKABLE_KINDS, StrategyElement
from cairn.value.models import ValueActivity, ValueChange, ValueItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _team(engagement: Engagement, current: int | None) -> Any:
    """The engagement's owner and team, who can be given work (and whoever holds it now)."""
    members = Q(pk=engagement.owner_id) | Q(engagement_teams=engagement.pk)
    able = Q(is_active=True) & ~Q(role="readonly")
    found = User.objects.filter((members & able) | Q(pk=current or 0)).distinct()
    return found.order_by("first_name", "last_name")


class ValueItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ValueItem
        fields = [
            "commitment", "statement", "description", "outcome", "kpis", "element",
            "measured_by_contact", "measured_by_user", "data_source", "frequency",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "data_source": forms.Textarea(attrs={"rows": 2}),
            "kpis": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "outcome").queryset = Outcome.objects.filter(engagement=engagement)
        choice(self, "kpis").queryset = Kpi.objects.filter(engagement=engagement).order_by("name")
        choice(self, "element").queryset = StrategyElement.objects.filter(
            account_id=engagement.account_id, kind__in=LINKABLE_KINDS
        ).order_by("kind", "title")
        contacts = Contact.objects.filter(account_id=engagement.account_id)
        choice(self, "measured_by_contact").queryset = contacts
        choice(self, "measured_by_user").queryset = _team(engagement, self.instance.measured_by_user_id)


class ChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ValueChange
        fields = ["kind", "description", "spotted_on", "response_plan", "owner", "status", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "response_plan": forms.Textarea(attrs={"rows": 3}),
            "spotted_on": DATE, "due_date": DATE,
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").queryset = _team(engagement, self.instance.owner_id)


class ActivityForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ValueActivity
        fields = ["title", "owner", "due_date", "status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "due_date": DATE}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").queryset = _team(engagement, self.instance.owner_id)
