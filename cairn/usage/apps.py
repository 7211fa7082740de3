from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "cairn.usage"
    label = "usage"
