"""API schemas of the scheduled jobs. Every name starts with Job: the OpenAPI document names
each schema by its class name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class JobRunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str = Field(description="running, ok or failed.")
    error: str = Field(description="The error and the end of its traceback, when it failed.")
    summary: dict[str, Any] = Field(description="What the run did, in the job's own figures.")
    triggered_by: int | None = Field(
        alias="triggered_by_id", description="Who ran it now; null: the schedule."
    )


class JobOut(Schema):
    id: int
    name: str
    label: str
    description: str
    schedule: str = Field(description="When it runs, in words.")
    enabled: bool
    next_run_at: dt.datetime
    run_requested: bool = Field(description="Someone asked for a run at the worker's next poll.")
    last_started_at: dt.datetime | None
    last_duration_seconds: float | None
    last_outcome: str
    last_error: str


class JobDetailOut(JobOut):
    runs: list[JobRunOut] = Field(description="Its latest runs, newest first.")


class JobSwitchIn(Schema):
    enabled: bool


class JobRunNowOut(Schema):
    detail: str
    job: JobOut

