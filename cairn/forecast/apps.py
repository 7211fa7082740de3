from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "cairn.forecast"
    label = "forecast"
    verbose_name = "Churn forecast"

    def ready(self) -> None:
        from cairn import pages
        from cairn.forecast import jobs, queries
        from cairn.health.actions import scores_recomputed

        jobs.register_all()
        pages.provide("account", queries.account_page)
        # Fresh metrics and scores: the forecast follows them with the current model.
        scores_recomputed.connect(_after_scores, dispatch_uid="forecast_after_scores")


def _after_scores(sender: Any, as_of: Any, **kwargs: Any) -> None:
    from cairn.forecast.actions import score_latest

    score_latest()
