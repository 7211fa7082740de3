"""The daily digest: each person's overdue tasks and those due today, open alerts, renewals
and reviews coming up, and the notifications kept for it; once a day at most, each
notification in one digest only, the same queries for one person and twenty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.models import AlertKind, HealthAlert
from cairn.jobs import registry
from cairn.jobs.schedules import DailyAt
from cairn.notifications import actions
from cairn.notifications.kinds import Delivery, Kind
from cairn.notifications.models import Digest, EmailState, Notification
from cairn.notifications.tests.conftest import html_of, only_email
from cairn.renewals.models import Renewal
from cairn.reviews.models import Program
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 17, 7, 0))
TODAY = NOW.date()


def _day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def _work(user: Any, account: Account, *, tasks: int = 2) -> None:
    """Overdue and due-today tasks, an open alert, a renewal and a review coming up, and what
    the digest must leave out: a done task, one due later, a resolved alert, a renewal and a
    review too far off."""
    for n in range(tasks):
        Task.objects.create(title=f"Overdue {n}", assignee=user, account=account, due_date=_day(-3))
    Task.objects.create(title="Call Maria today", assignee=user, account=account, due_date=TODAY)
    Task.objects.create(title="Done already", assignee=user, account=account, due_date=_day(-1), status="done")
    Task.objects.create(title="Next week", assignee=user, account=account, due_date=_day(7))
    HealthAlert.objects.create(account=account, kind=AlertKind.TURNED_RED, scored_on=_day(-2), score=38.4,
                               raised_on=_day(-2))
    HealthAlert.objects.create(account=account, kind=AlertKind.DROPPED, scored_on=_day(-40), raised_on=_day(-40),
                               resolved_on=_day(-30))
    Renewal.objects.create(account=account, renewal_date=_day(20), owner=user, arr=Decimal("120000"))
    Renewal.objects.create(account=account, renewal_date=_day(90), owner=user, arr=Decimal("5000"))
    Program.objects.create(account=account, kind="qbr", purpose="Quarterly", next_date=_day(10))
    Program.objects.create(account=account, kind="ebr", purpose="Yearly", next_date=_day(60))


def _kept(user: Any, title: str = "Alice gave you a task: Book the workshop") -> Notification:
    [note] = actions.notify([user], Kind.TASK_ASSIGNED, title=title, link="/my-work/")
    assert note.email_state == EmailState.PENDING
    return note


def test_the_digest_lists_the_persons_work_and_kept_notifications(
    carol, acme, sent, django_capture_on_commit_callbacks
):
    _work(carol, acme)
    note = _kept(carol)
    with django_capture_on_commit_callbacks(execute=True):
        summary = actions.send_digests(NOW)
    assert summary == {"digests": 1, "notifications": 1}
    message = only_email(sent)
    assert message.to == ["carol@cairn.test"]
    assert message.subject == "Your work for Tue 17 Mar 2026: 7 items"
    text = message.body
    for expected in ("Overdue tasks", "Overdue 0 (Acme Manufacturing), due 14 Mar 2026, 3 days late",
                     "Due today", "Call Maria today", "Open health alerts", "Acme Manufacturing: Turned red",
                     "Renewals within 30 days", "in 20 days), 120,000, Not started",
                     "Business reviews within 14 days", "Quarterly business review on 27 Mar 2026",
                     "Notifications", "Alice gave you a task: Book the workshop"):
        assert expected in text, expected
    for left_out in ("Done already", "Next week", "Dropped sharply", "5,000", "Executive business review"):
        assert left_out not in text, left_out
    assert "http://127.0.0.1:8000/my-work/" in text
    html = html_of(message)
    assert "<h3>Overdue tasks</h3>" in html and "(score 38)" in html
    assert message.extra_headers["List-Unsubscribe"].strip("<>") in text
    note.refresh_from_db()
    digest = Digest.objects.get(user=carol)
    assert note.email_state == EmailState.SENT and note.digest == digest and note.emailed_at == NOW
    assert (digest.day, digest.email_state) == (TODAY, EmailState.SENT)


def test_a_person_gets_one_digest_a_day_however_often_it_runs(
    carol, acme, sent, django_capture_on_commit_callbacks
):
    _work(carol, acme)
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_digests(NOW)
        later = _kept(carol, "Given after the morning's digest")
        assert actions.send_digests(NOW + dt.timedelta(hours=5)) == {"digests": 0, "notifications": 0}
    assert len(sent) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_digests(NOW + dt.timedelta(days=1))["digests"] == 1
    assert len(sent) == 2 and "Given after the morning's digest" in sent[1].body
    later.refresh_from_db()
    assert later.digest is not None and later.digest.day == TODAY + dt.timedelta(days=1)


def test_a_notification_goes_in_one_digest_only(carol, sent, django_capture_on_commit_callbacks):
    _kept(carol, "Only once")
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_digests(NOW)
        actions.send_digests(NOW + dt.timedelta(days=1))  # nothing left to report
    assert len(sent) == 1 and Digest.objects.count() == 1


def test_no_digest_for_someone_who_switched_it_off_has_nothing_or_no_address(
    carol, dave, alice, rita, acme, sent, django_capture_on_commit_callbacks
):
    _work(carol, acme)
    actions.set_preferences(carol, {Kind.DIGEST: Delivery.OFF})
    beta = Account.objects.create(name="Beta Logistics", owner=alice)
    _work(alice, beta)
    alice.email = ""
    alice.save()
    _kept(rita)
    rita.is_active = False
    rita.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_digests(NOW) == {"digests": 0, "notifications": 0}  # dave has nothing
    assert sent == []


def test_switching_the_digest_off_lets_go_of_what_it_kept(carol, sent):
    note = _kept(carol)
    actions.set_preferences(carol, {Kind.DIGEST: Delivery.OFF})
    note.refresh_from_db()
    assert note.email_state == EmailState.SKIPPED


def test_the_digests_of_twenty_people_take_the_queries_of_one(
    django_user_model, sent, django_capture_on_commit_callbacks
):
    def people(prefix: str, n: int) -> None:
        for i in range(n):
            user = django_user_model.objects.create_user(username=f"{prefix}{i}", email=f"{prefix}{i}@cairn.test",
                                                         first_name=prefix, last_name=str(i))
            _work(user, Account.objects.create(name=f"{prefix} account {i}", owner=user))
            _kept(user)

    def count(moment: dt.datetime) -> int:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            actions.send_digests(moment)
        return len(queries)

    people("one", 1)
    one = count(NOW)
    people("many", 20)
    many = count(NOW + dt.timedelta(days=1))
    assert one == many, (one, many)
    assert len(sent) == 1 + 21


def test_a_failed_digest_is_recorded_and_not_sent_again_that_day(
    carol, settings, django_capture_on_commit_callbacks, caplog
):
    note = _kept(carol)
    settings.EMAIL_BACKEND = "cairn.notifications.tests.test_notify.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_digests(NOW)
    note.refresh_from_db()
    assert Digest.objects.get(user=carol).email_state == EmailState.FAILED
    assert note.email_state == EmailState.FAILED


def test_the_digests_run_every_morning_at_seven_as_a_scheduled_job():
    spec = registry.get("digests")
    assert spec is not None and spec.label == "Daily digests"
    assert spec.schedule == DailyAt(dt.time(7, 0))
    assert spec.run() == {"digests": 0, "notifications": 0}
