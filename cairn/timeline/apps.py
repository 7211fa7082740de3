from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "cairn.timeline"
    label = "timeline"

    def ready(self) -> None:
        from cairn import pages
        from cairn.timeline.queries import account_timeline

        pages.provide("account", account_timeline)
