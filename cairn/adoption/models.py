"""Adoption planning (phase 4) and implementation (phase 5) records of an engagement.

Planning: the business processes the initiative changes, the impacted groups with their
knowledge, skills and attitude (KSA) gaps and needs, practical considerations and barriers,
the risk register, the adoption plan (outline, approval, detail) with its roadmap, and the
pilot. Implementation: work packages, the readiness checklist, KPI measurements, governance
meetings and the challenge log.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE
from cairn.validation import FieldedConstraints

if TYPE_CHECKING:
    from cairn.documents.models import Document

ENGAGEMENT = "engagements.Engagement"


def _same_engagement(obj: models.Model, field: str, related: models.Model | None) -> None:
    """A link to another record must stay inside the engagement (and its account)."""
    if related is None:
        return
    own = getattr(obj, "engagement_id", None)
    if getattr(related, "engagement_id", own) != own:
        raise ValidationError({field: "Choose one of this engagement's own records."})


# --- Impact --------------------------------------------------------------------------------


class ImpactedProcess(models.Model):
    """A business process the initiative changes: how it runs today and after the change."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="impacted_processes")
    name = models.CharField(max_length=200)
    today = models.TextField("How it works today", max_length=NOTE)
    after = models.TextField("How it works after the change", max_length=NOTE)
    owner = models.CharField("Process owner", max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "impacted processes"

    def __str__(self) -> str:
        return self.name


class Gap(models.IntegerChoices):
    """How far a group is from what the change needs of it, in one dimension of KSA."""

    NONE = 0, "None"
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class Impact(models.TextChoices):
    DIRECT = "direct", "Directly impacted"
    INDIRECT = "indirect", "Indirectly impacted"


def _gap_field(label: str) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(label, choices=Gap.choices, default=Gap.NONE)


class ImpactedGroup(FieldedConstraints):
    """Impacted users grouped by how the change reaches them, with their KSA gaps and needs."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="impacted_groups")
    name = models.CharField(max_length=120)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="How many people.")
    location = models.CharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The customer's manager of this group.",
    )
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.DIRECT)
    knowledge_gap = _gap_field("Knowledge gap")
    knowledge_note = models.TextField(blank=True, help_text="What they need to know.", max_length=NOTE)
    skills_gap = _gap_field("Skills gap")
    skills_note = models.TextField(blank=True, help_text="What they need to be able to do.", max_length=NOTE)
    attitude_gap = _gap_field("Attitude gap")
    attitude_note = models.TextField(
        blank=True, help_text="What they need to believe or accept.", max_length=NOTE
    )
    communication_needs = models.TextField(blank=True, max_length=NOTE)
    training_needs = models.TextField(blank=True, max_length=NOTE)
    support_needs = models.TextField(blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "engagement", Lower("name"), name="adoption_group_name_unique",
                violation_error_message="This engagement already has an impacted group of that name.",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__in=Impact.values), name="adoption_group_impact_valid",
                violation_error_message="Choose directly or indirectly impacted.",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{gap}__lte": Gap.HIGH}),
                    name=f"adoption_group_{gap}_scale",
                    violation_error_message="Rate the gap none, low, medium or high.",
                )
                for gap in ("knowledge_gap", "skills_gap", "attitude_gap")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.manager_id and self.engagement_id
            and self.manager.account_id != self.engagement.account_id  # type: ignore[union-attr]
        ):
            raise ValidationError({"manager": "Choose a contact of this engagement's account."})

    @property
    def largest_gap(self) -> int:
        return max(self.knowledge_gap, self.skills_gap, self.attitude_gap)


class ConsiderationKind(models.TextChoices):
    PRACTICAL = "practical", "Practical consideration"
    BARRIER = "barrier", "Adoption barrier"


class Consideration(models.Model):
    """Something practical to plan around (shifts, languages, rooms) or a barrier to adoption."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="considerations")
    kind = models.CharField(max_length=10, choices=ConsiderationKind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, max_length=NOTE)
    group = models.ForeignKey(
        ImpactedGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The impacted group it concerns, if one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ConsiderationKind.values),
                name="adoption_consideration_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _same_engagement(self, "group", self.group if self.group_id else None)


# --- Risks ---------------------------------------------------------------------------------


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    CLOSED = "closed", "Closed"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Score = likelihood x impact (1 to 25). The bands, by upper bound inclusive: a score of 1-4
# is low, 5-9 medium, 10-16 high, 17-25 (in practice 20 and 25) critical. So a certain but
# trivial risk (5 x 1) is medium, and anything likely and severe (4 x 5) is critical.
RISK_BANDS: tuple[tuple[int, RiskLevel], ...] = (
    (4, RiskLevel.LOW),
    (9, RiskLevel.MEDIUM),
    (16, RiskLevel.HIGH),
    (25, RiskLevel.CRITICAL),
)


def risk_level(score: int) -> RiskLevel:
    for upper, level in RISK_BANDS:
        if score <= upper:
            return level
    return RiskLevel.CRITICAL


def _one_to_five(label: str, help_text: str) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=help_text
    )


