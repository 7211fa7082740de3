from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "cairn.proposals"
    label = "proposals"
