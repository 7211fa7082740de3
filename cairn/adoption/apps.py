from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "cairn.adoption"
    label = "adoption"
