"""Business reviews (QBR, EBR): the meetings in which the customer's leaders see the value
delivered and our company asks for what it has earned.

A **review programme** is how one account is reviewed: its kind (quarterly business review
with the customer's managers, executive business review with its executives), what is shared
and why, who attends on each side, how often, how long, in which format, with which agenda,
and the date of the next one, which appears in "my work" of the account's owner.

A **review** is one meeting of a programme. Preparing it gathers the account's data over the
period it covers (cairn.reviews.facts) into draft text the CSM edits; exporting it builds a
slide deck (PPTX) and a PDF from that text and the figures (cairn.reviews.deck), each kept
as a new version of a document in the engagement's repository. After the meeting the CSM
records the minutes, the decisions and the follow-up tasks, and the programme's next date
moves on by its cadence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE, TITLE
from cairn.validation import FieldedConstraints

if TYPE_CHECKING:
    from cairn.customers.models import Account

MAX_CADENCE_MONTHS = 24
MIN_MINUTES, MAX_MINUTES = 15, 480


class Kind(models.TextChoices):
    QBR = "qbr", "Quarterly business review"
    EBR = "ebr", "Executive business review"


class Format(models.TextChoices):
    ON_SITE = "on_site", "On site"
    VIDEO = "video", "Video call"
    HYBRID = "hybrid", "Hybrid"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


# The draft's sections, in the order of the deck: (field, heading). Each is text the CSM
# edits before export; Cairn fills them from the account's data when the review is prepared.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("value_text", "Value delivered"),
    ("adoption_text", "Adoption and usage"),
    ("health_text", "Health over the period"),
    ("support_text", "Support"),
    ("risks_text", "Risks and challenges"),
    ("roadmap_text", "Roadmap and next steps"),
    ("asks_text", "Our asks"),
)

DEFAULT_AGENDA = {
    Kind.QBR: (
        "Welcome and objectives\nValue delivered against what was promised\nAdoption and usage\n"
        "Support and open risks\nRoadmap and next steps\nAsks and close"
    ),
    Kind.EBR: (
        "The customer's strategy and where we stand in it\nValue delivered and what it is worth\n"
        "Risks to the outcomes\nThe next year: roadmap and investment\nAsks and close"
    ),
}


class Program(FieldedConstraints):
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="review_programs"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.QBR)
    purpose = models.TextField(
        "what is shared and why", max_length=NOTE,
        help_text="What the customer sees in these reviews, and what each side gets from them.",
    )
    our_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_programs",
        verbose_name="who attends from our side",
    )
    customer_attendees = models.ManyToManyField(
        "customers.Contact", blank=True, related_name="review_programs",
        verbose_name="who attends from the customer",
    )
    cadence_months = models.PositiveSmallIntegerField(
        "every (months)", default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CADENCE_MONTHS)],
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", default=60,
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)],
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.VIDEO)
    agenda = models.TextField(
        "agenda template", blank=True, max_length=NOTE,
        help_text="One item per line; each review of this programme starts from it.",
    )
    next_date = models.DateField("next review", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[our_attendees, customer_attendees])

    class Meta:
        ordering = ["account__name", "kind"]
        verbose_name = "review programme"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"], name="reviews_program_one_per_kind",
                violation_error_message="This account already has a programme of this kind.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="reviews_program_kind_valid",
                violation_error_message="Choose QBR or EBR.",
            ),
            models.CheckConstraint(
                condition=Q(format__in=Format.values), name="reviews_program_format_valid",
                violation_error_message="Choose on site, video call or hybrid.",
            ),
            models.CheckConstraint(
                condition=Q(cadence_months__gte=1, cadence_months__lte=MAX_CADENCE_MONTHS),
                name="reviews_program_cadence_range",
                violation_error_message=f"Hold it every 1 to {MAX_CADENCE_MONTHS} months.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="reviews_program_duration_range",
                violation_error_message=f"A review lasts {MIN_MINUTES} to {MAX_MINUTES} minutes.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.account}"

    @property
    def short(self) -> str:
        return "QBR" if self.kind == Kind.QBR else "EBR"

    def get_absolute_url(self) -> str:
        return reverse("review_program", args=[self.pk])


class Review(FieldedConstraints):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="reviews")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reviews",
        help_text="The engagement whose repository keeps the decks and whose value plan is shown.",
    )
    date = models.DateField("meeting date")
    period_start = models.DateField("covers from")
    period_end = models.DateField("covers until")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    agenda = models.TextField(blank=True, max_length=NOTE, help_text="One item per line.")
    summary = models.TextField(blank=True, max_length=NOTE)
    value_text = models.TextField("value delivered", blank=True, max_length=NOTE)
    adoption_text = models.TextField("adoption and usage", blank=True, max_length=NOTE)
    health_text = models.TextField("health over the period", blank=True, max_length=NOTE)
    support_text = models.TextField("support", blank=True, max_length=NOTE)
    risks_text = models.TextField("risks and challenges", blank=True, max_length=NOTE)
    roadmap_text = models.TextField("roadmap and next steps", blank=True, max_length=NOTE)
    asks_text = models.TextField("our asks", blank=True, max_length=NOTE)
    deck = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The slide deck (PPTX); each export is a new version.",
    )
    handout = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The PDF of the same review; each export is a new version.",
    )
    exported_at = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    minutes = models.TextField(blank=True, max_length=NOTE)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="reviews_review_period_order",
                violation_error_message="The period ends on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="reviews_review_status_valid",
                violation_error_message="Choose draft, held or cancelled.",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.HELD) | Q(held_on__isnull=False),
                name="reviews_review_held_dated",
                violation_error_message="A review that was held says when.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.short} of {self.program.account}, {self.date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("review", args=[self.pk])

    @property
    def account(self) -> Account:
        return self.program.account

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, heading, text) of each draft section, in the deck's order."""
        return [(name, heading, getattr(self, name)) for name, heading in SECTIONS]

    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Decision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(max_length=TITLE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class FollowUp(models.Model):
    """A follow-up task agreed in a review: the task lives in the timeline, with the other
    tasks of its assignee; this keeps which review it came from."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="follow_ups")
    task = models.OneToOneField("timeline.Task", on_delete=models.CASCADE, related_name="review_follow_up")

    class Meta:
        ordering = ["task__due_date", "pk"]

    def __str__(self) -> str:
        return str(self.task)
