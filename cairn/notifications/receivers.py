"""Notifications other apps' events make without calling `notify` themselves: a health alert
tells the account's owner (cairn.health.alerts sends `alerts_raised` once alerts commit), a
task someone gives another person tells the assignee (cairn.timeline.actions sends
`task_assigned` once the task commits)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.health.models import AlertKind, HealthAlert
from cairn.notifications import actions
from cairn.notifications.kinds import Kind

logger = logging.getLogger(__name__)


def alerts_raised(sender: Any, ids: Sequence[int], **kwargs: Any) -> None:
    """Tell each owner of the alerts raised today on their accounts. An alert of an earlier
    scoring date is history being filled in (a backfill), not news."""
    found = HealthAlert.objects.filter(
        pk__in=list(ids), raised_on=timezone.localdate(), account__owner__isnull=False
    ).select_related("account__owner")
    for alert in found.order_by("pk"):
        account = alert.account
        what = AlertKind(alert.kind).label.lower() if alert.kind in AlertKind.values else alert.kind
        score = f"The health score is {alert.score:.0f}." if alert.score is not None else ""
        try:
            with transaction.atomic():
                actions.notify(
                    [account.owner], Kind.HEALTH_ALERT, title=f"{account.name} {what}", body=score,  # type: ignore[list-item]
                    link=account.get_absolute_url(), account=account,
                )
        except Exception:
            # The alert is committed; telling its owner must not undo or stop the refresh.
            logger.exception("The owner of health alert %s could not be notified.", alert.pk)


def task_assigned(sender: Any, task: Any, by: Any, **kwargs: Any) -> None:
    due = f" Due {task.due_date:%d %b %Y}." if task.due_date else ""
    try:
        with transaction.atomic():
            actions.notify(
                [task.assignee], Kind.TASK_ASSIGNED, title=f"{by} gave you a task: {task.title}"[:300],
                body=f"On {task.account.name}.{due}", link=task.get_absolute_url(), account=task.account,
            )
    except Exception:
        # The task is committed; telling its assignee must not undo the request.
        logger.exception("The assignee of task %s could not be notified.", task.pk)
