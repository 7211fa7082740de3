"""Product-usage ingestion: the record of each committed batch, support tickets, NPS answers.

Events themselves live in Parquet (docs/analytics.md); an `IngestBatch` row is what makes a
batch's files visible, so the row and its file list are written in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cairn.fields import NOTE


class BatchSource(models.TextChoices):
    API = "api", "API"
    FILE = "file", "File"
    REPLAY = "replay", "Quarantine replay"


class IngestBatch(models.Model):
    """A committed batch of events. A batch that never committed has no row, hence no readers."""

    batch_id = models.CharField(max_length=32, unique=True, editable=False)
    key = models.CharField(
        max_length=200, blank=True,
        help_text="The client's batch key: the same key sent again is answered with this batch.",
    )
    source = models.CharField(max_length=8, choices=BatchSource.choices)
    source_name = models.CharField(max_length=300, blank=True)
    received = models.PositiveBigIntegerField(default=0)
    stored = models.PositiveBigIntegerField(default=0)
    duplicates = models.PositiveBigIntegerField(default=0)
    quarantined = models.PositiveBigIntegerField(default=0)
    quarantine_reasons = models.JSONField(default=dict, blank=True)
    # Paths relative to ANALYTICS_DIR, so a moved data directory keeps working.
    files = models.JSONField(default=list, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    quarantine_file = models.CharField(max_length=300, blank=True)
    quarantine_open = models.BooleanField(
        default=False, help_text="Quarantined rows wait for a replay."
    )
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ingest batches"
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="usage_batch_key_unique",
                violation_error_message="A batch with this key was already ingested.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    received=models.F("stored") + models.F("duplicates") + models.F("quarantined")
                ),
                name="usage_batch_counts_add_up",
                violation_error_message="Received must equal stored + duplicates + quarantined.",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=BatchSource.values), name="usage_batch_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["first_day", "last_day"], name="usage_batch_days"),
        ]

    def __str__(self) -> str:
        return f"Batch {self.batch_id} ({self.stored} stored)"


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class SupportTicket(models.Model):
    """A ticket from the support desk, upserted by its external id."""

    external_id = models.CharField(max_length=100, unique=True)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="support_tickets"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300, blank=True)
    priority = models.CharField(
        max_length=8, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(max_length=8, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["account", "-opened_at"], name="usage_ticket_account")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | models.Q(closed_at__gte=models.F("opened_at")),
                name="usage_ticket_closed_after_opened",
                violation_error_message="A ticket cannot be closed before it was opened.",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=TicketPriority.values),
                name="usage_ticket_priority_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TicketStatus.values),
                name="usage_ticket_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.external_id


class SurveyResponse(models.Model):
    """One NPS answer (0-10, with the comment), upserted by its external id."""

    external_id = models.CharField(max_length=100, unique=True)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="survey_responses"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=NOTE)
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["account", "-answered_at"], name="usage_survey_account")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=10),
                name="usage_survey_score_0_to_10",
                violation_error_message="An NPS score is a whole number from 0 to 10.",
            ),
        ]

    def __str__(self) -> str:
        return f"NPS {self.score} ({self.external_id})"

    @property
    def category(self) -> str:
        """Promoter (9-10), passive (7-8) or detractor (0-6), as NPS counts them."""
        if self.score >= 9:
            return "promoter"
        return "passive" if self.score >= 7 else "detractor"
