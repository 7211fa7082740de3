"""Metric definitions as data, and the latest value of each metric per account."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cairn.fields import NOTE


class MetricKind(models.TextChoices):
    COUNT = "count", "Count of events"
    SUM = "sum", "Sum of event values"
    RATE_PER_MONTH = "rate_per_month", "Rate per month"
    TENURE_RATE = "tenure_rate", "Tenure-scaled rate per month"
    RATIO = "ratio", "Ratio of two metrics"
    TOTAL = "total", "Total of several metrics"
    PERCENT_CHANGE = "percent_change", "Percent change between windows"
    DAYS_SINCE_LAST = "days_since_last", "Days since the last event"
    ACTIVE_USERS = "active_users", "Distinct active users"
    SEAT_UTILIZATION = "seat_utilization", "Utilization of licensed seats"
    TENURE = "tenure", "Tenure in days"
    PER_ACTIVE_DAY = "per_active_day", "Count or sum per active day"
    PER_USER = "per_user", "Count or sum per active user"


class MetricDefinition(models.Model):
    """One behavioural metric, defined by a CS ops person in the UI or in a file.

    `params` holds what the kind needs beyond the common fields, e.g. for a ratio
    {"numerator": "logins-28d", "denominator": "active-users-28d"}, for a total
    {"metrics": [...]}, for a rate or a per-day or per-user figure {"of": "count" | "sum"}.
    cairn.metrics.kinds validates it.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=NOTE)
    kind = models.CharField(max_length=24, choices=MetricKind.choices)
    event_type = models.CharField(max_length=120, blank=True)
    window_days = models.PositiveIntegerField(default=28)
    params = models.JSONField(default=dict, blank=True)
    higher_is_better = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MetricKind.values), name="metrics_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(window_days__gte=1) & models.Q(window_days__lte=3650),
                name="metrics_window_in_range",
                violation_error_message="The window must be between 1 and 3650 days.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MetricValue(models.Model):
    """The latest computed value of a metric for an account (the series is in Parquet)."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="metric_values"
    )
    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, related_name="values")
    observed_on = models.DateField()
    value = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "metric"], name="metrics_latest_value_once"),
        ]
        # Covering: scoring reads (account, value) of a few metrics for the whole book from
        # the index alone, in its order, instead of one table lookup per row (about half the
        # read at 100,000 accounts). A recompute moves the entries anyway: observed_on changes.
        indexes = [
            models.Index(
                fields=["metric", "observed_on", "account", "value"], name="metrics_value_for_scores"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric.slug}={self.value} for account {self.account_id} on {self.observed_on}"


class MetricFill(models.Model):
    """One observation date whose series files are whole and current.

    A date is done only when this row exists with the fingerprints of the definitions and of
    the inputs it was computed from; a recompute skips it while both still match, and
    redoes it otherwise. The row is deleted before a date's files are rewritten, so a run
    that stops half-way leaves the date visibly undone.
    """

    observed_on = models.DateField(unique=True)
    definitions_fingerprint = models.CharField(max_length=64)
    inputs_fingerprint = models.CharField(max_length=64)
    engine = models.CharField(max_length=16)
    accounts = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["observed_on"]

    def __str__(self) -> str:
        return f"metrics filled for {self.observed_on}"
