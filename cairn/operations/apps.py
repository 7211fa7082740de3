from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Operator commands (demo, serve) and the demo data set; no models of its own."""

    name = "cairn.operations"
    label = "operations"
    verbose_name = "Operations"
