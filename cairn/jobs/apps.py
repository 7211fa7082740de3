from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cairn.jobs"
    label = "jobs"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cairn.jobs import catalog, runner

        catalog.register_all()
        # A fresh database lists every job at once, before any worker has started.
        post_migrate.connect(runner.sync_after_migrate, sender=self)
