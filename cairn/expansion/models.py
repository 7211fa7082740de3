"""Expansion and advocacy: what the value phase earns our own company besides the renewal.

A CSM spots an **opportunity** on an account: an upsell (more of a product it has) or a
cross-sell (a product it does not have). Below the company's **hand-off policy** minimum the
CSM keeps it; otherwise it is handed to Sales (a named sales owner, who is not a Cairn user,
and the CRM reference) and moves through Sales' stages to won or lost, which the CSM sees.
Every stage change is kept (StageChange).

An **advocacy ask** is a request to one customer contact: a reference call, a case study, a
review, a referral, a talk. NPS promoters not asked lately are suggested as candidates
(cairn.expansion.queries.candidates).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cairn.fields import NAME, NOTE, TITLE
from cairn.validation import FieldedConstraints

NOT_NEGATIVE = MinValueValidator(0)


class Kind(models.TextChoices):
    UPSELL = "upsell", "Upsell"
    CROSS_SELL = "cross_sell", "Cross-sell"


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    HANDED = "handed", "Handed to Sales"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.IDENTIFIED, Stage.HANDED, Stage.QUALIFIED, Stage.PROPOSAL)
# The stages Sales works an opportunity through once it is handed over.
SALES_STAGES = (Stage.HANDED, Stage.QUALIFIED, Stage.PROPOSAL)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class HandoffPolicy(FieldedConstraints):
    """The company's policy for handing opportunities to Sales: one record a leader edits."""

    text = models.TextField(
        "policy", blank=True, max_length=NOTE,
        help_text="Shown on the hand-off form: when and how opportunities go to Sales.",
    )
    minimum_amount = models.DecimalField(
        "minimum ARR", max_digits=14, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE],
        help_text="Below this estimated ARR the CSM keeps the opportunity instead of handing it over.",
    )
    requires_confirmation = models.BooleanField(
        "needs a customer contact who confirmed the need", default=False,
        help_text="Sales takes only opportunities a named customer contact confirmed.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hand-off policy"
        verbose_name_plural = "hand-off policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1), name="expansion_handoffpolicy_one_record",
                violation_error_message="There is one hand-off policy.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_amount__gte=0), name="expansion_handoffpolicy_minimum_not_negative",
                violation_error_message="The minimum ARR cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return "Hand-off policy"

    @classmethod
    def current(cls) -> HandoffPolicy:
        """The policy; until a leader writes one, an unsaved one that lets everything through."""
        return cls.objects.filter(pk=1).select_related("updated_by").first() or cls(pk=1)


class Opportunity(FieldedConstraints):
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="opportunities"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="opportunities", help_text="The engagement in which it was spotted, if any.",
    )
    product = models.ForeignKey(
        "customers.Product", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="opportunities", help_text="The product it would sell.",
    )
    kind = models.CharField(
        max_length=16, choices=Kind.choices, default=Kind.UPSELL,
        help_text="Upsell: more of a product the account has. Cross-sell: a product it does not have.",
    )
    title = models.CharField(max_length=TITLE)
    description = models.TextField(blank=True, max_length=NOTE)
    amount = models.DecimalField(
        "estimated ARR", max_digits=14, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE],
    )
    spotted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="spotted_opportunities",
    )
    expected_close = models.DateField("expected close", null=True, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.IDENTIFIED)
    confirmed_by = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="need confirmed by", help_text="The customer contact who confirmed the need.",
    )
    sales_owner_name = models.CharField("sales owner", max_length=NAME, blank=True)
    sales_owner_email = models.EmailField("sales owner's e-mail", blank=True)
    crm_reference = models.CharField("CRM reference", max_length=100, blank=True)
    handed_on = models.DateField("handed to Sales on", null=True, blank=True)
    closed_amount = models.DecimalField(
        "closed ARR", max_digits=14, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE],
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField("reason and notes", blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="expansion_opportunity_amount_not_negative",
                violation_error_message="The estimated ARR cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(closed_amount__gte=0) | Q(closed_amount__isnull=True),
                name="expansion_opportunity_closed_amount_not_negative",
                violation_error_message="The closed ARR cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(sales_owner_name="") & ~Q(sales_owner_email="") & Q(handed_on__isnull=False)
                ) | ~Q(stage__in=SALES_STAGES),
                name="expansion_opportunity_handed_has_sales_owner",
                violation_error_message="An opportunity with Sales names its sales owner and e-mail.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(closed_amount__isnull=False) & Q(closed_on__isnull=False)
                ) | Q(stage__in=OPEN_STAGES),
                name="expansion_opportunity_closed_has_amount",
                violation_error_message="A won or lost opportunity records its closed ARR and date.",
            ),
            models.CheckConstraint(
                condition=~Q(close_reason="") | ~Q(stage=Stage.LOST),
                name="expansion_opportunity_lost_has_reason",
                violation_error_message="Say why the opportunity was lost.",
            ),
        ]
        indexes = [models.Index(fields=["stage", "account"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opportunity", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def with_sales(self) -> bool:
        return self.stage in SALES_STAGES


class StageChange(models.Model):
    """One move of an opportunity's stage: from what, to what, who and when."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class AskKind(models.TextChoices):
    REFERENCE_CALL = "reference_call", "Reference call"
    CASE_STUDY = "case_study", "Case study"
    REVIEW = "review", "Review"
    REFERRAL = "referral", "Referral"
    SPEAKING = "speaking", "Speaking"


class AskStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ASKED = "asked", "Asked"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"


OPEN_ASKS = (AskStatus.PLANNED, AskStatus.ASKED, AskStatus.ACCEPTED)


class AdvocacyAsk(FieldedConstraints):
    """A request to a customer contact to speak for us, and what came of it."""

    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, related_name="advocacy_asks"
    )
    kind = models.CharField(max_length=16, choices=AskKind.choices, default=AskKind.REFERENCE_CALL)
    status = models.CharField(max_length=16, choices=AskStatus.choices, default=AskStatus.PLANNED)
    asked_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=NOTE)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="advocacy_asks", verbose_name="who asks",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(asked_on__isnull=False) | Q(status=AskStatus.PLANNED),
                name="expansion_ask_asked_has_date",
                violation_error_message="Give the day the contact was asked.",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=False) | ~Q(status=AskStatus.DONE),
                name="expansion_ask_done_has_date",
                violation_error_message="Give the day it was done.",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(asked_on__isnull=True) | Q(done_on__gte=F("asked_on")),
                name="expansion_ask_done_after_asked",
                violation_error_message="It cannot be done before it was asked.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.contact}"

    def get_absolute_url(self) -> str:
        return reverse("ask_edit", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASKS
