"""What the jobs page shows: each registered job with its schedule in words and its last
run, and the latest runs of all of them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cairn.jobs import registry
from cairn.jobs.models import Job, JobRun

RECENT_RUNS = 30


def duration_words(duration: dt.timedelta | None) -> str:
    """'0.4 s', '12 s', '3 min 05 s', '1 h 02 min'; a dash when there is none."""
    if duration is None:
        return "—"
    seconds = duration.total_seconds()
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes:02d} min"


@dataclasses.dataclass
class JobRow:
    job: Job
    spec: registry.JobSpec

    @property
    def schedule(self) -> str:
        return self.spec.schedule.describe()

    @property
    def last_duration(self) -> str:
        return duration_words(self.job.last_duration)


@dataclasses.dataclass
class RunRow:
    run: JobRun
    label: str

    @property
    def duration(self) -> str:
        return duration_words(self.run.duration)

    @property
    def error_line(self) -> str:
        """The exception and its message: a traceback's last line."""
        lines = self.run.error.strip().splitlines()
        return lines[-1] if lines else ""


def job_rows() -> list[JobRow]:
    """The registered jobs that have a row, by label: one query."""
    rows = [
        JobRow(job, spec)
        for job in Job.objects.filter(name__in=registry.names()).select_related("requested_by")
        if (spec := registry.get(job.name)) is not None
    ]
    return sorted(rows, key=lambda row: row.spec.label)


def recent_runs(limit: int = RECENT_RUNS) -> list[RunRow]:
    """The latest runs of every job, newest first: one query."""
    runs = JobRun.objects.select_related("job", "triggered_by").order_by("-started_at", "-pk")[:limit]
    return [RunRow(run, spec.label if (spec := registry.get(run.job.name)) else run.job.name) for run in runs]
