from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "cairn.customers"
    label = "customers"

    def ready(self) -> None:
        from cairn.fields import bound_models

        # Once every model is loaded: the text and date bounds of all of Cairn's fields.
        bound_models()
