from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cairn.sharing"
    label = "sharing"
