"""What an admin does to a job: run it now (the worker picks it up), switch it off or on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.jobs import registry
from cairn.jobs.models import Job
from cairn.people.models import User


def _spec(job: Job) -> registry.JobSpec:
    spec = registry.get(job.name)
    if spec is None:
        raise ValidationError("This job is no longer part of Cairn.")
    return spec


def run_now(job: Job, *, by: User) -> Job:
    """Make the job due at once, so the next worker poll claims it as it claims any due time."""
    _spec(job)
    Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now(), requested_by=by)
    job.refresh_from_db()
    return job


def set_enabled(job: Job, enabled: bool) -> Job:
    """Switch a job off or on. Switched on again, it waits for its next scheduled time
    instead of catching up on the runs it missed."""
    spec = _spec(job)
    changes: dict[str, object] = {"enabled": enabled}
    if enabled and not job.enabled:
        changes["next_run_at"] = spec.schedule.next_after(timezone.now())
    Job.objects.filter(pk=job.pk).update(**changes)
    job.refresh_from_db()
    return job
