from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "cairn.renewals"
    label = "renewals"
    verbose_name = "Renewals"

    def ready(self) -> None:
        from cairn import pages
        from cairn.renewals.queries import account_page, my_work

        pages.provide("account", account_page)
        pages.provide("my_work", my_work)
