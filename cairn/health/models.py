"""Health scorecards (data a leader edits), manual ratings, scores with explanations, alerts.

See docs/analytics.md. Scores are written by `cairn.health.actions.recompute_scores`; manual
ratings are written only by people, so a recompute can never overwrite a CSM's judgement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import NOTE


class Indicator(models.TextChoices):
    """The framework's health indicators, under which measures are grouped."""

    SPONSORSHIP = "sponsorship", "Sponsorship"
    ADVOCACY = "advocacy", "Advocacy"
    SENTIMENT = "sentiment", "Sentiment"
    SUPPORT = "support_utilization", "Support utilization"
    PRODUCT = "product_utilization", "Product utilization"
    COMPANY = "company_health", "Company health"
    NPS = "nps", "NPS"


class Source(models.TextChoices):
    METRIC = "metric", "A metric"
    MANUAL = "manual", "A CSM's manual rating"
    SURVEY = "survey", "NPS survey answers"
    TICKETS = "tickets", "Open high-priority tickets"


class Method(models.TextChoices):
    """How a number becomes points (metric, survey and ticket measures)."""

    THRESHOLDS = "thresholds", "Thresholds (linear between bad and good)"
    BANDS = "bands", "Bands (value ranges to points)"
    LOG = "log", "Log scale between bad and good"
    PERCENTILE = "percentile", "Percentile among the book's accounts on the date"


