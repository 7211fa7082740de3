"""A backtest run and the weights it suggests, kept so a leader reviews exactly what was
computed and the decision (applied or dismissed, by whom, when) stays on record."""

from __future__ import annotations

from django.conf import settings
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
    """

    scorecard = models.ForeignKey(
        "health.Scorecard", on_delete=models.CASCADE, related_name="weight_suggestions"
    )
    lead_days = models.PositiveSmallIntegerField()
    as_of = models.DateField(help_text="Outcomes known up to this day.")
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
