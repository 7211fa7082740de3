"""The score history in the analytics store: whole dates, committed with the recompute's
transaction, one account's row changed without touching the others'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health import alerts, history
from cairn.health.actions import rate_account, recompute_scores
from cairn.health.models import AccountHealth, ScoreDate
from cairn.health.tests.helpers import metric, scorecard, set_value

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


def _files(settings, day: dt.date) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in (settings.ANALYTICS_DIR / "scores" / f"scored_on={day}").iterdir())


def test_a_recompute_that_fails_leaves_the_history_and_the_latest_as_they_were(
    acme, settings, monkeypatch, django_capture_on_commit_callbacks
):
    scorecard()
    seats = metric()
    set_value(acme, seats, 0.8, TODAY)
    recompute_scores(TODAY)
    committed = ScoreDate.objects.get(scored_on=TODAY).file

    write_file = history.write_file

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        write_file(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(history, "write_file", broken)
    set_value(acme, seats, 0.2, TODAY)
    with pytest.raises(RuntimeError):
        recompute_scores(TODAY)  # its new file is written before the failure

    assert ScoreDate.objects.get(scored_on=TODAY).file == committed
    assert history.stored(acme.pk, TODAY).score == 100
    assert AccountHealth.objects.get(account=acme).score == 100
    assert len(_files(settings, TODAY)) == 2  # the failed run's file, which nothing names

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_scores(TODAY)

    # The failed run's file went when this run started, the replaced one when it committed.
    assert history.stored(acme.pk, TODAY).score == 0
    assert _files(settings, TODAY) == [ScoreDate.objects.get(scored_on=TODAY).file.split("/")[-1]]


def test_a_new_date_that_fails_is_not_part_of_the_history(acme, monkeypatch):
    scorecard()
    set_value(acme, metric(), 0.8, TODAY)
    monkeypatch.setattr(alerts, "evaluate", lambda *a, **k: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        recompute_scores(TODAY)

    assert history.dates() == [] and history.stored(acme.pk, TODAY) is None
    assert history.account_history(acme.pk) == []


def test_rating_one_account_rescores_it_and_keeps_the_other_accounts_of_the_day(acme, carol):
    scorecard()
    seats = metric()
    today = timezone.localdate()
    other = Account.objects.create(name="Other Co", segment="smb", owner=carol)
    set_value(acme, seats, 0.2, today)
    set_value(other, seats, 0.8, today)
    recompute_scores(today)
    assert history.stored(acme.pk).score == 0

    rate_account(acme, indicator="sponsorship", rating="5", comment="Champion is back",
                 expires_on=today + dt.timedelta(days=30), by=carol)

    assert history.stored(acme.pk).score == 40  # seats 0 points at 60 %, the rating 100 at 40 %
    assert history.stored(other.pk).score == 100
    assert ScoreDate.objects.get(scored_on=today).accounts == 2
    assert [day for day, _, _ in history.account_history(other.pk)] == [today]


def test_one_accounts_history_is_read_from_every_date_oldest_first(acme):
    scorecard()
    seats = metric()
    for days_ago, value in [(14, 0.8), (7, 0.5), (0, 0.2)]:
        set_value(acme, seats, value, TODAY - dt.timedelta(days=days_ago))
        recompute_scores(TODAY - dt.timedelta(days=days_ago))

    assert history.account_history(acme.pk) == [
        (TODAY - dt.timedelta(days=14), 100.0, "green"),
        (TODAY - dt.timedelta(days=7), 50.0, "amber"),
        (TODAY, 0.0, "red"),
    ]
    assert history.account_history(acme.pk, since=TODAY - dt.timedelta(days=7))[0][0] == (
        TODAY - dt.timedelta(days=7)
    )


def test_a_page_reading_while_a_rerun_replaces_the_days_file_reads_the_new_one(
    acme, monkeypatch, django_capture_on_commit_callbacks
):
    scorecard()
    seats = metric()
    set_value(acme, seats, 0.8, TODAY)
    recompute_scores(TODAY)
    listed_before = history.dates()  # what a page listed just before the rerun committed
    set_value(acme, seats, 0.2, TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_scores(TODAY)  # removes the file the page listed
    calls = iter([listed_before])
    real = history.dates
    monkeypatch.setattr(history, "dates", lambda since=None, until=None: next(calls, None) or real(since, until))

    assert history.account_history(acme.pk) == [(TODAY, 0.0, "red")]
