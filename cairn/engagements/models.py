from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.customers.models import Account, Product
from cairn.fields import NOTE
from cairn.playbooks.models import Activity, Output, Phase, PlaybookVersion
from cairn.validation import assignable


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Engagement(models.Model):
    """One customer's journey with one purchased solution, in support of one initiative."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="engagements")
    initiative = models.CharField(max_length=200)
    challenge = models.TextField(
        blank=True, help_text="The customer's problem or opportunity.", max_length=NOTE
    )
    required_outcomes = models.TextField(
        blank=True, help_text="The results the customer needs, in their words.",
        max_length=NOTE,
    )
    solution = models.TextField(blank=True, help_text="What the customer purchased.", max_length=NOTE)
    products = models.ManyToManyField(Product, blank=True, related_name="engagements")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_engagements",
        help_text="The CSM who leads the engagement.",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="engagement_teams"
    )
    start_date = models.DateField()
    playbook_version = models.ForeignKey(
        PlaybookVersion, on_delete=models.PROTECT, related_name="engagements"
    )
    current_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[team])

    class Meta:
        ordering = ["account__name", "initiative"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="engagements_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.initiative}"

    def get_absolute_url(self) -> str:
        return reverse("engagement", args=[self.pk])

    def clean(self) -> None:
        assignable(self.owner if self.owner_id else None, "owner")

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class Outcome(models.Model):
    """A measurable result the customer wants from the engagement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=16, decimal_places=4)
    current = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def progress_percent(self) -> int | None:
        """How far from baseline to target the current value has come, 0 to 100."""
        if self.baseline is None or self.current is None or self.target == self.baseline:
            return None
        share = (self.current - self.baseline) / (self.target - self.baseline)
        return max(0, min(100, round(share * 100)))


class ActivityStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class EngagementActivity(models.Model):
    """The engagement's copy of a playbook activity: its checklist entry."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="activities"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    skip_reason = models.TextField(blank=True, max_length=NOTE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=NOTE)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["activity__phase__position", "activity__position"]
        verbose_name_plural = "engagement activities"
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "activity"], name="engagements_activity_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="skipped") | ~models.Q(skip_reason=""),
                name="engagements_skip_needs_reason",
                violation_error_message="Say why the activity is skipped.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity)

    def clean(self) -> None:
        assignable(self.assignee, "assignee")


class EngagementOutput(models.Model):
    """Whether the engagement has produced a playbook output, and where it is."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="outputs")
    output = models.ForeignKey(Output, on_delete=models.PROTECT, related_name="+")
    delivered = models.BooleanField(default=False)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, max_length=NOTE)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["output__phase__position", "output__position"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "output"], name="engagements_output_once"),
        ]

    def __str__(self) -> str:
        return str(self.output)


class PhaseMove(models.Model):
    """A record of every change of phase, forward or back, with its reason."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="moves")
    from_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField()
    reason = models.TextField(blank=True, max_length=NOTE)
    overridden = models.BooleanField(
        default=False, help_text="Moved forward although required outputs were missing."
    )
    missing_outputs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-moved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(overridden=True) | ~models.Q(reason=""),
                name="engagements_override_needs_reason",
                violation_error_message="An override needs a written reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_phase} -> {self.to_phase}"


class Evaluation(models.Model):
    """A round of engagement evaluation (phase 7), opened at intervals during value realization."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="evaluations"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Its two questions are answered in structure by cairn.evaluation (customer_values,
    # company_values) and its lessons go to the team's library (library_lessons).

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"],
                condition=models.Q(closed_at__isnull=True),
                name="engagements_one_open_evaluation",
                violation_error_message="An evaluation is already open for this engagement.",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.engagement} opened {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
