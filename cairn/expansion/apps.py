from django.apps import AppConfig


class ExpansionConfig(AppConfig):
    name = "cairn.expansion"
    label = "expansion"
    verbose_name = "Expansion"

    def ready(self) -> None:
        from cairn import pages
        from cairn.expansion.queries import account_page

        pages.provide("account", account_page)
