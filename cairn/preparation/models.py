"""What a CSM learns before meeting the customer, kept as structured data.

Three groups of records:

- the dossier of one engagement: facts in the five areas of information, the questions that
  assumed facts raise for the customer, and the handover meetings with colleagues;
- the customer's organization as the initiative sees it: Porter's value chain and the
  business capability map (per engagement, since "impacted" means impacted by its initiative);
- the customer's strategy: PESTLE drivers (shared by an industry and region, overridden per
  account), internal drivers and the strategy chain (per account: the customer has one vision
  whatever it buys), and how this engagement's solution serves that chain.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement, Outcome
from cairn.fields import NOTE
from cairn.validation import FieldedConstraints

# --- the dossier --------------------------------------------------------------------------


class Area(models.TextChoices):
    INITIATIVE = "initiative", "Initiative: what are they trying to do?"
    SOLUTION = "solution", "Solution: how are we helping?"
    BUSINESS = "business", "Customer business: who are they?"
    STAKEHOLDERS = "stakeholders", "Stakeholders: who are they?"
    ENGAGEMENT = "engagement", "Engagement: what is, has been and will be happening?"


class Source(models.TextChoices):
    COMPANY = "company", "Our company"
    CUSTOMER = "customer", "The customer"
    EXTERNAL = "external", "External"


class Confidence(models.TextChoices):
    ASSUMED = "assumed", "Assumed"
    VALIDATED = "validated", "Validated"


class Fact(FieldedConstraints):
    """One piece of what we know about the engagement, where it came from and how sure we are."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="facts")
    area = models.CharField(max_length=16, choices=Area.choices)
    statement = models.TextField(max_length=NOTE)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_detail = models.CharField(
        max_length=200, blank=True, help_text="Where exactly: the CRM record, a person, a web page."
    )
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.ASSUMED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__in=Area.values), name="preparation_fact_area_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(statement=""),
                name="preparation_fact_has_statement",
                violation_error_message="Write the fact.",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


