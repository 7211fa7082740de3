"""The framework as data: a playbook's versions, phases, activities and outputs.

A published version is frozen. Tailoring happens on a draft version; publishing it makes a
new version that new engagements follow, while running engagements keep theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cairn.fields import NOTE


class Playbook(models.Model):
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=NOTE)
    is_default = models.BooleanField(
        default=False, help_text="New engagements follow this playbook unless told otherwise."
    )
    copied_from = models.ForeignKey(
        "PlaybookVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="playbooks_playbook_name_unique",
                violation_error_message="A playbook with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="playbooks_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("playbook", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where this version came from (a data file, a copy)."
    )
    notes = models.TextField(blank=True, max_length=NOTE)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "number"], name="playbooks_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["playbook"],
                condition=models.Q(status="draft"),
                name="playbooks_one_draft_per_playbook",
                violation_error_message="This playbook already has a draft.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playbook} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Stage(models.TextChoices):
    INITIAL = "initial", "A. Initial"
    READINESS = "readiness", "B. User readiness"
    ONGOING = "ongoing", "C. Ongoing"


class Phase(models.Model):
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=60, help_text="Stable name used across versions.")
    name = models.CharField(max_length=120)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    purpose = models.TextField(blank=True, max_length=NOTE)
    periodic = models.BooleanField(
        default=False,
        help_text="Opened at intervals alongside the phase before it (engagement evaluation).",
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"],
                name="playbooks_phase_key_unique",
                violation_error_message="Another phase in this playbook has this key.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["phase", "position"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.name


class Output(models.Model):
    """Something a phase produces. A required output gates the move out of its phase."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="outputs")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=NOTE)
    required = models.BooleanField(default=False)
    document_type = models.CharField(
        max_length=32, blank=True, help_text="A document of this type delivers the output."
    )

    class Meta:
        ordering = ["phase", "position"]

    def __str__(self) -> str:
        return self.name
