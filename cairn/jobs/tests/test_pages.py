"""The jobs page: admins only; labels, schedule in words, formatted times and durations;
Run now queues a run for the worker; switching a job off and on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.jobs import runner
from cairn.jobs.models import Job, JobRun, Outcome

pytestmark = pytest.mark.django_db


def test_the_admin_sees_every_job_by_its_label_with_its_schedule_and_last_run(as_adam) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.get(name="health_refresh")
    started = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)
    Job.objects.filter(pk=job.pk).update(
        next_run_at=dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC), last_started_at=started,
        last_finished_at=started + dt.timedelta(minutes=3, seconds=5),
        last_duration=dt.timedelta(minutes=3, seconds=5), last_outcome=Outcome.FAILED,
        last_error="OSError: the analytics directory is full",
    )
    JobRun.objects.create(job=job, started_at=started, finished_at=started + dt.timedelta(seconds=2.5),
                          outcome=Outcome.FAILED, error="OSError: the analytics directory is full")
    page = as_adam.get(reverse("jobs")).content.decode()
    assert "Health refresh" in page and "Expired logins cleared" in page
    assert "health_refresh" not in page  # the label, not the internal name
    assert "Every day at 02:00 (UTC time)" in page
    assert "08 Dec 2026 02:00" in page and "06 Dec 2026 01:00" in page
    assert "3 min 05 s" in page and "2.5 s" in page
    assert "Failed" in page and "the analytics directory is full" in page
    assert "<td>Schedule</td>" in page  # who started the run: the schedule, not a person


def test_the_page_runs_the_same_queries_for_few_and_many_runs(as_adam) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.get(name="health_refresh")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_adam.get(reverse("jobs")).status_code == 200
        return len(ctx.captured_queries)

    JobRun.objects.create(job=job, started_at=timezone.now())
    few = count()
    JobRun.objects.bulk_create(JobRun(job=job, started_at=timezone.now()) for _ in range(20))
    assert count() == few


def test_leaders_csms_and_readers_are_refused(as_alice, as_carol, as_rita) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.get(name="health_refresh")
    for client in (as_alice, as_carol, as_rita):
        assert client.get(reverse("jobs")).status_code == 403
        assert client.post(reverse("job_run", args=[job.pk])).status_code == 403
    assert not Job.objects.filter(requested_by__isnull=False).exists()


def test_run_now_queues_the_job_for_the_worker_which_runs_it_as_the_admins(as_adam, adam) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.get(name="expired_sessions")
    response = as_adam.post(reverse("job_run", args=[job.pk]), follow=True)
    assert "Expired logins cleared will run at the worker" in response.content.decode()
    job.refresh_from_db()
    assert job.requested_by == adam and job.next_run_at <= timezone.now()
    assert "As soon as a worker polls" in as_adam.get(reverse("jobs")).content.decode()
    [run] = runner.run_due()
    assert run.triggered_by == adam and run.outcome == Outcome.OK


def test_switching_a_job_off_and_on_and_a_bad_choice_is_named(as_adam) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.get(name="expired_sessions")
    url = reverse("job_switch", args=[job.pk])
    page = as_adam.post(url, {"enabled": "off"}, follow=True).content.decode()
    assert "Expired logins cleared is off until switched on" in page and "Switched off" in page
    assert Job.objects.get(pk=job.pk).enabled is False
    page = as_adam.post(url, {"enabled": "maybe"}, follow=True).content.decode()
    assert "Enabled: choose on or off." in page
    as_adam.post(url, {"enabled": "on"})
    assert Job.objects.get(pk=job.pk).enabled is True


def test_an_unknown_job_is_not_found_and_a_get_is_not_allowed(as_adam) -> None:  # type: ignore[no-untyped-def]
    assert as_adam.post(reverse("job_run", args=[999_999])).status_code == 404
    assert as_adam.get(reverse("job_run", args=[Job.objects.first().pk])).status_code == 405  # type: ignore[union-attr]


def test_the_admin_menu_links_the_jobs_page_and_nobody_else_sees_it(as_adam, as_alice) -> None:  # type: ignore[no-untyped-def]
    link = f'href="{reverse("jobs")}"'
    assert link in as_adam.get(reverse("home")).content.decode()
    assert link not in as_alice.get(reverse("home")).content.decode()
