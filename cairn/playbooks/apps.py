from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_default_playbook(sender: AppConfig, **kwargs: Any) -> None:
    # Installing after every migrate (not in a data migration) keeps one code path for the
    # data file, and a new version of the file reaches existing installations on upgrade.
    from cairn.playbooks.actions import install_default_playbook

    install_default_playbook()


class PlaybooksConfig(AppConfig):
    name = "cairn.playbooks"
    label = "playbooks"

    def ready(self) -> None:
        post_migrate.connect(_install_default_playbook, sender=self)
