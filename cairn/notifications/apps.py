import datetime as dt
from typing import Any

from django.apps import AppConfig


def run_digests() -> dict[str, Any]:
    from cairn.notifications.actions import send_digests

    return dict(send_digests())


class NotificationsConfig(AppConfig):
    name = "cairn.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from cairn.health.alerts import alerts_raised
        from cairn.jobs.registry import JobSpec, register
        from cairn.jobs.schedules import DailyAt
        from cairn.notifications import receivers
        from cairn.timeline.actions import task_assigned

        alerts_raised.connect(receivers.alerts_raised, dispatch_uid="notifications_health_alerts")
        task_assigned.connect(receivers.task_assigned, dispatch_uid="notifications_task_assigned")

        register(JobSpec(
            name="digests",
            label="Daily digests",
            description="E-mails each person who has not switched it off the day's digest of their "
            "work: overdue tasks and those due today, open health alerts, renewals within 30 days, "
            "business reviews within 14 days and the notifications they keep for it. Once a day "
            "at most, however often it runs.",
            run=run_digests,
            schedule=DailyAt(dt.time(7, 0)),
        ))
