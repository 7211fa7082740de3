"""The jobs the worker runs on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cairn.jobs.registry import JobSpec, register
from cairn.jobs.schedules import DailyAt


def refresh_health() -> dict[str, Any]:
    from cairn.operations.tasks import refresh_health

    return refresh_health.call()


def clear_expired_sessions() -> dict[str, Any]:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"sessions_deleted": deleted}


def register_all() -> None:
    register(JobSpec(
        name="health_refresh",
        label="Health refresh",
        description="Brings the metrics up to date, scores every account as of today and opens "
        "the renewals that came within reach. New usage data also starts one at once.",
        run=refresh_health,
        schedule=DailyAt(dt.time(2, 0)),
    ))
    register(JobSpec(
        name="expired_sessions",
        label="Expired logins cleared",
        description="Deletes the sessions of logins that have expired, so the table does not grow "
        "without end.",
        run=clear_expired_sessions,
        schedule=DailyAt(dt.time(3, 30)),
    ))
