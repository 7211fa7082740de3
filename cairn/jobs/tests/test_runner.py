"""Running due jobs: once per due time, failures recorded without stopping the others, a run
asked for now picked up like any due time, and the jobs Cairn ships."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from cairn.jobs import actions, registry, runner
from cairn.jobs.models import ERROR_CHARS, Job, JobRun, Outcome

pytestmark = pytest.mark.django_db


def test_every_shipped_job_has_a_row_once_the_database_is_migrated() -> None:
    assert {"health_refresh", "expired_sessions"} <= set(registry.names())
    assert set(Job.objects.values_list("name", flat=True)) >= set(registry.names())
    assert runner.sync() == 0  # nothing left to add


def test_a_due_job_runs_once_and_waits_for_its_next_time(register) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    job = register("count", lambda: calls.append(1) or {"counted": len(calls)}, minutes=30)
    now = timezone.now()
    runs = runner.run_due(now)
    assert [run.job_id for run in runs] == [job.pk]
    assert runner.run_due(now) == []  # claimed: not due again at the same moment
    assert calls == [1]
    job.refresh_from_db()
    assert job.next_run_at == now + dt.timedelta(minutes=30)
    assert job.last_outcome == Outcome.OK and job.last_error == ""
    assert job.last_duration is not None and job.last_finished_at is not None
    run = JobRun.objects.get(job=job)
    assert run.outcome == Outcome.OK and run.summary == {"counted": 1} and run.triggered_by is None


def test_the_claim_is_won_by_one_of_two_claimers_who_read_the_same_due_time(register) -> None:  # type: ignore[no-untyped-def]
    job = register("claimed", lambda: None)
    spec = registry.get("claimed")
    assert spec is not None
    mine, theirs = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)
    now = timezone.now()
    assert runner.claim(mine, spec, now) is True
    assert runner.claim(theirs, spec, now) is False


def test_a_failing_job_records_its_error_and_the_next_job_still_runs(register) -> None:  # type: ignore[no-untyped-def]
    def broken() -> None:
        raise RuntimeError("the metric store is unreachable " + "x" * 10_000)

    earlier = timezone.now() - dt.timedelta(minutes=5)
    failing = register("broken", broken, due=earlier)
    fine = register("fine", lambda: {"ok": True})
    runs = runner.run_due()
    assert [run.job_id for run in runs] == [failing.pk, fine.pk]
    failed = JobRun.objects.get(job=failing)
    assert failed.outcome == Outcome.FAILED
    assert "RuntimeError: the metric store is unreachable" in failed.error
    assert len(failed.error) <= ERROR_CHARS
    failing.refresh_from_db()
    assert failing.last_outcome == Outcome.FAILED and failing.last_error == failed.error
    assert failing.next_run_at > timezone.now()  # tried again at its next time, not in a loop
    assert JobRun.objects.get(job=fine).outcome == Outcome.OK


def test_run_now_is_claimed_at_the_next_poll_and_names_who_asked(register, adam) -> None:  # type: ignore[no-untyped-def]
    job = register("asked", lambda: {"done": 1}, due=timezone.now() + dt.timedelta(hours=5))
    assert runner.run_due() == []
    actions.run_now(job, by=adam)
    [run] = runner.run_due()
    assert run.triggered_by == adam
    job.refresh_from_db()
    assert job.requested_by is None
    assert job.next_run_at > timezone.now() + dt.timedelta(minutes=59)


def test_a_switched_off_job_does_not_run_on_its_schedule_but_runs_when_asked(register, adam) -> None:  # type: ignore[no-untyped-def]
    job = register("paused", lambda: None, due=timezone.now() - dt.timedelta(days=3))
    actions.set_enabled(job, False)
    assert runner.run_due() == []
    actions.run_now(job, by=adam)
    assert len(runner.run_due()) == 1
    actions.set_enabled(job, True)
    job.refresh_from_db()
    assert job.enabled and job.next_run_at > timezone.now()  # no catching up on missed runs


def test_a_job_no_longer_registered_is_left_alone(register) -> None:  # type: ignore[no-untyped-def]
    Job.objects.create(name="retired", next_run_at=timezone.now() - dt.timedelta(days=1))
    assert runner.run_due() == []


def test_the_health_refresh_job_reuses_the_refresh_and_keeps_its_summary() -> None:
    job = Job.objects.get(name="health_refresh")
    Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    [run] = runner.run_due()
    assert run.outcome == Outcome.OK, run.error
    assert set(run.summary) == {"metric_dates", "scores", "renewals_opened"}


def test_the_expired_sessions_job_deletes_only_expired_sessions() -> None:
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + dt.timedelta(days=1))
    Job.objects.filter(name="expired_sessions").update(next_run_at=now - dt.timedelta(seconds=1))
    [run] = runner.run_due()
    assert run.summary == {"sessions_deleted": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


# The queue worker closes connections between polls: the test's must not be one in a
# transaction (PostgreSQL would lose it).
@pytest.mark.django_db(transaction=True)
def test_cairn_worker_runs_the_due_jobs_between_its_polls(register) -> None:  # type: ignore[no-untyped-def]
    job = register("from_the_worker", lambda: {"ran": True})
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=io.StringIO())
    assert JobRun.objects.get(job=job).summary == {"ran": True}


# The queue worker closes connections between polls: the test's must not be one in a
# transaction (PostgreSQL would lose it).
@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_job_that_fails(register) -> None:  # type: ignore[no-untyped-def]
    def broken() -> None:
        raise ValueError("bad row")

    failing = register("fails_in_worker", broken)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=io.StringIO())
    assert JobRun.objects.get(job=failing).outcome == Outcome.FAILED
