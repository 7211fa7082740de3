"""The admin's page of scheduled jobs: when each runs, how its last run went, its recent runs;
run one now or switch it off. Thin: the actions own the writes, the queries the reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.http import AuthedRequest
from cairn.jobs import actions, queries, registry
from cairn.jobs.models import Job
from cairn.people import access

JOBS_REFUSAL = "Only admins see and run the scheduled jobs."


def _job(request: AuthedRequest, pk: int) -> Job:
    access.admin(request.user, JOBS_REFUSAL)
    return get_object_or_404(Job, pk=pk)


def _label(job: Job) -> str:
    spec = registry.get(job.name)
    return spec.label if spec else job.name


def jobs(request: AuthedRequest) -> HttpResponse:
    access.admin(request.user, JOBS_REFUSAL)
    return render(
        request, "jobs/jobs.html", {"rows": queries.job_rows(), "runs": queries.recent_runs()}
    )


@require_POST
def job_run(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        actions.run_now(job, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{_label(job)} will run at the worker's next poll, within a few seconds."
        )
    return redirect("jobs")


@require_POST
def job_switch(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    choice = request.POST.get("enabled")
    if choice not in ("on", "off"):
        messages.error(request, "Enabled: choose on or off.")
        return redirect("jobs")
    try:
        actions.set_enabled(job, choice == "on")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        state = "on: it runs on its schedule again" if job.enabled else "off until switched on"
        messages.success(request, f"{_label(job)} is {state}.")
    return redirect("jobs")
