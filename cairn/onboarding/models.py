"""Onboarding (phase 3): the welcome pack, the phased project plan and the CSM's time.

The plan is the engagement's own (one per engagement), separate from the playbook checklist:
the checklist says *that* a plan is written, the plan holds its phases, milestones and
activities with dates and owners, which the Gantt chart and the milestone reports draw from.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE
from cairn.validation import FieldedConstraints


class PackStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    REVIEWED = "reviewed", "Reviewed with the customer"


class WelcomePack(FieldedConstraints):
    """What the customer gets to start with: what they bought, how to get in, who helps.

    Sections are Markdown. Sending it stores a copy in the central repository, so what the
    customer received stays readable after later edits.
    """

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="welcome_pack"
    )
    introduction = models.TextField(blank=True, help_text="A short welcome in your words.", max_length=NOTE)
    components = models.TextField(
        "Solution components", blank=True, help_text="The products and services in the solution.",
        max_length=NOTE,
    )
    features = models.TextField("Main features", blank=True, max_length=NOTE)
    quantities = models.TextField(
        "Quantities bought", blank=True, help_text="Filled from the account's subscriptions.",
        max_length=NOTE,
    )
    licences = models.TextField("Licences and access", blank=True, max_length=NOTE)
    support_contacts = models.TextField("Support and specialist contacts", blank=True, max_length=NOTE)
    self_service = models.TextField("Self-service help and FAQs", blank=True, max_length=NOTE)
    learning_library = models.TextField("Learning library", blank=True, max_length=NOTE)
    get_started = models.TextField("Get-started guides", blank=True, max_length=NOTE)
    delivery_format = models.CharField(
        "Format", max_length=120, blank=True, help_text="e.g. PDF by e-mail, walked through in a call."
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Who sends it.",
    )
    recipient = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who receives it at the customer.",
    )
    planned_on = models.DateField("Planned for", null=True, blank=True, help_text="When to send it.")
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.DRAFT)
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who recorded the receipt.",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The copy in the central repository, written when the pack is sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PackStatus.values), name="onboarding_pack_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(sent_on__isnull=False) | models.Q(status="draft"),
                name="onboarding_pack_sent_has_date",
                violation_error_message="A sent welcome pack needs the date it was sent.",
            ),
            models.CheckConstraint(
                condition=models.Q(received_on__isnull=True)
                | models.Q(received_on__gte=models.F("sent_on")),
                name="onboarding_pack_received_after_sent",
                violation_error_message="It cannot be received before it was sent.",
            ),
            models.CheckConstraint(
                condition=models.Q(reviewed_on__isnull=True)
                | models.Q(reviewed_on__gte=models.F("sent_on")),
                name="onboarding_pack_reviewed_after_sent",
                violation_error_message="It cannot be reviewed before it was sent.",
            ),
        ]

    def __str__(self) -> str:
        return f"Welcome pack for {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("onboarding_welcome_pack", args=[self.engagement_id])

    SECTIONS = (
        "introduction", "components", "features", "quantities", "licences", "support_contacts",
        "self_service", "learning_library", "get_started",
    )

    def sections(self) -> list[tuple[str, str]]:
        """(label, Markdown) of each filled section, in reading order."""
        result = []
        for name in self.SECTIONS:
            text = getattr(self, name)
            if text.strip():
                label = str(getattr(self._meta.get_field(name), "verbose_name", name))
                result.append((label[:1].upper() + label[1:], text))
        return result


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    MILESTONES = "milestones", "At each milestone"


class OnboardingPlan(FieldedConstraints):
    """The agreed onboarding project: scope, dates, reporting, fees, and the sign-off."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="onboarding_plan"
    )
    scope = models.TextField(help_text="What onboarding covers, and what it does not.", max_length=NOTE)
    start_date = models.DateField()
    deadline = models.DateField(help_text="When onboarding is agreed to be complete.")
    communication = models.TextField(
        blank=True, help_text="Channels, meetings and who attends.", max_length=NOTE
    )
    reporting_cadence = models.CharField(
        max_length=12, choices=Cadence.choices, default=Cadence.MILESTONES
    )
    reporting_note = models.TextField(
        "Reporting", blank=True, help_text="What is reported, to whom.", max_length=NOTE
    )
    service_fee = models.DecimalField(
        "Service fees", max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Professional-services fees agreed for onboarding, if any.",
    )
    fee_currency = models.CharField("Currency", max_length=3, blank=True, help_text="e.g. EUR")
    fee_note = models.CharField("Fee terms", max_length=200, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.CharField(
        max_length=200, blank=True, help_text="The customer stakeholder who signed off."
    )
    signoff_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("start_date")),
                name="onboarding_plan_deadline_after_start",
                violation_error_message="The deadline must not be before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(service_fee__isnull=True) | models.Q(service_fee__gte=0),
                name="onboarding_plan_fee_not_negative",
                violation_error_message="Service fees cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(reporting_cadence__in=Cadence.values),
                name="onboarding_plan_cadence_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Onboarding plan for {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("onboarding_plan", args=[self.engagement_id])

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.fee_currency = self.fee_currency.strip().upper()
        if self.fee_currency and not (len(self.fee_currency) == 3 and self.fee_currency.isalpha()):
            raise ValidationError({"fee_currency": "Use a three-letter currency code, e.g. EUR."})
        if self.service_fee is not None and self.service_fee > Decimal(0) and not self.fee_currency:
            raise ValidationError({"fee_currency": "Say in which currency the fees are."})


