"""One chronological feed per account and engagement, and the tasks people work from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cairn.fields import NOTE
from cairn.validation import assignable


class EntryKind(models.TextChoices):
    NOTE = "note", "Note"
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    PHASE_MOVE = "phase_move", "Phase move"
    DOCUMENT = "document", "Document"
    TASK = "task", "Task"
    EVALUATION = "evaluation", "Evaluation"
    # A customer stakeholder accepted, declined or signed off through a secure link.
    CUSTOMER_RESPONSE = "customer_response", "Customer response"
    # A phase tool changed: dossier, stakeholders, plans, measurements...
    PLANNING = "planning", "Planning"
    # A renewal moved on or closed with its outcome.
    RENEWAL = "renewal", "Renewal"
    # An automation rule acted on the account (cairn.automation).
    AUTOMATION = "automation", "Automation"


LOGGED_KINDS = [EntryKind.NOTE, EntryKind.MEETING, EntryKind.CALL, EntryKind.EMAIL]


class Entry(models.Model):
    """A line on the timeline.

    People log notes, meetings, calls and e-mails; domain actions write the other kinds
    (phase moves, documents, tasks) as they happen, so the feed is one indexed query.
    """

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="timeline"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timeline",
    )
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=NOTE)
    occurred_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    link = models.CharField(max_length=300, blank=True, help_text="Where the subject lives.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="timeline_account_feed"),
            models.Index(fields=["engagement", "-occurred_at"], name="timeline_engagement_feed"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Task(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    due_date = models.DateField(null=True, blank=True)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="tasks"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    activity = models.ForeignKey(
        "engagements.EngagementActivity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_date"], name="task_my_work")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("my_work") + f"#task-{self.pk}"

    def clean(self) -> None:
        assignable(self.assignee if self.assignee_id else None, "assignee")

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == TaskStatus.OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
