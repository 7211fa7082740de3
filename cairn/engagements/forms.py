from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from cairn.engagements.models import ActivityStatus, Engagement, Outcome, Status
from cairn.fields import NOTE, SaneDateValidator
from cairn.forms import choice
from cairn.playbooks.models import Phase, PlaybookVersion, VersionStatus

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _workers() -> Any:
    return User.objects.filter(is_active=True).exclude(role="readonly")


class EngagementForm(forms.ModelForm):
    playbook_version = forms.ModelChoiceField(
        queryset=PlaybookVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
            "playbook"
        ),
        label="Playbook",
        help_text="The engagement keeps this version even when the playbook changes later.",
    )

    class Meta:
        model = Engagement
        fields = [
            "initiative", "challenge", "required_outcomes", "solution", "products", "owner",
            "team", "start_date",
        ]
        widgets = {
            "start_date": DATE,
            "challenge": forms.Textarea(attrs={"rows": 3}),
            "required_outcomes": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 2}),
            "team": forms.CheckboxSelectMultiple,
        }
        labels = {"initiative": "Initiative", "required_outcomes": "Required outcomes"}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").queryset = _workers()
        choice(self, "team").queryset = _workers()
        self.fields["team"].required = False
        if editing:
            # The playbook version is fixed once the engagement runs on it.
            del self.fields["playbook_version"]


class ActivityForm(forms.Form):
    status = forms.ChoiceField(choices=ActivityStatus.choices)
    skip_reason = forms.CharField(required=False, max_length=500, label="Reason for skipping")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_date = forms.DateField(validators=[SaneDateValidator()], required=False, widget=DATE)
    note = forms.CharField(max_length=NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "assignee").queryset = _workers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ActivityStatus.SKIPPED and not (data.get("skip_reason") or "").strip():
            self.add_error("skip_reason", "Say why the activity is skipped.")
        return data


class MoveForm(forms.Form):
    to_phase = forms.ModelChoiceField(queryset=Phase.objects.none(), label="Move to")
    reason = forms.CharField(
        max_length=NOTE,
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason",
        help_text="Required when you move on without the required outputs.",
    )
    override = forms.BooleanField(
        required=False, label="Move on although required outputs are missing"
    )

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "to_phase").queryset = engagement.playbook_version.phases.exclude(
            pk=engagement.current_phase_id
        ).exclude(periodic=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("override") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Write why you move on without the required outputs.")
        return data


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["name", "unit", "baseline", "target", "current", "due_date"]
        widgets = {"due_date": DATE}
        help_texts = {
            "name": "A measurable result, e.g. energy use per site.",
            "current": "The latest measured value.",
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, max_length=500)
