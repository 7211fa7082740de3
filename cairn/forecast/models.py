"""A churn forecast: versioned models trained on the metric series, and each account's latest
probability of churning within the model's lead window, with what drove it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cairn.fields import NOTE
from cairn.health.models import AccountKey


class ModelStatus(models.TextChoices):
    TRAINED = "trained", "Trained"
    # The training ran but the history held too few churns (or dates) to learn from.
    NOT_ENOUGH = "not_enough", "Not enough history"


class ForecastModel(models.Model):
    """One training run. The newest trained one scores the book.

    `features` lists what the model reads (see cairn.forecast.features.Feature.as_json);
    `evaluation` holds the out-of-time figures of the check run before it was trained on every
    date (see cairn.forecast.train.Evaluation.as_json); `drivers` the book-wide importance of
    each feature; `calibration` the Platt scaling (a, b) from raw score to probability. The
    trees themselves are in LightGBM's text format under the data directory (`file`).
    """

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=12, choices=ModelStatus.choices)
    lead_days = models.PositiveSmallIntegerField()
    as_of = models.DateField(help_text="Outcomes known up to this day.")
    train_from = models.DateField(null=True, blank=True)
    train_until = models.DateField(null=True, blank=True)
    test_from = models.DateField(null=True, blank=True)
    test_until = models.DateField(null=True, blank=True)
    # The scoring version learns from every date with a known outcome, after the check.
    fitted_from = models.DateField(null=True, blank=True)
    fitted_until = models.DateField(null=True, blank=True)
    features = models.JSONField(default=list, blank=True)
    evaluation = models.JSONField(default=dict, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    calibration = models.JSONField(default=dict, blank=True)
    file = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True, max_length=NOTE)
    observations = models.PositiveIntegerField(default=0)
    churn_events = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trained_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ModelStatus.values), name="forecast_model_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="forecast_model_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(lead_days__gte=7) & models.Q(lead_days__lte=730),
                name="forecast_model_lead_in_range",
                violation_error_message="The lead window must be between 7 and 730 days.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="trained")
                | (models.Q(file__gt="") & models.Q(fitted_until__isnull=False)),
                name="forecast_model_trained_has_file",
                violation_error_message="A trained model keeps its trees and its training dates.",
            ),
            models.CheckConstraint(
                condition=models.Q(test_from__isnull=True)
                | models.Q(train_until__isnull=True)
                | models.Q(train_until__lt=models.F("test_from")),
                name="forecast_model_train_before_test",
                violation_error_message="The training dates must end before the test dates begin.",
            ),
        ]

    def __str__(self) -> str:
        return f"Churn forecast v{self.version} ({self.get_status_display()})"


class AccountForecast(models.Model):
    """The latest forecast of an account: the chance it churns within the model's lead window
    after `scored_on`, and the features that moved it most, in words (see explain.py)."""

    account = AccountKey(
        "customers.Account", on_delete=models.CASCADE, primary_key=True, related_name="forecast"
    )
    model = models.ForeignKey(ForecastModel, on_delete=models.CASCADE, related_name="forecasts")
    scored_on = models.DateField()
    probability = models.FloatField()
    drivers = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["probability"], name="forecast_by_probability")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=1),
                name="forecast_probability_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.probability:.1%} for account {self.account_id} on {self.scored_on}"
