from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "cairn.people"
    label = "people"
    verbose_name = "People and permissions"
