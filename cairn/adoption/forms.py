"""Forms of the adoption tools. Model forms validate each field; the actions then validate
the whole row (constraints that span the engagement) before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.adoption import writing
from cairn.adoption.models import (
    Challenge,
    Consideration,
    ImpactedGroup,
    ImpactedProcess,
    Kpi,
    KpiMilestone,
    KpiReading,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessWorkshop,
    Risk,
    RoadmapStep,
    WorkPackage,
)
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.fields import DOCUMENT, NOTE, SaneDateValidator
from cairn.forms import choice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProcessForm(forms.ModelForm):
    class Meta:
        model = ImpactedProcess
        fields = ["name", "today", "after", "owner"]
        widgets = {"today": _text(), "after": _text()}


class GroupForm(forms.ModelForm):
    class Meta:
        model = ImpactedGroup
        fields = [
            "name", "impact", "size", "location", "manager",
            "knowledge_gap", "knowledge_note", "skills_gap", "skills_note", "attitude_gap", "attitude_note",
            "communication_needs", "training_needs", "support_needs",
        ]
        widgets = {
            "knowledge_note": _text(2), "skills_note": _text(2), "attitude_note": _text(2),
            "communication_needs": _text(2), "training_needs": _text(2), "support_needs": _text(2),
        }

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "manager").queryset = Contact.objects.filter(account=engagement.account_id)


class ConsiderationForm(forms.ModelForm):
    class Meta:
        model = Consideration
        fields = ["kind", "title", "detail", "group"]
        widgets = {"detail": _text()}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "group").queryset = engagement.impacted_groups.all()


SCALE = [(n, str(n)) for n in range(1, 6)]


class RiskForm(forms.ModelForm):
    likelihood = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text=Risk._meta.get_field("likelihood").help_text
    )
    impact = forms.TypedChoiceField(
        choices=SCALE, coerce=int, help_text=Risk._meta.get_field("impact").help_text
    )

    class Meta:
        model = Risk
        fields = ["title", "description", "likelihood", "impact", "owner", "mitigation", "status"]
        widgets = {"description": _text(2), "mitigation": _text()}


class SectionsForm(forms.Form):
    """A plan edited section by section; each `## ` section of the text is one field."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(required=False, max_length=200, label="What changed")

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headings = [h for h, _ in sections if h]
        self.preamble = next((b for h, b in sections if not h), "")
        for n, (heading, text) in enumerate((h, b) for h, b in sections if h):
            self.fields[f"section_{n}"] = forms.CharField(
                max_length=DOCUMENT,
                label=heading, required=False, initial=text, widget=_text(5)
            )

    def body(self, title: str) -> str:
        parts = [(h, self.cleaned_data.get(f"section_{n}", "")) for n, h in enumerate(self.headings)]
        preamble = self.preamble
        if preamble.startswith(f"# {title}"):
            preamble = preamble[len(title) + 2:]
        return writing.join_sections(title, [("", preamble), *parts])


class ApprovalForm(forms.Form):
    approved_by = forms.ModelChoiceField(
        queryset=Contact.objects.none(), label="Approved by",
        help_text="The key stakeholder who approved the outline.",
    )
    approved_on = forms.DateField(validators=[SaneDateValidator()], widget=DATE, label="Approved on")
    note = forms.CharField(max_length=NOTE, required=False, widget=_text(2), label="Note",
                           help_text="How it was approved: in a meeting, by e-mail...")

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "approved_by").queryset = Contact.objects.filter(account=engagement.account_id)


class RoadmapSummaryForm(forms.Form):
    roadmap_summary = forms.CharField(
        max_length=NOTE,
        widget=_text(4), label="Summary for the workforce",
        help_text="Why the change, what changes for people, and when. Plain words: everyone reads it.",
    )


class RoadmapStepForm(forms.ModelForm):
    class Meta:
        model = RoadmapStep
        fields = ["title", "starts", "ends", "audience", "description"]
        widgets = {"starts": DATE, "ends": DATE, "description": _text()}


class PilotForm(forms.ModelForm):
    class Meta:
        model = Pilot
        fields = ["kind", "scope", "starts", "ends", "result_notes"]
        widgets = {"kind": forms.RadioSelect, "scope": _text(), "starts": DATE, "ends": DATE,
                   "result_notes": _text()}


class PilotCriterionForm(forms.ModelForm):
    class Meta:
        model = PilotCriterion
        fields = ["criterion", "result", "evidence"]
        widgets = {"evidence": _text()}


class WorkPackageForm(forms.ModelForm):
    from_section = forms.ChoiceField(
        required=False, label="From the plan section",
        help_text="The section of the current adoption plan this package carries out.",
    )

    class Meta:
        model = WorkPackage
        fields = ["title", "owner", "deliverables", "due_date", "status"]
        widgets = {"deliverables": _text(), "due_date": DATE}

    def __init__(self, *args: Any, sections: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["from_section"]
        field.choices = [("", "Not from the plan"), *((s, s) for s in sections)]  # type: ignore[attr-defined]
        if self.instance.plan_section:
            field.initial = self.instance.plan_section
        if not sections:
            field.help_text = ("The plan sections appear here from the detailed plan, or from the outline "
                               "while its current version is the approved one.")


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = ReadinessWorkshop
        fields = ["held_on", "participants", "notes"]
        widgets = {"held_on": DATE, "participants": _text(2), "notes": _text()}


class ReadinessItemForm(forms.ModelForm):
    class Meta:
        model = ReadinessItem
        fields = ["item", "owner"]
        labels = {"item": "Checklist item"}


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=NOTE, widget=_text(2), label="How it was resolved")


class CarryForm(forms.Form):
    impact = forms.CharField(max_length=NOTE, widget=_text(2), label="What it affects",
                             help_text="It goes into the challenge log with this impact.")


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = [
            "name", "unit", "direction", "baseline_value", "baseline_date", "target_value",
            "target_date", "outcome", "description",
        ]
        widgets = {"baseline_date": DATE, "target_date": DATE, "description": _text(2)}
        labels = {"baseline_value": "Baseline", "target_value": "Target"}

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "outcome").queryset = engagement.outcomes.all()


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = KpiMilestone
        fields = ["date", "expected", "label"]
        widgets = {"date": DATE}


class ReadingForm(forms.ModelForm):
    class Meta:
        model = KpiReading
        fields = ["date", "value", "note"]
        widgets = {"date": DATE}
        labels = {"date": "Reading date", "value": "Value"}


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["challenge", "impact", "response", "raised_on", "resolved_on", "is_lesson", "lesson"]
        widgets = {"impact": _text(2), "response": _text(), "raised_on": DATE, "resolved_on": DATE,
                   "lesson": _text(2)}


class GovernanceForm(forms.Form):
    held_on = forms.DateField(validators=[SaneDateValidator()], widget=DATE, label="Meeting date")
    attendees = forms.CharField(max_length=NOTE, required=False, widget=_text(2))
    decisions = forms.CharField(
        max_length=NOTE, required=False, widget=_text(3), label="Decisions and actions"
    )