class Question(FieldedConstraints):
    """A gap or an assumption to validate with the customer, tracked until it is answered."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="questions")
    fact = models.ForeignKey(
        Fact, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions",
        help_text="The assumed fact this question validates, if any.",
    )
    text = models.TextField("question", max_length=NOTE)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(blank=True, max_length=NOTE)
    answered_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The customer's contact who answered.",
    )
    answered_by_name = models.CharField(
        max_length=150, blank=True, help_text="Who answered, when they are not a contact."
    )
    answered_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="preparation_question_has_text",
                violation_error_message="Write the question.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(answer=""),
                name="preparation_answered_has_answer",
                violation_error_message="An answered question needs the answer.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(answered_on__isnull=False),
                name="preparation_answered_has_date",
                violation_error_message="Say when the question was answered.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if self.fact is not None and self.fact.engagement_id != self.engagement_id:
            raise ValidationError({"fact": "Choose a fact of this engagement."})
        contact = self.answered_by
        if contact is not None and contact.account_id != self.engagement.account_id:
            raise ValidationError({"answered_by": "Choose a contact at this customer."})
        if self.status == QuestionStatus.ANSWERED and not (contact or self.answered_by_name.strip()):
            raise ValidationError({"answered_by": "Say who answered: a contact or a name."})

    @property
    def who_answered(self) -> str:
        return str(self.answered_by) if self.answered_by else self.answered_by_name


class HandoverMeeting(FieldedConstraints):
    """The meeting where colleagues hand the customer over to customer success."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="handover_meetings"
    )
    date = models.DateField()
    agenda = models.TextField(blank=True, max_length=NOTE)
    notes = models.TextField(
        blank=True, help_text="What was learnt; filled in after the meeting.", max_length=NOTE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Handover on {self.date:%d %b %Y}"


class HandoverRole(models.TextChoices):
    CSM = "csm", "Customer success"
    SALES = "sales", "Sales"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    SOLUTION_ENGINEER = "solution_engineer", "Solution engineer"
    SERVICES = "services", "Professional services"


class HandoverAttendee(models.Model):
    meeting = models.ForeignKey(HandoverMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=HandoverRole.choices)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="preparation_attendee_once",
                violation_error_message="This colleague already attends.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class HandoverFollowUp(models.Model):
    """A task raised at a handover meeting, so the meeting lists what it led to."""

    meeting = models.ForeignKey(HandoverMeeting, on_delete=models.CASCADE, related_name="follow_ups")
    task = models.OneToOneField("timeline.Task", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Follow-up {self.task_id} of {self.meeting}"


# --- the customer's organization -----------------------------------------------------------


class ChainKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SUPPORT = "support", "Support"


class Impact(models.TextChoices):
    DIRECT = "direct", "Directly impacted"
    INDIRECT = "indirect", "Indirectly impacted"
    NONE = "none", "Not impacted"


class ValueChainFunction(FieldedConstraints):
    """A function of Porter's value chain: primary ones in the order they create value."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="value_chain"
    )
    kind = models.CharField(max_length=8, choices=ChainKind.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=NOTE)
    position = models.PositiveIntegerField(default=0)
    impact = models.CharField(max_length=8, choices=Impact.choices, default=Impact.NONE)
    impact_note = models.CharField(max_length=300, blank=True, help_text="How it is impacted.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                "engagement", Lower("name"), name="preparation_function_name_unique",
                violation_error_message="The value chain already has a function with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    HIGH = "high", "High level"
    MID = "mid", "Mid level"
    LOW = "low", "Low level"


PARENT_LEVEL = {Level.MID: Level.HIGH, Level.LOW: Level.MID}
FLAGS = ["inefficient", "slow", "low_quality", "frustrating", "insecure", "costly"]
LOW_LEVEL_FIELDS = ["people", "process", "tools", "inputs", "outputs"]


class Capability(FieldedConstraints):
    """A business capability; the low-level ones say who does it, how, with what, and what
    the initiative changes, so the CSM knows whom to train and what value to report."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="capabilities"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(max_length=4, choices=Level.choices)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=NOTE)
    people = models.TextField(blank=True, help_text="Who does the work.", max_length=NOTE)
    process = models.TextField(blank=True, help_text="How the work is done.", max_length=NOTE)
    tools = models.TextField(blank=True, help_text="The systems and tools used.", max_length=NOTE)
    inputs = models.TextField(blank=True, max_length=NOTE)
    outputs = models.TextField(blank=True, max_length=NOTE)
    changed = models.BooleanField(
        "changed by the initiative", default=False
    )
    change = models.TextField("how it changes", blank=True, max_length=NOTE)
    inefficient = models.BooleanField(default=False)
    slow = models.BooleanField(default=False)
    low_quality = models.BooleanField(default=False)
    frustrating = models.BooleanField(default=False)
    insecure = models.BooleanField(default=False)
    costly = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="preparation_capability_not_own_parent",
                violation_error_message="A capability cannot be its own parent.",
            ),
            models.CheckConstraint(
                condition=models.Q(changed=False) | ~models.Q(change=""),
                name="preparation_change_described",
                violation_error_message="Say how the initiative changes this capability.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.changed and not self.change.strip():
            # Named on the field to fill in (the constraint alone would name the checkbox).
            raise ValidationError({"change": "Say how the initiative changes this capability."})
        expected = PARENT_LEVEL.get(Level(self.level)) if self.level in Level.values else None
        parent = self.parent
        if expected is None and parent is not None:
            raise ValidationError({"parent": "A high-level capability has no parent."})
        if expected is not None and parent is None:
            raise ValidationError(
                {"parent": f"A {self.get_level_display().lower()} capability sits under a "
                           f"{Level(expected).label.lower()} one."}
            )
        if parent is not None:
            if parent.engagement_id != self.engagement_id:
                raise ValidationError({"parent": "Choose a capability of this engagement."})
            if parent.level != expected:
                raise ValidationError(
                    {"parent": f"Choose a {Level(expected).label.lower()} capability."}  # type: ignore[arg-type]
                )
        if self.level != Level.LOW:
            for name in [*LOW_LEVEL_FIELDS, "change"]:
                if getattr(self, name).strip():
                    raise ValidationError(
                        {name: "Only low-level capabilities record people, process, tools, "
                               "inputs, outputs and changes."}
                    )
            if self.changed or self.flag_names:
                raise ValidationError(
                    {"changed": "Mark changes and improvements on low-level capabilities."}
                )

    @property
    def flag_names(self) -> list[str]:
        return [name.replace("_", " ") for name in FLAGS if getattr(self, name)]


# --- the customer's strategy ---------------------------------------------------------------


class PestleCategory(models.TextChoices):
    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal"
    ENVIRONMENTAL = "environmental", "Environmental"


class DriverType(models.TextChoices):
    POSITIVE = "positive", "Positive: an opportunity"
    NEGATIVE = "negative", "Negative: a threat"


class ImpactLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SharedPestle(FieldedConstraints):
    """The PESTLE analysis of an industry in a region, which every such account starts from."""

    industry = models.CharField(max_length=100)
    region = models.CharField(max_length=100)
    summary = models.TextField(blank=True, max_length=NOTE)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["industry", "region"]
        verbose_name = "shared PESTLE analysis"
        constraints = [
            models.UniqueConstraint(
                Lower("industry"), Lower("region"), name="preparation_shared_pestle_unique",
                violation_error_message="There is already a PESTLE analysis for this industry "
                                        "and region.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.industry}, {self.region}"

    def clean(self) -> None:
        self.industry, self.region = self.industry.strip(), self.region.strip()
        if not self.industry:
            raise ValidationError({"industry": "Name the industry."})
        if not self.region:
            raise ValidationError({"region": "Name the region."})


class PestleDriver(FieldedConstraints):
    """An external driver for change.

    It belongs either to a shared analysis or to one account. An account's driver that
    `replaces` a shared one stands in its place for that account only; with `hidden` it
    simply removes the shared driver from that account's analysis.
    """

    analysis = models.ForeignKey(
        SharedPestle, on_delete=models.CASCADE, null=True, blank=True, related_name="drivers"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="pestle_drivers"
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="overrides"
    )
    hidden = models.BooleanField(default=False)
    category = models.CharField(max_length=16, choices=PestleCategory.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    driver_type = models.CharField("type", max_length=8, choices=DriverType.choices)
    impact = models.CharField(max_length=6, choices=ImpactLevel.choices, default=ImpactLevel.MEDIUM)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(analysis__isnull=False, account__isnull=True)
                    | models.Q(analysis__isnull=True, account__isnull=False)
                ),
                name="preparation_driver_shared_or_account",
                violation_error_message="A driver belongs to a shared analysis or to an account.",
            ),
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | models.Q(account__isnull=False),
                name="preparation_only_accounts_override",
                violation_error_message="Only an account's driver can override a shared one.",
            ),
            models.CheckConstraint(
                condition=models.Q(hidden=False) | models.Q(replaces__isnull=False),
                name="preparation_hidden_overrides",
                violation_error_message="Only an override can hide a shared driver.",
            ),
            models.UniqueConstraint(
                fields=["account", "replaces"],
                condition=models.Q(replaces__isnull=False),
                name="preparation_one_override_per_driver",
                violation_error_message="This account already overrides that shared driver.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        shared = self.replaces
        if shared is not None and shared.analysis_id is None:
            raise ValidationError({"replaces": "Only a shared driver can be overridden."})


class AccountPestle(models.Model):
    """An account's choice about the shared analysis: use it (the default) or set it aside
    entirely and keep only the account's own drivers."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="pestle")
    use_shared = models.BooleanField(default=True)
    note = models.TextField(
        blank=True, help_text="Why this account differs from its industry.", max_length=NOTE
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"PESTLE of {self.account}"


class InternalCategory(models.TextChoices):
    VISION = "vision", "Vision and mission"
    CAPABILITIES = "capabilities", "Capabilities and gaps"
    CULTURE = "culture", "Principles and culture"
    RESOURCES = "resources", "Resources"


class InternalDriver(FieldedConstraints):
    """A driver for change from inside the customer."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="internal_drivers")
    category = models.CharField(max_length=16, choices=InternalCategory.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    driver_type = models.CharField("type", max_length=8, choices=DriverType.choices)
    impact = models.CharField(max_length=6, choices=ImpactLevel.choices, default=ImpactLevel.MEDIUM)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "title", "id"]

    def __str__(self) -> str:
        return self.title


class ElementKind(models.TextChoices):
    VISION = "vision", "Vision"
    GOAL = "goal", "Goal"
    OBJECTIVE = "objective", "Objective"
    MISSION = "mission", "Mission"
    STRATEGY = "strategy", "Strategy"
    TACTIC = "tactic", "Tactic"


# Ends (vision > goals > objectives) and means (mission > strategies > tactics) each form a
# ladder; a strategy channels efforts toward a goal and a tactic toward an objective.
PARENT_KIND = {
    ElementKind.GOAL: ElementKind.VISION,
    ElementKind.OBJECTIVE: ElementKind.GOAL,
    ElementKind.STRATEGY: ElementKind.MISSION,
    ElementKind.TACTIC: ElementKind.STRATEGY,
}
SERVES_KIND = {ElementKind.STRATEGY: ElementKind.GOAL, ElementKind.TACTIC: ElementKind.OBJECTIVE}
LINKABLE_KINDS = [ElementKind.TACTIC, ElementKind.OBJECTIVE, ElementKind.GOAL, ElementKind.VISION]


class StrategyElement(FieldedConstraints):
    """One element of the customer's strategy chain (the business motivation model)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="strategy")
    kind = models.CharField(max_length=10, choices=ElementKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children",
        help_text="The element one step up its ladder: a goal's vision, a tactic's strategy.",
    )
    serves = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="served_by",
        help_text="The goal a strategy aims at, or the objective a tactic aims at.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="preparation_element_not_own_parent",
                violation_error_message="An element cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self) -> None:
        kind = ElementKind(self.kind) if self.kind in ElementKind.values else None
        for field, expected in (("parent", PARENT_KIND.get(kind)), ("serves", SERVES_KIND.get(kind))):  # type: ignore[arg-type]
            other = getattr(self, field)
            if other is None:
                continue
            if expected is None:
                raise ValidationError({field: f"A {self.get_kind_display().lower()} has no {field}."})
            if other.account_id != self.account_id:
                raise ValidationError({field: "Choose an element of this customer's strategy."})
            if other.kind != expected:
                raise ValidationError({field: f"Choose a {expected.label.lower()}."})


class SolutionLink(FieldedConstraints):
    """Our solution (one product of the engagement, or the whole of it) serving an element
    of the customer's strategy: the line a CSM reports value along."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="solution_links"
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Leave empty when the whole solution serves it.",
    )
    element = models.ForeignKey(StrategyElement, on_delete=models.CASCADE, related_name="links")
    note = models.CharField(max_length=300, blank=True, help_text="How it serves it.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.product or 'The solution'} serves {self.element}"

    def clean(self) -> None:
        element = self.element if self.element_id else None
        engagement = self.engagement
        if element is not None:
            if element.account_id != engagement.account_id:
                raise ValidationError({"element": "Choose an element of this customer's strategy."})
            if element.kind not in LINKABLE_KINDS:
                raise ValidationError(
                    {"element": "Link the solution to a tactic, objective, goal or vision."}
                )
        if self.product_id and not engagement.products.filter(pk=self.product_id).exists():
            raise ValidationError({"product": "Choose a product of this engagement."})
        twins = SolutionLink.objects.filter(
            engagement=engagement, product=self.product_id, element=self.element_id
        ).exclude(pk=self.pk or 0)
        if element is not None and twins.exists():
            raise ValidationError({"element": "This link exists already."})


class Contribution(FieldedConstraints):
    """product -> function -> output -> outcome contribution, for one product bought."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="contributions"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    function = models.CharField(max_length=200, help_text="What the product does, e.g. online meetings.")
    output = models.CharField(
        max_length=200, help_text="What the customer gets done with it, e.g. the team collaborates."
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The engagement outcome it contributes to.",
    )
    contribution = models.CharField(
        max_length=200, help_text="The expected contribution, e.g. +20 % productivity."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["product__name", "function", "id"]

    def __str__(self) -> str:
        return f"{self.product} → {self.function} → {self.output} → {self.contribution}"

    def clean(self) -> None:
        if self.product_id and not self.engagement.products.filter(pk=self.product_id).exists():
            raise ValidationError({"product": "Choose a product of this engagement."})
        if self.outcome is not None and self.outcome.engagement_id != self.engagement_id:
            raise ValidationError({"outcome": "Choose an outcome of this engagement."})


class StrategyDocument(models.Model):
    """The engagement's generated strategy and roadmap document: generating again adds a
    version to this document rather than starting another."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="strategy_document"
    )
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Strategy document of {self.engagement}"
