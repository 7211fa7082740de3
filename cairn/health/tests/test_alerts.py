"""Alerts: a task for the owner when an account turns red or falls sharply, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cairn.health.actions import recompute_scores
from cairn.health.models import HealthAlert
from cairn.health.tests.helpers import metric, scorecard, set_value
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)


def score_on(account, day_offset: int, seats: float) -> None:  # type: ignore[no-untyped-def]
    day = DAY + dt.timedelta(days=day_offset)
    set_value(account, metric(), seats, day)
    recompute_scores(day)


def test_turning_red_creates_one_task_for_the_owner_with_the_explanation(acme, carol):
    scorecard()
    score_on(acme, 0, 0.8)  # 100, green

    score_on(acme, 1, 0.35)  # 25, red: also a fall of 75 points

    task = Task.objects.get(account=acme)
    assert task.assignee == carol and "turned red" in task.title
    assert "Seat utilization: value 0.35, 25 points" in task.description
    assert "What pulled it down the most" in task.description
    assert task.description.endswith(f"Details: {reverse('account_health', args=[acme.pk])}")
    kinds = set(HealthAlert.objects.values_list("kind", flat=True))
    assert kinds == {"turned_red", "dropped"}
    assert set(HealthAlert.objects.values_list("task", flat=True)) == {task.pk}


def test_repeated_recomputes_never_raise_the_same_alert_twice(acme):
    scorecard()
    score_on(acme, 0, 0.8)
    score_on(acme, 1, 0.35)

    for _ in range(3):
        recompute_scores(DAY + dt.timedelta(days=1))
    score_on(acme, 2, 0.35)
    score_on(acme, 3, 0.3)

    assert Task.objects.filter(account=acme).count() == 1
    assert HealthAlert.objects.filter(account=acme).count() == 2


def test_clearing_and_returning_on_the_same_day_does_not_alert_again(acme):
    scorecard()
    score_on(acme, 0, 0.8)
    score_on(acme, 1, 0.35)

    score_on(acme, 1, 0.8)  # a correction: no longer red, the alerts resolve
    assert not HealthAlert.objects.filter(resolved_on__isnull=True).exists()
    score_on(acme, 1, 0.35)  # and back: the same score row raised them already

    assert Task.objects.filter(account=acme).count() == 1


def test_a_new_drop_after_recovery_alerts_again(acme):
    scorecard()
    score_on(acme, 0, 0.8)
    score_on(acme, 1, 0.35)
    score_on(acme, 2, 0.8)

    score_on(acme, 3, 0.35)

    assert Task.objects.filter(account=acme).count() == 2
    assert HealthAlert.objects.filter(resolved_on__isnull=False).count() == 2


def test_a_fall_bigger_than_the_threshold_within_the_period_alerts(acme):
    card = scorecard()
    card.alert_drop_points = 20
    card.red_below = 10
    card.save()
    score_on(acme, 0, 0.8)  # 100
    score_on(acme, 1, 0.74)  # 90: a fall of 10, no alert
    assert not Task.objects.exists()

    score_on(acme, 2, 0.68)  # 80: 20 below the start, which is not more than 20
    assert not Task.objects.exists()

    score_on(acme, 3, 0.62)  # 70: 30 below the start of the period
    task = Task.objects.get()
    assert "fell 30 points to 70" in task.title


def test_the_first_score_ever_does_not_count_as_turning_red(acme):
    scorecard()

    score_on(acme, 0, 0.3)

    assert not HealthAlert.objects.exists() and not Task.objects.exists()


def test_an_account_without_owner_gets_the_alert_but_no_task(acme):
    scorecard()
    acme.owner = None
    acme.save()
    score_on(acme, 0, 0.8)

    score_on(acme, 1, 0.3)

    assert HealthAlert.objects.filter(account=acme, task__isnull=True).count() == 2
    assert not Task.objects.exists()


def test_rerunning_the_first_day_does_not_count_as_turning_red(acme):
    scorecard()

    score_on(acme, 0, 0.3)
    score_on(acme, 0, 0.3)

    assert not HealthAlert.objects.exists() and not Task.objects.exists()


def test_an_alert_task_is_on_the_timeline_as_create_task_would_put_it(acme, carol):
    from cairn.timeline.models import Entry

    scorecard()
    score_on(acme, 0, 0.8)

    score_on(acme, 1, 0.35)

    task = Task.objects.get(account=acme)
    entry = Entry.objects.get(account=acme, kind="task")
    assert task.created_by is None and task.due_date == DAY + dt.timedelta(days=4)
    assert entry.title == f"Task for {carol}: {task.title}, due {task.due_date:%d %b %Y}"
    assert entry.link == task.get_absolute_url() and entry.author is None


def test_an_owner_who_cannot_be_given_work_gets_no_task_but_the_alert_is_kept(acme, rita):
    scorecard()
    acme.owner = rita
    acme.save()
    score_on(acme, 0, 0.8)

    score_on(acme, 1, 0.3)

    assert HealthAlert.objects.filter(account=acme, task__isnull=True).count() == 2
    assert not Task.objects.exists()


def _alerting_accounts(count: int, owner):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Account

    seats = metric()
    accounts = [Account.objects.create(name=f"Falling {i}", owner=owner) for i in range(count)]
    for account in accounts:
        set_value(account, seats, 0.8, DAY)
    recompute_scores(DAY)
    for account in accounts:
        set_value(account, seats, 0.3, DAY + dt.timedelta(days=1))
    return accounts


@pytest.mark.parametrize("count", [2, 20])
def test_raising_alerts_takes_the_same_queries_for_2_or_20_accounts(count, carol):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cairn.timeline.models import Entry

    scorecard()
    accounts = _alerting_accounts(count, carol)

    with CaptureQueriesContext(connection) as queries:
        result = recompute_scores(DAY + dt.timedelta(days=1))

    assert result.alerts_raised == 2 * count
    assert Task.objects.count() == count and Entry.objects.filter(kind="task").count() == count
    assert {t.account_id for t in Task.objects.all()} == {a.pk for a in accounts}
    # Statements, not round trips per row: the same count whatever the number of accounts.
    assert len(queries) == RAISING_QUERIES


# Reads of the book, two upserts, three bulk inserts (tasks, timeline, alerts), the lookups
# around them and the transaction: a constant, whatever the number of accounts.
RAISING_QUERIES = 24
