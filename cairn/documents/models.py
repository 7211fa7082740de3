"""The central repository: documents of every phase, their versions, and templates."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cairn.fields import DOCUMENT, UPLOAD_TEXT


class DocumentType(models.TextChoices):
    HANDOVER_NOTES = "handover_notes", "Handover notes"
    ENGAGEMENT_STRATEGY = "engagement_strategy", "Engagement strategy"
    ROADMAP = "roadmap", "Roadmap"
    PROPOSAL = "proposal", "Proposal"
    ONBOARDING_PLAN = "onboarding_plan", "Onboarding plan"
    ADOPTION_PLAN = "adoption_plan", "Adoption plan"
    REPORT = "report", "Report"
    WELCOME_PACK = "welcome_pack", "Welcome pack"
    MILESTONE_REPORT = "milestone_report", "Milestone report"
    GOVERNANCE_REPORT = "governance_report", "Governance report"
    ADOPTION_ROADMAP = "adoption_roadmap", "Adoption roadmap"
    LESSONS_LEARNED = "lessons_learned", "Lessons learned"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    WRITTEN = "written", "Written in Cairn"
    UPLOADED = "uploaded", "Uploaded file"


class Document(models.Model):
    """A document in the repository. Its content lives in versions; the newest is current.

    A template is a document with no engagement, kept to start new documents from.
    """

    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    phase = models.ForeignKey(
        "playbooks.Phase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    doc_type = models.CharField(
        "type", max_length=32, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    is_template = models.BooleanField(default=False)
    # A template promoted from an engagement's document keeps where it came from; a document
    # started from a template keeps which one, so the repository counts each template's reuse.
    origin = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="promoted_templates",
        verbose_name="promoted from",
    )
    source_template = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        verbose_name="started from template",
    )
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["current_version", "updated_at"])

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_template=False) | models.Q(engagement__isnull=True),
                name="documents_template_has_no_engagement",
            ),
            models.CheckConstraint(
                condition=models.Q(is_template=True) | models.Q(engagement__isnull=False),
                name="documents_document_has_engagement",
                violation_error_message="A document belongs to an engagement.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("document", args=[self.pk])

    @property
    def is_written(self) -> bool:
        return self.kind == DocumentKind.WRITTEN


def _stored_name(instance: DocumentVersion, filename: str) -> str:
    # The user's file name is kept in `filename` for display only; on disk the file gets a
    # random name under a fixed folder, so no name can escape the media root or collide.
    suffix = PurePath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"documents/{uuid.uuid4().hex}{suffix}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(blank=True, help_text="Markdown, for written documents.", max_length=DOCUMENT)
    file = models.FileField(upload_to=_stored_name, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    extracted_text = models.TextField(
        blank=True, help_text="Text of an uploaded plain-text file, kept so search can find it.",
        max_length=UPLOAD_TEXT,
    )
    comment = models.CharField(max_length=200, blank=True)
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documents_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("document_version", args=[self.document_id, self.number])
