"""The value plan of an engagement (phase 6, value realization).

A value item is one statement of value: promised (contracted) or expected (proposed, not
promised), tied to the engagement outcome it is about, to the adoption KPIs that measure it
(cairn.adoption's Kpi: baseline, milestones, target, readings; not copied here) and to the
element of the customer's strategy chain it serves. Who measures it (a customer contact or a
team member), how the data is reached and how often are part of the item. What was achieved
is read from the KPIs' readings (cairn.value.queries), never typed in.

The customer's perception is recorded on the item: a stakeholder confirms or disputes the
statement through a cairn.sharing customer link (cairn.value.perception).

Keeping value on track: the changes and challenges spotted (ValueChange), each with a
response plan, an owner and a status, and the activities planned for the phase
(ValueActivity) and whether they happened.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cairn.fields import NAME, NOTE, TITLE
from cairn.validation import FieldedConstraints

ENGAGEMENT = "engagements.Engagement"


class Commitment(models.TextChoices):
    PROMISED = "promised", "Promised"
    EXPECTED = "expected", "Expected"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Twice a year"
    YEARLY = "yearly", "Yearly"


class Perception(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"


class ValueItem(FieldedConstraints):
    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="value_items")
    commitment = models.CharField(
        "promised or expected", max_length=10, choices=Commitment.choices, default=Commitment.PROMISED,
        help_text="Promised: contracted. Expected: proposed, but not promised.",
    )
    statement = models.CharField(
        "value statement", max_length=TITLE,
        help_text="The value in the customer's words, e.g. “Fuel per nautical mile down 8 % within a year”.",
    )
    description = models.TextField(blank=True, max_length=NOTE)
    outcome = models.ForeignKey(
        "engagements.Outcome", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The engagement outcome this value is about.",
    )
    kpis = models.ManyToManyField(
        "adoption.Kpi", blank=True, related_name="value_items", verbose_name="KPIs",
        help_text="The KPIs that measure it; their readings say what was achieved.",
    )
    element = models.ForeignKey(
        "preparation.StrategyElement", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="strategy element",
        help_text="The tactic, objective, goal or vision of the customer's strategy it serves.",
    )
    measured_by_contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="measured by (customer)",
    )
    measured_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="measured by (our team)",
    )
    data_source = models.TextField(
        "how the data is reached", blank=True, max_length=NOTE,
        help_text="Where the figures come from and how we get them.",
    )
    frequency = models.CharField(
        "measured", max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    statement_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The statement as last sent to the customer for confirmation.",
    )
    perception = models.CharField(max_length=10, choices=Perception.choices, blank=True)
    perceived_by = models.CharField("answered by", max_length=NAME, blank=True)
    perceived_contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    perceived_at = models.DateTimeField("answered at", null=True, blank=True)
    perception_comment = models.TextField("customer's comment", blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[kpis])

    class Meta:
        ordering = ["commitment", "statement", "pk"]
        verbose_name = "value item"
        constraints = [
            models.CheckConstraint(
                condition=Q(commitment__in=Commitment.values), name="value_item_commitment_valid",
                violation_error_message="Choose promised or expected.",
            ),
            models.CheckConstraint(
                condition=Q(measured_by_contact__isnull=True) | Q(measured_by_user__isnull=True),
                name="value_item_one_measurer",
                violation_error_message=(
                    "Name one person who measures it: a customer contact or a team member."
                ),
            ),
            models.CheckConstraint(
                condition=Q(perception="") | Q(perceived_at__isnull=False),
                name="value_item_perception_dated",
                violation_error_message="A customer's answer records when it was given.",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    @property
    def measured_by(self) -> object | None:
        return self.measured_by_contact or self.measured_by_user

    def clean(self) -> None:
        if self.engagement_id is None:
            return
        engagement = self.engagement
        errors: dict[str, str] = {}
        if self.outcome_id and self.outcome.engagement_id != engagement.pk:  # type: ignore[union-attr]
            errors["outcome"] = "Choose an outcome of this engagement."
        if self.element_id:
            from cairn.preparation.models import LINKABLE_KINDS

            element = self.element
            assert element is not None
            if element.account_id != engagement.account_id:
                errors["element"] = "Choose an element of this customer's strategy."
            elif element.kind not in [str(kind) for kind in LINKABLE_KINDS]:
                errors["element"] = "Choose a tactic, objective, goal or vision."
        if self.measured_by_contact_id and self.measured_by_contact.account_id != engagement.account_id:  # type: ignore[union-attr]
            errors["measured_by_contact"] = f"Choose a contact of {engagement.account}."
        if errors:
            raise ValidationError(errors)


class ChangeKind(models.TextChoices):
    NEW_STAKEHOLDER = "new_stakeholder", "New stakeholder"
    LOST_STAKEHOLDER = "lost_stakeholder", "Lost stakeholder"
    REORGANISATION = "reorganisation", "Reorganisation"
    BUDGET_CUT = "budget_cut", "Budget cut"
    REGULATION = "regulation", "New law or regulation"
    MERGER = "merger", "Merger or acquisition"
    COMPETITOR = "competitor", "Competitor"
    PRODUCT_CHANGE = "product_change", "Product change"
    OTHER = "other", "Other"


class ChangeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESPONDING = "responding", "Responding"
    RESOLVED = "resolved", "Resolved"


class ValueChange(FieldedConstraints):
    """A change or challenge spotted that could put the value at risk, and our response."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="value_changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    description = models.TextField(max_length=NOTE, help_text="What changed, and what it puts at risk.")
    spotted_on = models.DateField("spotted on")
    response_plan = models.TextField(blank=True, max_length=NOTE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who in our team leads the response.",
    )
    status = models.CharField(max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.OPEN)
    due_date = models.DateField(null=True, blank=True, help_text="When the response should be done.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-spotted_on", "-pk"]
        verbose_name = "change or challenge"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChangeKind.values), name="value_change_kind_valid",
                violation_error_message="Choose a kind of change.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChangeStatus.values), name="value_change_status_valid",
                violation_error_message="Choose open, responding or resolved.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("spotted_on")),
                name="value_change_due_after_spotted",
                violation_error_message="The response cannot be due before the change was spotted.",
            ),
        ]

    def __str__(self) -> str:
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return f"{self.get_kind_display()}: {first[:80]}"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HAPPENED = "happened", "Happened"
    SKIPPED = "skipped", "Skipped"


class ValueActivity(FieldedConstraints):
    """An activity planned for the value phase (a progress meeting, a value report, a
    feedback request...) and whether it happened."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="value_activities")
    title = models.CharField(max_length=TITLE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    note = models.TextField(blank=True, max_length=NOTE, help_text="What happened, or why it was skipped.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "value activity"
        verbose_name_plural = "value activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="value_activity_status_valid",
                violation_error_message="Choose planned, happened or skipped.",
            ),
            models.CheckConstraint(
                condition=~Q(note="") | ~Q(status=ActivityStatus.SKIPPED),
                name="value_activity_skip_says_why",
                violation_error_message="Say why the activity was skipped.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