class Risk(FieldedConstraints):
    """A risk to adoption, scored likelihood x impact, with its owner and mitigation."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    likelihood = _one_to_five("Likelihood", "1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain.")
    impact = _one_to_five("Impact", "1 negligible, 2 minor, 3 moderate, 4 major, 5 severe.")
    owner = models.CharField(max_length=120, blank=True, help_text="Who watches and mitigates it.")
    mitigation = models.TextField(blank=True, max_length=NOTE)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="adoption_risk_likelihood_scale",
                violation_error_message="Rate the likelihood from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5),
                name="adoption_risk_impact_scale",
                violation_error_message="Rate the impact from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RiskStatus.values), name="adoption_risk_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return int(self.likelihood) * int(self.impact)

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.score)


# --- The adoption plan, its roadmap, the pilot -----------------------------------------------


class PlanStage(models.TextChoices):
    NONE = "none", "Not started"
    OUTLINE = "outline", "Outline in draft"
    APPROVED = "approved", "Outline approved"
    DETAILED = "detailed", "Detailed plan written"


class AdoptionPlan(models.Model):
    """The engagement's adoption plan: an outline the key stakeholder approves, then the detail.

    Both texts are written documents in the central repository; this row holds where the plan
    stands and who approved which version of the outline, when. The first approval opens the
    detail. The outline can still change (here or in the repository): each change is a new
    version, which awaits its own approval while the approved version stays on record.
    """

    engagement = models.OneToOneField(ENGAGEMENT, on_delete=models.CASCADE, related_name="adoption_plan")
    outline = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detailed = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approver_name = models.CharField(max_length=200, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    approval_note = models.TextField(blank=True, max_length=NOTE)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    roadmap_summary = models.TextField(
        blank=True,
        help_text="For everyone at the customer: why the change, what changes for them, when.",
        max_length=NOTE,
    )
    roadmap = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The last published roadmap.",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_on__isnull=True)
                | (~models.Q(approver_name="") & models.Q(approved_version__isnull=False)),
                name="adoption_plan_approval_complete",
                violation_error_message="An approval names the stakeholder and the outline version.",
            ),
        ]

    def __str__(self) -> str:
        return f"Adoption plan of {self.engagement_id}"

    @property
    def stage(self) -> PlanStage:
        if self.detailed_id:
            return PlanStage.DETAILED
        if self.approved_on:
            return PlanStage.APPROVED
        if self.outline_id:
            return PlanStage.OUTLINE
        return PlanStage.NONE

    @property
    def is_approved(self) -> bool:
        """Some version of the outline was approved (see `awaits_approval` for the current one)."""
        return self.approved_on is not None

    @property
    def awaits_approval(self) -> bool:
        """The outline's current version is not the approved one: never approved, or changed
        since. Reads the outline's current version (select it with the plan)."""
        if self.outline is None or self.outline.current_version is None:
            return False
        return self.approved_version != self.outline.current_version.number

    def work_source(self) -> Document | None:
        """The text work packages are taken from: the detailed plan, else the outline while
        its current version is the approved one."""
        if self.detailed is not None:
            return self.detailed
        if self.is_approved and not self.awaits_approval:
            return self.outline
        return None


