from django.apps import AppConfig


class CommitmentConfig(AppConfig):
    name = "cairn.commitment"
    label = "commitment"
