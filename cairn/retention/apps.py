from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "cairn.retention"
    label = "retention"
    verbose_name = "Retention"
