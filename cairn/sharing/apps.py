import datetime as dt

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cairn.sharing"
    label = "sharing"

    def ready(self) -> None:
        from cairn.jobs.registry import JobSpec, register
        from cairn.jobs.schedules import DailyAt
        from cairn.sharing.expiry import note_expired

        register(JobSpec(
            name="expired_links",
            label="Expired customer links",
            description="Notes each customer link that expired unanswered on its engagement's timeline, "
            "once, and tells whoever sent it.",
            run=note_expired,
            schedule=DailyAt(dt.time(6, 30)),
        ))