class RoadmapStep(FieldedConstraints):
    """A stage of the adoption programme as the whole workforce should see it."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="roadmap_steps")
    title = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()
    audience = models.CharField(max_length=200, blank=True, help_text="Who it concerns, e.g. all nurses.")
    description = models.TextField(
        blank=True, help_text="What happens and what people should do.", max_length=NOTE
    )

    class Meta:
        ordering = ["starts", "ends", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="adoption_step_ends_after_start",
                violation_error_message="The step cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PilotKind(models.TextChoices):
    PROOF_OF_CONCEPT = "poc", "Proof of concept (does it work, does it fit?)"
    PROOF_OF_VALUE = "pov", "Proof of value (how much better than before?)"


class PilotResult(models.TextChoices):
    PENDING = "pending", "Pending"
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


def overall_result(results: list[str]) -> PilotResult:
    """The pilot's result from its criteria' results: pending until every criterion has one;
    met when all are met, not met when none is even partly met, partly met otherwise."""
    if not results or PilotResult.PENDING in results:
        return PilotResult.PENDING
    if all(r == PilotResult.MET for r in results):
        return PilotResult.MET
    if all(r == PilotResult.NOT_MET for r in results):
        return PilotResult.NOT_MET
    return PilotResult.PARTLY


class Pilot(FieldedConstraints):
    """When the engagement is a pilot: what it covers, over which period, and the conclusion.
    What it must prove are its success criteria, each judged on its own evidence."""

    engagement = models.OneToOneField(ENGAGEMENT, on_delete=models.CASCADE, related_name="pilot")
    kind = models.CharField(max_length=4, choices=PilotKind.choices)
    scope = models.TextField(help_text="Who and what the pilot covers.", max_length=NOTE)
    starts = models.DateField()
    ends = models.DateField()
    result_notes = models.TextField(
        "Conclusion", blank=True, help_text="What the pilot showed overall, and what happens next.",
        max_length=NOTE,
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="adoption_pilot_ends_after_start",
                violation_error_message="The pilot cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PilotKind.values), name="adoption_pilot_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.engagement_id}"

    @property
    def result(self) -> PilotResult:
        """From the criteria (prefetch them when reading many pilots)."""
        return overall_result([c.result for c in self.criteria.all()])


class PilotCriterion(FieldedConstraints):
    """A success criterion of the pilot, agreed before it starts, and its result with the
    evidence it rests on."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.CharField(
        "Success criterion", max_length=300, error_messages={"blank": "Say what the pilot must show."}
    )
    result = models.CharField(max_length=8, choices=PilotResult.choices, default=PilotResult.PENDING)
    evidence = models.TextField(
        blank=True, help_text="What shows the result: figures, survey answers, observations.",
        max_length=NOTE,
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pilot", "pk"]
        verbose_name = "pilot success criterion"
        verbose_name_plural = "pilot success criteria"
        constraints = [
            models.UniqueConstraint(
                "pilot", Lower("criterion"), name="adoption_criterion_unique",
                violation_error_message="The pilot already has this success criterion.",
            ),
            models.CheckConstraint(
                condition=models.Q(result__in=PilotResult.values), name="adoption_criterion_result_valid",
                violation_error_message="Choose pending, met, partly met or not met.",
            ),
            models.CheckConstraint(
                condition=~models.Q(evidence="") | models.Q(result=PilotResult.PENDING),
                name="adoption_criterion_evidence",
                violation_error_message="Give the evidence the result rests on.",
            ),
        ]

    def __str__(self) -> str:
        return self.criterion

    def clean(self) -> None:
        errors = {}
        if self.criterion and not self.criterion.strip():  # an empty one is refused by the field
            errors["criterion"] = "Say what the pilot must show."
        self.criterion = (self.criterion or "").strip()
        self.evidence = (self.evidence or "").strip()
        if self.result != PilotResult.PENDING and not self.evidence:
            errors["evidence"] = "Give the evidence the result rests on."
        if errors:
            raise ValidationError(errors)


# --- Implementation ------------------------------------------------------------------------


class WorkStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class WorkPackage(models.Model):
    """A piece of the adoption plan with an owner and deliverables, broken out to be run."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="work_packages")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=120, help_text="Who delivers it (often the customer's).")
    deliverables = models.TextField(max_length=NOTE)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=WorkStatus.choices, default=WorkStatus.PLANNED)
    plan_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan_version = models.PositiveIntegerField(null=True, blank=True)
    plan_section = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=WorkStatus.values), name="adoption_work_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        open_ = self.status in (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS)
        return open_ and self.due_date is not None and self.due_date < today


class ReadinessWorkshop(models.Model):
    """The workshop where the customer and the CSM build the adoption readiness checklist."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="readiness_workshops")
    held_on = models.DateField()
    participants = models.TextField(
        help_text="Who took part, one per line or comma separated.", max_length=NOTE
    )
    notes = models.TextField(blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Readiness workshop {self.held_on:%d %b %Y}"


class ReadinessStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CARRIED = "carried", "Carried as an issue"


class ReadinessItem(models.Model):
    """A checklist item from the workshop: resolved before go-live, or carried as an issue
    into the challenge log, so nothing the workshop uncovered is lost."""

    workshop = models.ForeignKey(ReadinessWorkshop, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(max_length=300)
    owner = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=ReadinessStatus.choices, default=ReadinessStatus.OPEN)
    resolution = models.TextField(blank=True, max_length=NOTE)
    challenge = models.OneToOneField(
        "Challenge", on_delete=models.SET_NULL, null=True, blank=True, related_name="readiness_item"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workshop", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReadinessStatus.values), name="adoption_readiness_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(resolution=""),
                name="adoption_readiness_resolution",
                violation_error_message="Say how the item was resolved.",
            ),
        ]

    def __str__(self) -> str:
        return self.item

    def clean(self) -> None:
        if self.item and not self.item.strip():  # an empty one is refused by the field
            raise ValidationError({"item": "Write what must be ready."})
        self.item = (self.item or "").strip()
        self.owner = (self.owner or "").strip()


class Challenge(FieldedConstraints):
    """An unexpected challenge met while running the programme, and what was done about it.

    Any entry can be flagged as a lesson: engagement evaluation reads the flagged ones.
    """

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="challenges")
    challenge = models.CharField(max_length=200)
    impact = models.TextField(help_text="What it affects, and how badly.", max_length=NOTE)
    response = models.TextField(blank=True, help_text="What was or will be done.", max_length=NOTE)
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    is_lesson = models.BooleanField("Lesson for engagement evaluation", default=False)
    lesson = models.TextField(
        blank=True, help_text="What to do again, or differently, next time.", max_length=NOTE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True)
                | models.Q(resolved_on__gte=models.F("raised_on")),
                name="adoption_challenge_resolved_after_raised",
                violation_error_message="A challenge cannot be resolved before it was raised.",
            ),
        ]

    def __str__(self) -> str:
        return self.challenge

    def clean(self) -> None:
        if self.is_lesson and not self.lesson.strip():
            raise ValidationError({"lesson": "Write the lesson to carry into evaluation."})


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Kpi(FieldedConstraints):
    """A measurement of the programme: a baseline taken before the start, a target, the
    milestones on the way, and readings over time."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4)
    baseline_date = models.DateField(help_text="When the baseline was taken, before the programme starts.")
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    target_date = models.DateField()
    outcome = models.ForeignKey(
        "engagements.Outcome", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The engagement outcome this KPI measures, if one.",
    )
    description = models.TextField(
        blank=True, help_text="Who measures it, how, from what data.", max_length=NOTE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(
                "engagement", Lower("name"), name="adoption_kpi_name_unique",
                violation_error_message="This engagement already has a KPI of that name.",
            ),
            models.CheckConstraint(
                condition=models.Q(target_date__gt=models.F("baseline_date")),
                name="adoption_kpi_target_after_baseline",
                violation_error_message="The target date must come after the baseline date.",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="adoption_kpi_direction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.baseline_value is None or self.target_value is None:
            return
        if self.direction == Direction.HIGHER and self.target_value <= self.baseline_value:
            raise ValidationError(
                {"target_value": "Higher is better: the target must be above the baseline."}
            )
        if self.direction == Direction.LOWER and self.target_value >= self.baseline_value:
            raise ValidationError(
                {"target_value": "Lower is better: the target must be below the baseline."}
            )
        _same_engagement(self, "outcome", self.outcome if self.outcome_id else None)


class KpiMilestone(FieldedConstraints):
    """A value the KPI should reach by a date between its baseline and its target."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField()
    expected = models.DecimalField("Expected value", max_digits=16, decimal_places=4)
    label = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "date"], name="adoption_milestone_one_per_date",
                violation_error_message="This KPI already has a milestone on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.expected} by {self.date}"

    def clean(self) -> None:
        if self.kpi_id is None or self.date is None:
            return
        kpi = self.kpi
        if not kpi.baseline_date < self.date < kpi.target_date:
            raise ValidationError(
                {"date": f"A milestone falls between the baseline ({kpi.baseline_date:%d %b %Y}) "
                         f"and the target date ({kpi.target_date:%d %b %Y})."}
            )


class KpiReading(FieldedConstraints):
    """A measured value of the KPI on a date."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="readings")
    date = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "date"], name="adoption_reading_one_per_date",
                violation_error_message="This KPI already has a reading on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} on {self.date}"

    def clean(self) -> None:
        if self.kpi_id is None or self.date is None:
            return
        if self.date < self.kpi.baseline_date:
            raise ValidationError(
                {"date": f"Readings start at the baseline ({self.kpi.baseline_date:%d %b %Y})."}
            )


class GovernanceMeeting(models.Model):
    """A governance meeting and the progress report Cairn wrote for it from the data."""

    engagement = models.ForeignKey(ENGAGEMENT, on_delete=models.CASCADE, related_name="governance_meetings")
    held_on = models.DateField()
    attendees = models.TextField(blank=True, max_length=NOTE)
    decisions = models.TextField(blank=True, help_text="Decisions and actions agreed.", max_length=NOTE)
    report = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kpi_snapshot = models.JSONField(
        default=list, blank=True,
        help_text="Each KPI's target path, readings and status as they stood when the report was "
                  "written, to draw its chart as the meeting saw it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Governance meeting {self.held_on:%d %b %Y}"
