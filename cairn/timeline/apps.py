from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "cairn.timeline"
    label = "timeline"
