from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "cairn.customers"
    label = "customers"
