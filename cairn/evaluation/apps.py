from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "cairn.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from cairn import pages
        from cairn.evaluation.queries import engagement_page

        pages.provide("engagement", engagement_page)
