"""Renewals: each subscription term's end becomes a record the CSM works towards an outcome.

A renewal covers the subscriptions of one account that end on one day (its renewal date).
It is open (not started, in progress, committed) until its outcome is recorded (renewed,
expanded, downgraded or churned), which also moves the subscriptions it covers on
(cairn.renewals.actions.record_outcome). A churn or a downgrade gives its reason from a list
a leader keeps (ChurnReason) and, if need be, in words.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import NAME, NOTE
from cairn.validation import FieldedConstraints


class Stage(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMMITTED = "committed", "Committed"
    RENEWED = "renewed", "Renewed"
    EXPANDED = "expanded", "Expanded"
    DOWNGRADED = "downgraded", "Downgraded"
    CHURNED = "churned", "Churned"


OPEN_STAGES = (Stage.NOT_STARTED, Stage.IN_PROGRESS, Stage.COMMITTED)
OUTCOMES = (Stage.RENEWED, Stage.EXPANDED, Stage.DOWNGRADED, Stage.CHURNED)
# Outcomes that lose revenue: they say why.
LOSSES = (Stage.DOWNGRADED, Stage.CHURNED)


NOT_NEGATIVE = MinValueValidator(0)


class ChurnReason(FieldedConstraints):
    """Why a customer left or cut back, from a list a leader keeps: the same words on every
    renewal, so the reasons can be counted."""

    name = models.CharField(max_length=NAME)
    description = models.TextField(blank=True, max_length=NOTE)
    is_active = models.BooleanField(
        "in use", default=True, help_text="Retired reasons stay on past renewals but are not offered."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="renewals_churnreason_unique_name",
                violation_error_message="There is already a reason with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Renewal(FieldedConstraints):
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="renewals"
    )
    renewal_date = models.DateField(help_text="The day the subscriptions it covers end.")
    subscriptions = models.ManyToManyField(
        "customers.Subscription", related_name="renewals", blank=True,
        help_text="The subscriptions up for renewal on this date.",
    )
    arr = models.DecimalField(
        "ARR up for renewal", max_digits=14, decimal_places=2, default=Decimal(0),
        validators=[NOT_NEGATIVE],
        help_text="The ARR of the subscriptions it covers when they come up.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="renewals", help_text="Who works the renewal: by default the account's owner.",
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NOT_STARTED)
    target_amount = models.DecimalField(
        "target ARR", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[NOT_NEGATIVE],
        help_text="The ARR we aim to renew at.",
    )
    forecast_amount = models.DecimalField(
        "forecast ARR", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[NOT_NEGATIVE],
        help_text="The ARR we expect to renew at, as of now.",
    )
    final_amount = models.DecimalField(
        "final ARR", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[NOT_NEGATIVE],
        help_text="The ARR the customer renewed at (0 for a churn).",
    )
    reason = models.ForeignKey(
        ChurnReason, on_delete=models.PROTECT, null=True, blank=True, related_name="renewals",
        help_text="Why the customer left or cut back.",
    )
    reason_text = models.TextField("reason in words", blank=True, max_length=NOTE)
    flagged_at_risk = models.BooleanField(
        "at risk", default=False,
        help_text="Its owner judges it at risk, whatever the health score says.",
    )
    notes = models.TextField(blank=True, max_length=NOTE)
    closed_on = models.DateField(null=True, blank=True, help_text="When the outcome was recorded.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[subscriptions])

    class Meta:
        ordering = ["renewal_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "renewal_date"], name="renewals_renewal_one_per_account_and_date",
                violation_error_message="The account already has a renewal on this date.",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) | Q(**{f"{name}__isnull": True}),
                    name=f"renewals_renewal_{name}_not_negative",
                    violation_error_message=f"The {label} cannot be negative.",
                )
                for name, label in (("arr", "ARR"), ("target_amount", "target ARR"),
                                    ("forecast_amount", "forecast ARR"), ("final_amount", "final ARR"))
            ),
            models.CheckConstraint(
                condition=Q(stage__in=OPEN_STAGES) | (
                    Q(final_amount__isnull=False) & Q(closed_on__isnull=False)
                ),
                name="renewals_renewal_outcome_has_final_amount",
                violation_error_message="An outcome needs its final ARR.",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=LOSSES) | Q(reason__isnull=False),
                name="renewals_renewal_loss_has_reason",
                violation_error_message="Say why the customer left or cut back.",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CHURNED) | Q(final_amount=0),
                name="renewals_renewal_churn_renews_nothing",
                violation_error_message="A churned renewal renews nothing: its final ARR is 0.",
            ),
        ]
        indexes = [models.Index(fields=["stage", "renewal_date"])]

    def __str__(self) -> str:
        return f"{self.account} renewal on {self.renewal_date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("renewal", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES
