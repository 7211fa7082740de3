from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "cairn.engagements"
    label = "engagements"
