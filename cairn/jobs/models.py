"""A row per periodic job (when it is next due, how its last run went) and a log of runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from cairn.fields import NOTE

ERROR_CHARS = 4000  # what is kept of an error: its message and the end of its traceback


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    name = models.CharField(max_length=80, unique=True)
    enabled = models.BooleanField(default=True)
    # Claimed by moving it on with a compare-and-set UPDATE (cairn.jobs.runner.claim).
    next_run_at = models.DateTimeField()
    # Who asked for a run now: the run that claims the request is theirs.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration = models.DurationField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_error = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True, max_length=NOTE)
    summary = models.JSONField(default=dict, blank=True)
    # Null: the schedule started it.
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_run_job_started")]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at
