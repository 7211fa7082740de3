"""Background work: bring metrics and health scores up to date after new usage data.

Commercial platforms recompute health once a night; Cairn refreshes as data arrives. A
refresh is queued when events are stored and runs in `cairn worker`. Only one refresh
waits in the queue at a time: a burst of batches ends in one run, not one per batch.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@task()
def refresh_health() -> dict[str, Any]:
    """Recompute the metric grid incrementally, then score every account as of today."""
    from cairn.health.actions import recompute_scores
    from cairn.metrics.recompute import recompute
    from cairn.renewals.actions import open_renewals

    metrics = recompute()
    scores = recompute_scores(timezone.localdate())
    # Renewals come up with the calendar, not with events: the refresh is the daily moment.
    renewals = open_renewals(timezone.localdate())
    summary = {"metric_dates": len(metrics.dates), "scores": str(scores), "renewals_opened": renewals}
    logger.info("Health refreshed: %s", summary)
    return summary


def queue_refresh() -> bool:
    """Queue a refresh unless one is already waiting. Returns whether one was queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=refresh_health.module_path, status="READY"
    ).exists()
    if waiting:
        return False
    refresh_health.enqueue()
    return True
