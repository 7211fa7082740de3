from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "cairn.home"
    label = "home"
    verbose_name = "Home"
