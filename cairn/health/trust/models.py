"""A backtest run and the weights it suggests, kept so a leader reviews exactly what was
computed and the decision (applied or dismissed, by whom, when) stays on record."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPLIED = "applied", "Applied"
    DISMISSED = "dismissed", "Dismissed"
    # The backtest ran but had too little data, or no measure could be fitted.
    REPORT_ONLY = "report_only", "Report only"


class WeightSuggestion(models.Model):
    """One backtest of a scorecard and its suggested weights.

    `report` holds the backtest's figures (see `cairn.health.trust.backtest.Report.as_json`);
    `weights` one row per measure: its id, name, the weight when the backtest ran, the
    suggested weight, the coefficient and a note. Applying writes the suggested weights to the
    scorecard's measures only if they still have the weights shown here.

    The split: the suggestion was fitted on the training dates and the figures measured on the
    test dates (both inclusive). Runs from before splits existed, and runs that found no metric
    date to test on, have none (null).
    """

    scorecard = models.ForeignKey(
        "health.Scorecard", on_delete=models.CASCADE, related_name="weight_suggestions"
    )
    lead_days = models.PositiveSmallIntegerField()
    as_of = models.DateField(help_text="Outcomes known up to this day.")
    train_from = models.DateField(null=True, blank=True, help_text="First training date.")
    train_until = models.DateField(null=True, blank=True, help_text="Last training date.")
    test_from = models.DateField(null=True, blank=True, help_text="First test date.")
    test_until = models.DateField(null=True, blank=True, help_text="Last test date.")
    include_new = models.BooleanField(
        default=False, help_text="Whether accounts in their first 90 paying days were observed."
    )
    report = models.JSONField(default=dict)
    weights = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["scorecard", "-created_at"], name="trust_suggestion_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SuggestionStatus.values),
                name="trust_suggestion_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(lead_days__gte=1) & models.Q(lead_days__lte=730),
                name="trust_suggestion_lead_in_range",
                violation_error_message="The lead window must be between 1 and 730 days.",
            ),
            models.CheckConstraint(
                condition=models.Q(train_from__isnull=True, train_until__isnull=True)
                | models.Q(
                    train_from__isnull=False, train_until__isnull=False,
                    train_from__lte=models.F("train_until"),
                ),
                name="trust_suggestion_train_ordered",
                violation_error_message="The training period has a start and an end, the start first.",
            ),
            models.CheckConstraint(
                condition=models.Q(test_from__isnull=True, test_until__isnull=True)
                | models.Q(
                    test_from__isnull=False, test_until__isnull=False,
                    test_from__lte=models.F("test_until"),
                ),
                name="trust_suggestion_test_ordered",
                violation_error_message="The test period has a start and an end, the start first.",
            ),
            models.CheckConstraint(
                condition=models.Q(train_until__isnull=True) | models.Q(test_from__isnull=True)
                | models.Q(train_until__lt=models.F("test_from")),
                name="trust_suggestion_train_before_test",
                violation_error_message="The training period must end before the test period starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(test_until__isnull=True) | models.Q(test_until__lt=models.F("as_of")),
                name="trust_suggestion_test_before_as_of",
                violation_error_message="The test period must end before the as-of date.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="applied") | models.Q(applied_at__isnull=False),
                name="trust_suggestion_applied_when",
                violation_error_message="An applied suggestion records when it was applied.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="dismissed") | models.Q(dismissed_at__isnull=False),
                name="trust_suggestion_dismissed_when",
                violation_error_message="A dismissed suggestion records when it was dismissed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Weights for {self.scorecard_id} on {self.as_of} ({self.status})"

    def clean(self) -> None:
        """The rules a database constraint cannot state (they add the lead window to a date)."""
        if self.lead_days is None or self.as_of is None:
            return
        lead = dt.timedelta(days=self.lead_days)
        if self.test_until is not None and self.test_until + lead > self.as_of:
            raise ValidationError({"test_until": (
                f"With a {self.lead_days}-day lead the test period must end by "
                f"{self.as_of - lead}, so that its churn is known by the as-of date ({self.as_of})."
            )})
        train_until, test_from = self.train_until, self.test_from
        if train_until is not None and test_from is not None and train_until + lead > test_from:
            raise ValidationError({"train_until": (
                f"With a {self.lead_days}-day lead, a training date's churn window reaches into "
                f"the test period: the training period must end by {test_from - lead}."
            )})
