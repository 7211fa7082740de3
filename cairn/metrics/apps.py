from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "cairn.metrics"
    label = "metrics"
