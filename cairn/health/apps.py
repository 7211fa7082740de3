from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "cairn.health"
    label = "health"
