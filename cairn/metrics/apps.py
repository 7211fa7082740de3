from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "cairn.metrics"
    label = "metrics"

    def ready(self) -> None:
        from cairn import pages
        from cairn.metrics.queries import account_page

        pages.provide("account", account_page)
