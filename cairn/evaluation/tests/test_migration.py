"""Rounds recorded before the two questions had a structure keep their text: the customer's
value, our company's value and the lessons move into structure, and back when reversed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("engagements", "0003_bounded_text"), ("evaluation", "0001_initial")]
AFTER = [("engagements", "0004_evaluation_structured"), ("evaluation", "0002_structure_old_rounds")]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_round_text_moves_into_structure_and_back(engagement, carol) -> None:
    try:
        old = _migrate(BEFORE)
        Evaluation = old.get_model("engagements", "Evaluation")
        now = timezone.now()
        full = Evaluation.objects.create(
            engagement_id=engagement.pk, opened_at=now, closed_at=now, opened_by_id=carol.pk,
            customer_value="12 % less energy\nmeasured on the meters", company_value="Renewal signed",
            lessons="Baseline earlier\nThe meters were late.",
        )
        Evaluation.objects.create(engagement_id=engagement.pk, opened_at=now, opened_by_id=carol.pk)

        new = _migrate(AFTER)

        value = new.get_model("evaluation", "CustomerValue").objects.get()
        assert (value.round_id, value.what) == (full.pk, "12 % less energy")
        assert value.measured_how.endswith("measured on the meters") and value.known_to_customer is None
        company = new.get_model("evaluation", "CompanyValue").objects.get()
        assert (company.kind, company.description) == ("other", "Renewal signed")
        lesson = new.get_model("evaluation", "Lesson").objects.get()
        assert (lesson.title, lesson.round_id, lesson.engagement_id, lesson.author_id) == (
            "Baseline earlier", full.pk, engagement.pk, carol.pk
        )

        old = _migrate(BEFORE)
        back = old.get_model("engagements", "Evaluation").objects.get(pk=full.pk)
        assert back.company_value == "Renewal signed"
        assert back.lessons == "Baseline earlier\nThe meters were late."
        assert back.customer_value == "12 % less energy\nmeasured on the meters"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