class Light(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class Scorecard(models.Model):
    """How health is scored for the accounts of some segments (or, the default, all others)."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=NOTE)
    segments = models.JSONField(
        default=list, blank=True, help_text="Account segments this scorecard applies to."
    )
    is_default = models.BooleanField(
        default=False, help_text="Scores the accounts no other scorecard applies to."
    )
    green_from = models.PositiveSmallIntegerField(
        default=70, help_text="A score at or above this is green."
    )
    red_below = models.PositiveSmallIntegerField(
        default=40, help_text="A score below this is red; in between is amber."
    )
    max_age_days = models.PositiveIntegerField(
        default=45, help_text="Data older than this many days counts as missing."
    )
    alert_drop_points = models.PositiveSmallIntegerField(
        default=15, help_text="Alert the owner when the score falls by more than this…"
    )
    alert_period_days = models.PositiveSmallIntegerField(
        default=30, help_text="…within this many days."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="health_scorecard_name_unique",
                violation_error_message="A scorecard with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="health_one_default_scorecard",
                violation_error_message="Another scorecard is already the default.",
            ),
            models.CheckConstraint(
                condition=models.Q(red_below__lte=models.F("green_from"))
                & models.Q(green_from__lte=100),
                name="health_scorecard_lights_ordered",
                violation_error_message="Red must start below green, and green at 100 or less.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_age_days__gte=1),
                name="health_scorecard_max_age_positive",
                violation_error_message="The maximum data age must be at least one day.",
            ),
            models.CheckConstraint(
                condition=models.Q(alert_period_days__gte=1),
                name="health_scorecard_alert_period_positive",
                violation_error_message="The alert period must be at least one day.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scorecard_edit", args=[self.pk])


class Measure(models.Model):
    """One line of a scorecard: where a value comes from and how it becomes 0-100 points."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=150)
    indicator = models.CharField(max_length=24, choices=Indicator.choices)
    weight = models.FloatField(default=1.0)
    source = models.CharField(max_length=10, choices=Source.choices)
    metric = models.ForeignKey(
        "metrics.MetricDefinition", on_delete=models.PROTECT, null=True, blank=True,
        related_name="health_measures",
    )
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.THRESHOLDS)
    # Percentile measures: both are percentile ranks (0-100). A good value below the bad
    # one scores lower values higher.
    bad_value = models.FloatField(null=True, blank=True, help_text="Scores 0 points.")
    good_value = models.FloatField(null=True, blank=True, help_text="Scores 100 points.")
    # A backtest can learn that more of a behaviour goes with churn although the metric says
    # higher is better (cairn.health.trust.suggest): the editor then expects bad and good
    # the other way round.
    reverse_direction = models.BooleanField(
        default=False,
        help_text="Score against the metric's own direction: more of it went with churn.",
    )
    bands = models.JSONField(
        default=list, blank=True, help_text='Value ranges to points: [{"from": 0, "to": 10, "points": 20}, …]'
    )
    window_days = models.PositiveIntegerField(
        default=90, help_text="Surveys and tickets: the trailing window looked at."
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0) & models.Q(weight__lte=1000),
                name="health_measure_weight_positive",
                violation_error_message="The weight must be above 0 and at most 1000.",
            ),
            models.CheckConstraint(
                condition=models.Q(indicator__in=Indicator.values), name="health_measure_indicator_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="health_measure_source_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="metric") | models.Q(metric__isnull=False),
                name="health_measure_metric_given",
                violation_error_message="A metric measure needs a metric.",
            ),
            models.CheckConstraint(
                condition=models.Q(window_days__gte=1),
                name="health_measure_window_positive",
                violation_error_message="The window must be at least one day.",
            ),
            models.CheckConstraint(
                condition=models.Q(method__in=Method.values), name="health_measure_method_valid"
            ),
            # log(1 + value) is scored from 0 up: a negative end has no place on the scale.
            models.CheckConstraint(
                condition=~models.Q(method="log")
                | (models.Q(bad_value__gte=0) & models.Q(good_value__gte=0)),
                name="health_measure_log_from_zero",
                violation_error_message="A log scale needs bad and good values of 0 or more.",
            ),
            # A percentile measure's bad and good are percentile ranks.
            models.CheckConstraint(
                condition=~models.Q(method="percentile")
                | (
                    models.Q(bad_value__gte=0) & models.Q(bad_value__lte=100)
                    & models.Q(good_value__gte=0) & models.Q(good_value__lte=100)
                ),
                name="health_measure_percentile_ranks",
                violation_error_message="A percentile measure's bad and good values are ranks from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="percentile") | models.Q(source="metric"),
                name="health_measure_percentile_of_metric",
                violation_error_message="Only a metric measure can be scored by percentile.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RatingValue(models.TextChoices):
    """A CSM's rating: a 1-5 scale or a traffic light; `scoring.RATING_POINTS` maps it."""

    ONE = "1", "1 – very poor"
    TWO = "2", "2 – poor"
    THREE = "3", "3 – fair"
    FOUR = "4", "4 – good"
    FIVE = "5", "5 – excellent"
    RED = "red", "Red"
    YELLOW = "yellow", "Yellow"
    GREEN = "green", "Green"


class ManualRating(models.Model):
    """A CSM's judgement of one indicator for an account. Rows are never updated: a new
    rating is a new row, so the history stays, and recomputes only read them."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="manual_ratings"
    )
    indicator = models.CharField(max_length=24, choices=Indicator.choices)
    rating = models.CharField(max_length=6, choices=RatingValue.choices)
    comment = models.TextField(help_text="Why: what you saw or heard.", max_length=NOTE)
    rated_on = models.DateField()
    expires_on = models.DateField(help_text="After this day the rating counts as missing.")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_on", "-id"]
        indexes = [
            models.Index(fields=["account", "indicator", "-rated_on"], name="health_rating_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("rated_on")),
                name="health_rating_expires_after_rated",
                violation_error_message="The expiry must not be before the rating's date.",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__in=RatingValue.values), name="health_rating_value_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.get_rating_display()}"


class ScorecardSnapshot(models.Model):
    """A scorecard's measures as they were when scores were computed with it: names,
    indicators and weights are kept once here rather than in every day's score of every
    account, and an edited or deleted scorecard still explains its old scores."""

    digest = models.CharField(max_length=64, unique=True)
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150)
    # [[key, name, indicator, weight], ...] in the scorecard's order
    measures = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.digest[:8]})"


class ScoreDate(models.Model):
    """A scoring date and the file in the analytics store that holds its scores.

    The score history (every account's score, light and explanation on each date) is kept
    in Parquet, one file per date (cairn.health.history, docs/analytics.md): a daily run adds
    100,000 rows, which an indexed table pays for with random writes into an index that
    grows every day. This row makes the file part of the history: it is written in the
    recompute's transaction, and readers only open the files rows name, so a run that fails
    leaves the history as it was.
    """

    scored_on = models.DateField(unique=True)
    # Relative to the scores folder; blank while a first run of the date is in progress.
    file = models.CharField(max_length=200, blank=True)
    accounts = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["scored_on"]

    def __str__(self) -> str:
        return f"{self.scored_on}: {self.accounts} accounts"


class AccountKey(models.OneToOneField):  # type: ignore[type-arg]
    """A one-to-one link to the account that is the row's primary key, typed `integer` on
    SQLite. SQLite makes only a column declared exactly INTEGER PRIMARY KEY the table's own
    row id; a `bigint` key (Django's type for a link to a big auto field) gets a hidden row
    id and a second index beside it, which every write must also update. SQLite's integers
    are 64-bit whatever the declared type, so nothing is lost. Other databases: unchanged."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite" and self.primary_key:
            return "integer"
        return super().db_type(connection)


class AccountHealth(models.Model):
    """The latest score of an account and how it moved: one row per account, so the
    portfolio sorts and filters by health with a join, not a subquery per row. Every
    recompute writes all of it, so it is keyed by the account alone (see AccountKey)."""

    account = AccountKey(
        "customers.Account", on_delete=models.CASCADE, primary_key=True, related_name="health"
    )
    scored_on = models.DateField()
    score = models.FloatField(null=True, blank=True)
    light = models.CharField(max_length=5, choices=Light.choices, blank=True)
    previous_score = models.FloatField(null=True, blank=True)
    previous_light = models.CharField(max_length=5, choices=Light.choices, blank=True)
    # Change since the previous score, and since the last score at least 30 days older.
    change = models.FloatField(null=True, blank=True)
    change_30d = models.FloatField(null=True, blank=True)

    class Meta:
        # Only the 30-day change is indexed (the overview's sharpest falls, the portfolio's
        # "dropped by" filter). Sorting by score joins the accounts and sorts by name after
        # it, which no index on the score serves, and each index costs every daily run
        # 100,000 random writes.
        indexes = [models.Index(fields=["change_30d"], name="health_latest_by_change")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score}"


class AlertKind(models.TextChoices):
    TURNED_RED = "turned_red", "Turned red"
    DROPPED = "dropped", "Dropped sharply"


class HealthAlert(models.Model):
    """An alert raised once for one drop. It stays open while the condition lasts, so
    repeated recomputes do not raise it again; it closes when the account recovers."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="health_alerts"
    )
    kind = models.CharField(max_length=12, choices=AlertKind.choices)
    # The scoring date whose score raised it (its explanation is in that date's history)
    # and the score then.
    scored_on = models.DateField()
    score = models.FloatField(null=True, blank=True)
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    task = models.ForeignKey(
        "timeline.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "scored_on"], name="health_alert_once_per_score"
            ),
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=models.Q(resolved_on__isnull=True),
                name="health_alert_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account_id} on {self.raised_on}"
