from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "cairn.reviews"
    label = "reviews"
    verbose_name = "Business reviews"

    def ready(self) -> None:
        from cairn import pages
        from cairn.reviews import queries

        pages.provide("account", queries.account_page)
        pages.provide("my_work", queries.my_work)
        pages.provide("home", queries.home)
