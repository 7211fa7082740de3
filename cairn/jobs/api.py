"""The scheduled jobs in the API: list them with their last run, read one with its latest
runs, run one now, switch one off or on. Admins only, as on the page."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from cairn.api import READ_ERRORS, WRITE_ERRORS, user_of
from cairn.jobs import actions, queries, registry
from cairn.jobs.models import Job
from cairn.jobs.schemas import JobDetailOut, JobOut, JobRunNowOut, JobSwitchIn
from cairn.jobs.views import JOBS_REFUSAL
from cairn.people import access

router = Router(tags=["jobs"])

RUNS = 20


def _out(job: Job) -> dict[str, Any]:
    spec = registry.get(job.name)
    return {
        "id": job.pk, "name": job.name, "label": spec.label if spec else job.name,
        "description": spec.description if spec else "", "enabled": job.enabled,
        "schedule": spec.schedule.describe() if spec else "", "next_run_at": job.next_run_at,
        "run_requested": job.requested_by_id is not None, "last_started_at": job.last_started_at,
        "last_duration_seconds": job.last_duration.total_seconds() if job.last_duration else None,
        "last_outcome": job.last_outcome, "last_error": job.last_error,
    }


def _admin(request: HttpRequest) -> None:
    # One check for every route, reads and writes alike.
    access.admin(user_of(request), JOBS_REFUSAL)


def _job(request: HttpRequest, job_id: int) -> Job:
    _admin(request)
    return get_object_or_404(Job, pk=job_id, name__in=registry.names())


@router.get("", response={200: list[JobOut], **READ_ERRORS})
def list_jobs(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [_out(row.job) for row in queries.job_rows()]


@router.get("/{job_id}", response={200: JobDetailOut, **READ_ERRORS})
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = _job(request, job_id)
    return {**_out(job), "runs": list(job.runs.order_by("-started_at", "-pk")[:RUNS])}


@router.post("/{job_id}/run", response={202: JobRunNowOut, **WRITE_ERRORS})
def run_job(request: HttpRequest, job_id: int) -> tuple[int, dict[str, Any]]:
    job = actions.run_now(_job(request, job_id), by=user_of(request))
    return 202, {"detail": "It runs at the worker's next poll, within a few seconds.", "job": _out(job)}


@router.post("/{job_id}/switch", response={200: JobOut, **WRITE_ERRORS})
def switch_job(request: HttpRequest, job_id: int, payload: JobSwitchIn) -> dict[str, Any]:
    return _out(actions.set_enabled(_job(request, job_id), payload.enabled))
