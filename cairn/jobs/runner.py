"""Running due jobs: each due time is claimed by one compare-and-set UPDATE, so with two
workers (or two threads) a job runs once per due time, on SQLite and on PostgreSQL alike.

The claim moves next_run_at on, from the value the claimer read to the next scheduled time;
only the claimer whose UPDATE still finds that value changes a row. A job that fails has its
error written to its run and to its row; the next job runs all the same.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.utils import is_locked_database_exception

from cairn.jobs import registry
from cairn.jobs.models import ERROR_CHARS, Job, JobRun, Outcome
from cairn.jobs.registry import JobSpec

logger = logging.getLogger(__name__)


def sync(now: dt.datetime | None = None) -> int:
    """Give every registered job without a row one, first due at its next scheduled time.
    Returns how many were added."""
    now = now or timezone.now()
    known = set(Job.objects.values_list("name", flat=True))
    new = [
        Job(name=spec.name, next_run_at=spec.schedule.next_after(now))
        for spec in registry.specs() if spec.name not in known
    ]
    Job.objects.bulk_create(new, ignore_conflicts=True)  # another worker may add them too
    return len(new)


def sync_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # Not after migrating the jobs app back to before its table existed.
    if Job._meta.db_table in connections[using].introspection.table_names():
        sync()


def due(now: dt.datetime) -> list[Job]:
    """Registered jobs due by `now`: enabled ones, and any an admin asked to run now."""
    return list(
        Job.objects.filter(name__in=registry.names(), next_run_at__lte=now)
        .filter(Q(enabled=True) | Q(requested_by__isnull=False))
        .order_by("next_run_at", "pk")
    )


def claim(job: Job, spec: JobSpec, now: dt.datetime) -> bool:
    """True for the one caller whose UPDATE moves the due time it read on; False for everyone
    else, including a caller that finds the database locked by the winner (SQLite)."""
    try:
        return Job.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=spec.schedule.next_after(now), requested_by=None
        ) == 1
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return False
        raise


def _json(summary: dict[str, Any] | None) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(summary or {}, default=str))
    return result


def _error(exc: Exception) -> str:
    text = "".join(traceback.format_exception(exc))
    head = f"{type(exc).__name__}: {exc}"
    if len(text) <= ERROR_CHARS:
        return text
    # The message first, then the innermost frames, where the fault usually is.
    return (head[: ERROR_CHARS // 2] + "\n…\n" + text[-(ERROR_CHARS // 2) :])[:ERROR_CHARS]


def execute(job: Job, spec: JobSpec) -> JobRun:
    """Run a claimed job and record how it went. Never raises for the job's own failure."""
    started = timezone.now()
    run = JobRun.objects.create(job=job, started_at=started, triggered_by_id=job.requested_by_id)
    outcome, error, summary = Outcome.OK, "", {}
    try:
        summary = _json(spec.run())
    except Exception as exc:
        logger.exception("Job %s failed", spec.name)
        outcome, error = Outcome.FAILED, _error(exc)
    finished = timezone.now()
    JobRun.objects.filter(pk=run.pk).update(
        finished_at=finished, outcome=outcome, error=error, summary=summary
    )
    Job.objects.filter(pk=job.pk).update(
        last_started_at=started, last_finished_at=finished, last_duration=finished - started,
        last_outcome=outcome, last_error=error,
    )
    run.refresh_from_db()
    logger.info("Job %s: %s in %s", spec.name, outcome, finished - started)
    return run


def run_due(now: dt.datetime | None = None) -> list[JobRun]:
    """Claim and run every job due by `now`, one after another. Returns the runs made here."""
    now = now or timezone.now()
    runs = []
    for job in due(now):
        spec = registry.get(job.name)
        if spec is not None and claim(job, spec, now):
            runs.append(execute(job, spec))
    return runs
