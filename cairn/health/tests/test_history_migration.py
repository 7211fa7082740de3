"""Moving the score history out of the database: every row of an existing installation
reaches the analytics store, alerts keep their date and score, and going back restores it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cairn.health import history

BEFORE = ("health", "0003_healthscore_fewer_indexes")
AFTER = ("health", "0004_score_history_in_analytics_store")
DAY = dt.date(2026, 3, 30)


def _migrate(target: tuple[str, str]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_the_history_moves_to_files_with_its_explanations_and_comes_back() -> None:
    old = _migrate(BEFORE)
    try:
        account = old.get_model("customers", "Account").objects.create(name="Acme", segment="smb")
        other = old.get_model("customers", "Account").objects.create(name="Bolt", segment="smb")
        HealthScore = old.get_model("health", "HealthScore")
        rows = {
            (account.pk, DAY): (80.0, "green", {"values": [0.8], "points": [80.0], "pulled_down": []}),
            (other.pk, DAY): (None, "", {"values": [None], "points": [None], "pulled_down": []}),
            (account.pk, DAY + dt.timedelta(days=1)): (
                30.0, "red", {"values": [0.3], "points": [30.0], "pulled_down": ["seats"]}
            ),
        }
        for (account_id, day), (score, light, explanation) in rows.items():
            HealthScore.objects.create(
                account_id=account_id, scored_on=day, score=score, light=light,
                explanation=explanation, computed_at=timezone.now(),
            )
        fell = HealthScore.objects.get(account_id=account.pk, scored_on=DAY + dt.timedelta(days=1))
        old.get_model("health", "HealthAlert").objects.create(
            account_id=account.pk, kind="turned_red", score=fell, raised_on=fell.scored_on,
        )

        new = _migrate(AFTER)

        assert [d.accounts for d in history.dates()] == [2, 1]
        for (account_id, day), (score, light, explanation) in rows.items():
            kept = history.stored(account_id, day)
            assert kept is not None
            assert (kept.score, kept.light, kept.explanation) == (score, light, explanation)
        alert = new.get_model("health", "HealthAlert").objects.get()
        assert (alert.scored_on, alert.score) == (DAY + dt.timedelta(days=1), 30.0)

        old = _migrate(BEFORE)

        back = old.get_model("health", "HealthScore").objects.all()
        assert {(r.account_id, r.scored_on): (r.score, r.light, r.explanation) for r in back} == rows
        assert old.get_model("health", "HealthAlert").objects.get().score.score == 30.0
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
