from django.apps import AppConfig


class TrustConfig(AppConfig):
    """Its own app (label `trust`) so its model and migrations stay apart from the health
    app's, which another team changes at the same time."""

    name = "cairn.health.trust"
    label = "trust"
    verbose_name = "Health: trust"
