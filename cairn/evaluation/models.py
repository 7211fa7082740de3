"""Engagement evaluation (phase 7): the rounds' two questions in structure, the team's lessons
library, and each CSM's personal development plan.

A round (cairn.engagements.models.Evaluation) answers the framework's two questions:
what value did the customer get (CustomerValue: what, measured how, known to them, known to
us) and what value did our company get (CompanyValue: retention, expansion, product insight,
customer-experience insight, each with the teams it was reported to).

Lessons are the team's: anyone who writes adds one, from a challenge of an engagement's log
or afresh. Tags are rows (Tag), not free text on each lesson: the same word for the same
thing across the library, a list to filter by, and a join rather than a text search to find
them. A lesson carries at most MAX_TAGS of them.

A development plan is its CSM's own: read by them and by CS leaders (admins are leaders in
Cairn's role model), nobody else (cairn.evaluation.rules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from cairn.fields import NOTE, TITLE
from cairn.validation import FieldedConstraints

MAX_TAGS = 8
TAG_LENGTH = 40


class Team(models.TextChoices):
    """The teams of our company that hear of the value an engagement brought us."""

    PRODUCT = "product", "Product"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    SUPPORT = "support", "Support"
    SERVICES = "services", "Professional services"
    LEADERSHIP = "leadership", "Leadership"


class CompanyValueKind(models.TextChoices):
    RETENTION = "retention", "Retention"
    EXPANSION = "expansion", "Expansion"
    PRODUCT_INSIGHT = "product_insight", "Product insight"
    EXPERIENCE_INSIGHT = "experience_insight", "Customer-experience insight"
    # Only for the free text of rounds recorded before the questions had a structure.
    OTHER = "other", "Other value"


class CustomerValue(FieldedConstraints):
    """One value the customer got, and whether each side knows it."""

    round = models.ForeignKey(
        "engagements.Evaluation", on_delete=models.CASCADE, related_name="customer_values"
    )
    what = models.CharField("value the customer got", max_length=TITLE)
    measured_how = models.TextField("measured how", blank=True, max_length=NOTE)
    # None only on rounds recorded before the questions had a structure: nobody said.
    known_to_customer = models.BooleanField("known to the customer", null=True)
    known_to_us = models.BooleanField("known to us", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return self.what


class CompanyValue(FieldedConstraints):
    """What the engagement brought our company, of one kind, and who was told."""

    round = models.ForeignKey(
        "engagements.Evaluation", on_delete=models.CASCADE, related_name="company_values"
    )
    kind = models.CharField(max_length=20, choices=CompanyValueKind.choices)
    description = models.TextField(max_length=NOTE)
    # The teams told, as their keys joined by commas (Team): a bounded set of six.
    reported_to = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind"], name="evaluation_one_company_value_per_kind",
                violation_error_message="This round already records value of this kind: edit it.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CompanyValueKind.values), name="evaluation_company_value_kind",
                violation_error_message="Choose retention, expansion, product or experience insight.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"

    @property
    def teams(self) -> list[str]:
        return [key for key in self.reported_to.split(",") if key]

    @property
    def team_labels(self) -> list[str]:
        labels = dict(Team.choices)
        return [str(labels.get(key, key)) for key in self.teams]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [key for key in self.teams if key not in Team.values]
        if unknown:
            raise ValidationError({"reported_to": f"Unknown team {unknown[0]!r}."})


class Tag(FieldedConstraints):
    name = models.CharField(max_length=TAG_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="evaluation_tag_name_unique",
                violation_error_message="A tag of this name exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lesson(FieldedConstraints):
    """A lesson for the whole team: what happened, and what to do next time."""

    title = models.CharField(max_length=TITLE)
    what_happened = models.TextField(max_length=NOTE)
    next_time = models.TextField("what to do next time", blank=True, max_length=NOTE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="lessons")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="library_lessons", verbose_name="source engagement",
    )
    challenge = models.ForeignKey(
        "adoption.Challenge", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="library_lessons", verbose_name="source challenge",
    )
    round = models.ForeignKey(
        "engagements.Evaluation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="library_lessons", verbose_name="evaluation round",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge"], condition=Q(challenge__isnull=False),
                name="evaluation_one_lesson_per_challenge",
                violation_error_message="This challenge is already a lesson in the library.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lesson", args=[self.pk])


class DevelopmentPlan(FieldedConstraints):
    """A CSM's personal development plan: where they want to go and how."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="development_plan"
    )
    career_vision = models.TextField(blank=True, max_length=NOTE)
    success_factors = models.TextField(
        "critical success factors", blank=True, max_length=NOTE,
        help_text="What must go right to get there, one per line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "pk"]

    def __str__(self) -> str:
        return f"Development plan of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("development_plan_detail", args=[self.pk])

    @property
    def factors(self) -> list[str]:
        return [line.strip() for line in self.success_factors.splitlines() if line.strip()]

    @property
    def open_items(self) -> int:
        """Items planned or in progress (reads the prefetched items)."""
        return sum(1 for i in self.items.all() if i.status in ("planned", "in_progress"))

    @property
    def last_review(self) -> PlanReview | None:
        reviews = list(self.reviews.all())
        return max(reviews, key=lambda r: (r.held_on, r.pk)) if reviews else None


class ItemStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class PlanItem(FieldedConstraints):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=TITLE)
    target_date = models.DateField()
    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="evaluation_plan_item_status",
                violation_error_message="Choose planned, in progress, done or dropped.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanReview(FieldedConstraints):
    """A formal review of the plan (quarterly, say) held with a leader or a peer."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    # Kept when the reviewer's account is removed (people are deactivated, rarely deleted).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
    )
    notes = models.TextField(max_length=NOTE)
    next_steps = models.TextField(blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.held_on:%Y-%m-%d}"
