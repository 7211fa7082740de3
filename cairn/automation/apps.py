from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "cairn.automation"
    label = "automation"
    verbose_name = "Automation rules"

    def ready(self) -> None:
        from cairn import pages
        from cairn.automation import jobs, queries
        from cairn.health.actions import scores_recomputed

        jobs.register_all()
        pages.provide("account", queries.account_page)
        # Fresh scores are news: rules about health act on them at once, not at the next run.
        scores_recomputed.connect(_after_scores, dispatch_uid="automation_after_scores")


def _after_scores(sender: Any, as_of: Any, **kwargs: Any) -> None:
    from cairn.automation.engine import evaluate_all

    evaluate_all(as_of)
