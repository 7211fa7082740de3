"""Phase 2 records: stakeholders with their place and plan, the RACI matrix, the first meeting.

Power and interest are scored 1 to 10. A score of 6 or more is "high": the line between the
quadrants runs between 5 and 6, so a stakeholder is never drawn on it.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE
from cairn.validation import FieldedConstraints, assignable

SCALE_MIN = 1
SCALE_MAX = 10
HIGH_FROM = 6


class Attitude(models.TextChoices):
    """How a stakeholder stands towards the initiative, from most to least in favour."""

    CHAMPION = "champion", "Champion"
    SUPPORTER = "supporter", "Supporter"
    NEUTRAL = "neutral", "Neutral"
    SCEPTIC = "sceptic", "Sceptic"
    OPPONENT = "opponent", "Opponent"


class Quadrant(models.TextChoices):
    MANAGE_CLOSELY = "manage_closely", "Manage closely"
    KEEP_SATISFIED = "keep_satisfied", "Keep satisfied"
    KEEP_INFORMED = "keep_informed", "Keep informed"
    MONITOR = "monitor", "Monitor"


QUADRANT_STRATEGIES: dict[str, str] = {
    Quadrant.MANAGE_CLOSELY: "Key players: involve them in decisions and meet them regularly.",
    Quadrant.KEEP_SATISFIED: "Enough to meet their needs, not so much that they tire of it.",
    Quadrant.KEEP_INFORMED: "Tell them how it goes and listen; they often spot problems first.",
    Quadrant.MONITOR: "Watch for changes in their power or interest; brief them lightly.",
}


def quadrant_of(power: int, interest: int) -> Quadrant:
    """Where a stakeholder falls: high is HIGH_FROM or more, on both axes."""
    high_power, high_interest = power >= HIGH_FROM, interest >= HIGH_FROM
    if high_power:
        return Quadrant.MANAGE_CLOSELY if high_interest else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if high_interest else Quadrant.MONITOR


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    DAYS = "days", "Every few days"


def next_date(after: dt.date, cadence: str, days: int | None) -> dt.date:
    """The date one cadence after `after`; months follow the calendar (31 Jan -> 28 Feb)."""
    if cadence == Cadence.WEEKLY:
        return after + dt.timedelta(days=7)
    if cadence == Cadence.FORTNIGHTLY:
        return after + dt.timedelta(days=14)
    if cadence == Cadence.MONTHLY:
        return after + relativedelta(months=1)
    if cadence == Cadence.QUARTERLY:
        return after + relativedelta(months=3)
    return after + dt.timedelta(days=days or 1)


def _scale(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__gte": SCALE_MIN, f"{name}__lte": SCALE_MAX}),
        name=f"commitment_stakeholder_{name}_scale",
        violation_error_message=f"Score {name} from {SCALE_MIN} to {SCALE_MAX}.",
    )


class Stakeholder(FieldedConstraints):
    """A person at the customer (a contact) or a category of similar people, in one engagement.

    A category ("Vessel masters", 40 people) is placed and managed as one: the framework
    groups people who share power, interest and needs so the plan stays readable.
    """

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="stakeholders"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.CharField(
        max_length=120, blank=True,
        help_text="A category of similar stakeholders, e.g. Vessel masters, instead of a contact.",
    )
    headcount = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people the category counts."
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="Their part in the initiative, e.g. executive sponsor."
    )
    power = models.PositiveSmallIntegerField(
        default=5, help_text=f"Power or authority over the initiative, {SCALE_MIN} to {SCALE_MAX}."
    )
    interest = models.PositiveSmallIntegerField(
        default=5, help_text=f"Interest in the initiative, {SCALE_MIN} to {SCALE_MAX}."
    )
    attitude = models.CharField(max_length=10, choices=Attitude.choices, default=Attitude.NEUTRAL)
    # The stakeholder management plan.
    strategy = models.TextField(blank=True, help_text="How we manage them, and why.", max_length=NOTE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Who on our side keeps in touch.",
    )
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY)
    cadence_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days between contacts, for 'every few days'."
    )
    next_contact = models.DateField(null=True, blank=True)
    last_contact = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-power", "-interest", "pk"]
        constraints = [
            _scale("power"),
            _scale("interest"),
            models.CheckConstraint(
                condition=(models.Q(contact__isnull=False) & models.Q(category=""))
                | (models.Q(contact__isnull=True) & ~models.Q(category="")),
                name="commitment_stakeholder_contact_or_category",
                violation_error_message="Choose a contact or name a category, not both.",
            ),
            models.UniqueConstraint(
                fields=["engagement", "contact"],
                condition=models.Q(contact__isnull=False),
                name="commitment_stakeholder_contact_once",
                violation_error_message="This contact is already a stakeholder here.",
            ),
            models.UniqueConstraint(
                "engagement",
                Lower("category"),
                condition=~models.Q(category=""),
                name="commitment_stakeholder_category_once",
                violation_error_message="This engagement already has a category of that name.",
            ),
            models.CheckConstraint(
                condition=~models.Q(cadence="days")
                | models.Q(cadence_days__gte=1, cadence_days__lte=365),
                name="commitment_stakeholder_cadence_days",
                violation_error_message="Give the days between contacts, 1 to 365.",
            ),
        ]
        indexes = [models.Index(fields=["owner", "next_contact"], name="commitment_due_contacts")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.contact_id is not None and self.contact is not None:
            return self.contact.full_name
        return f"{self.category} ({self.headcount})" if self.headcount else self.category

    @property
    def is_category(self) -> bool:
        return self.contact_id is None

    @property
    def quadrant(self) -> Quadrant:
        return quadrant_of(self.power, self.interest)

    @property
    def cadence_label(self) -> str:
        if self.cadence == Cadence.DAYS:
            return f"Every {self.cadence_days} days" if self.cadence_days else "Every few days"
        return self.get_cadence_display()

    def clean(self) -> None:
        assignable(self.owner if self.owner_id else None, "owner")
        self.category = self.category.strip()
        same_account = (
            not self.contact_id
            or not self.engagement_id
            or self.contact.account_id == self.engagement.account_id  # type: ignore[union-attr]
        )
        if not same_account:
            raise ValidationError({"contact": "Choose a contact of this engagement's account."})
        if self.contact_id and self.headcount:
            raise ValidationError({"headcount": "A headcount is for a category, not a contact."})
        if self.cadence != Cadence.DAYS:
            self.cadence_days = None


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciActivity(FieldedConstraints):
    """A row of the RACI matrix: something that must be done, in the customer's words or ours."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="raci_activities"
    )
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    checklist_item = models.ForeignKey(
        "engagements.EngagementActivity", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="The checklist activity this row was taken from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "RACI activities"
        constraints = [
            models.UniqueConstraint(
                "engagement",
                Lower("name"),
                name="commitment_raci_activity_once",
                violation_error_message="The RACI already has an activity of that name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = self.name.strip()


class RaciMember(models.Model):
    """One of our people given a column in the RACI beside the engagement's owner and team."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="raci_members"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "user"], name="commitment_raci_member_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class RaciAssignment(models.Model):
    """One filled cell: a stakeholder or one of our people, and their letter for an activity."""

    activity = models.ForeignKey(RaciActivity, on_delete=models.CASCADE, related_name="cells")
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, null=True, blank=True, related_name="raci_cells"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=1, choices=RaciRole.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stakeholder__isnull=True) ^ models.Q(user__isnull=True),
                name="commitment_raci_one_party",
                violation_error_message="A cell belongs to a stakeholder or to one of our people.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=RaciRole.values), name="commitment_raci_role_valid"
            ),
            models.UniqueConstraint(
                fields=["activity", "stakeholder"], condition=models.Q(stakeholder__isnull=False),
                name="commitment_raci_stakeholder_cell",
            ),
            models.UniqueConstraint(
                fields=["activity", "user"], condition=models.Q(user__isnull=False),
                name="commitment_raci_user_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.role}"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone call"


class FirstMeeting(models.Model):
    """The first meeting with the customer's key stakeholders: its plan, then its minutes.

    The agenda is a list of {"title", "minutes"} items, in order; minutes may be null.
    """

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="first_meeting"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    format = models.CharField(
        max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    length_minutes = models.PositiveSmallIntegerField(
        default=60, help_text="How long the meeting lasts, in minutes."
    )
    desired_outcomes = models.TextField(
        blank=True, help_text="What both sides should have when the meeting ends.",
        max_length=NOTE,
    )
    agenda = models.JSONField(default=list, blank=True)
    contacts = models.ManyToManyField("customers.Contact", blank=True, related_name="+")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    collateral_notes = models.TextField(
        blank=True, help_text="Other material to bring: a demo, a printed roadmap...",
        max_length=NOTE,
    )
    held_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(
        blank=True, help_text="What was said and agreed, in Markdown.", max_length=NOTE
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[contacts, users, documents])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(length_minutes__gte=5, length_minutes__lte=480),
                name="commitment_meeting_length",
                violation_error_message="A meeting lasts 5 to 480 minutes.",
            ),
        ]

    def __str__(self) -> str:
        return f"First meeting: {self.engagement}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def agenda_minutes(self) -> int:
        return sum(int(item.get("minutes") or 0) for item in self.agenda)


class NextStep(models.Model):
    """A next step agreed at the first meeting; the work itself is a timeline Task."""

    meeting = models.ForeignKey(FirstMeeting, on_delete=models.CASCADE, related_name="next_steps")
    task = models.OneToOneField("timeline.Task", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["task__due_date", "pk"]

    def __str__(self) -> str:
        return str(self.task)
