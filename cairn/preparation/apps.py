from django.apps import AppConfig


class PreparationConfig(AppConfig):
    name = "cairn.preparation"
    label = "preparation"