class PlanPhase(FieldedConstraints):
    """A phase of the onboarding project, with the outputs and outcomes it should bring."""

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=150)
    start_date = models.DateField()
    end_date = models.DateField()
    outputs = models.TextField(blank=True, help_text="What the phase produces.", max_length=NOTE)
    outcomes = models.TextField(blank=True, help_text="What the customer gains from it.", max_length=NOTE)

    class Meta:
        ordering = ["start_date", "end_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="onboarding_phase_ends_after_start",
                violation_error_message="The end date must not be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(FieldedConstraints):
    """A point the customer will recognise, reported on when it is reached."""

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="milestones")
    phase = models.ForeignKey(
        PlanPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    name = models.CharField(max_length=150)
    due_date = models.DateField()
    done_on = models.DateField("Reached on", null=True, blank=True)
    report = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The latest customer-facing report on this milestone.",
    )

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


class PlanActivity(FieldedConstraints):
    """A piece of onboarding work: who does it (our side or the customer's), and when."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(max_length=200)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="responsible (our team)",
    )
    responsible_contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="responsible (customer)",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    outputs = models.TextField(blank=True, help_text="What it delivers.", max_length=NOTE)
    note = models.TextField(blank=True, max_length=NOTE)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "end_date", "pk"]
        verbose_name_plural = "plan activities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="onboarding_activity_ends_after_start",
                violation_error_message="The end date must not be before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(responsible_user__isnull=True)
                | models.Q(responsible_contact__isnull=True),
                name="onboarding_activity_one_responsible",
                violation_error_message="Name one responsible person: ours or the customer's.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ActivityStatus.values),
                name="onboarding_activity_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def responsible(self) -> object | None:
        return self.responsible_user or self.responsible_contact

    @property
    def is_done(self) -> bool:
        return self.status == ActivityStatus.DONE


class TimeEntry(FieldedConstraints):
    """Hours a CSM spent on an engagement, optionally on one plan or checklist activity.

    The lifecycle phase is stored with the entry, so the report per phase stays right after
    the engagement has moved on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="time_entries"
    )
    phase = models.ForeignKey("playbooks.Phase", on_delete=models.PROTECT, related_name="+")
    plan_activity = models.ForeignKey(
        PlanActivity, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries",
        verbose_name="plan activity",
    )
    checklist_activity = models.ForeignKey(
        "engagements.EngagementActivity", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="time_entries", verbose_name="checklist activity",
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["user", "date"], name="onboarding_time_user_day"),
            models.Index(fields=["engagement", "date"], name="onboarding_time_engagement"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="onboarding_time_hours_in_a_day",
                violation_error_message="Hours must be more than 0 and at most 24.",
            ),
            models.CheckConstraint(
                condition=models.Q(plan_activity__isnull=True)
                | models.Q(checklist_activity__isnull=True),
                name="onboarding_time_one_activity",
                violation_error_message="Book the time on a plan activity or a checklist "
                "activity, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.hours} h on {self.date}"

    @property
    def activity(self) -> object | None:
        return self.plan_activity or self.checklist_activity
