"""The worker retrains the forecast once a week, at night, and scores the book after every
recompute of the day's scores (apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cairn.jobs.registry import JobSpec, register
from cairn.jobs.schedules import DailyAt

RETRAIN_AFTER_DAYS = 7


def retrain() -> dict[str, Any]:
    """Train a new version when the current one is a week old (or there is none)."""
    from django.utils import timezone

    from cairn.forecast.actions import train_model
    from cairn.forecast.models import ForecastModel

    latest = ForecastModel.objects.order_by("-version").first()
    if latest is not None and timezone.now() - latest.trained_at < dt.timedelta(days=RETRAIN_AFTER_DAYS):
        return {"trained": False, "reason": f"version {latest.version} is less than a week old"}
    lead = latest.lead_days if latest is not None else None
    model = train_model(lead_days=lead) if lead else train_model()
    return {"trained": model.status == "trained", "version": model.version, "status": model.status,
            "seconds": model.seconds}


def register_all() -> None:
    register(JobSpec(
        name="forecast_training",
        label="Churn forecast training",
        description="Once a week, trains a new version of the churn forecast on the metric history "
        "(judged out of time first) and scores the book with it. Every recompute of the day's "
        "scores also rescores the book with the current version.",
        run=retrain,
        schedule=DailyAt(dt.time(4, 30)),
    ))
