"""The jobs in the API, for admins only: every registered job with its schedule and last run,
one with its runs, run now, switched off and on; bad input and others are refused."""

from __future__ import annotations

import pytest

from cairn.jobs import runner
from cairn.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_the_admin_lists_every_job_with_its_schedule(as_adam) -> None:  # type: ignore[no-untyped-def]
    runner.sync()

    found = {job["name"]: job for job in as_adam.get("/api/v1/jobs").json()}

    assert {"health_refresh", "rules", "digests", "webhook_deliveries"} <= set(found)
    assert found["health_refresh"]["schedule"].startswith("Every day at 02:00")
    assert found["health_refresh"]["enabled"] is True


def test_a_job_shows_its_latest_runs(as_adam, register) -> None:  # type: ignore[no-untyped-def]
    job = register("api_ok", lambda: {"done": 3})
    runner.run_due()

    body = as_adam.get(f"/api/v1/jobs/{job.pk}").json()

    assert body["last_outcome"] == "ok"
    assert [(run["outcome"], run["summary"]) for run in body["runs"]] == [("ok", {"done": 3})]


def test_run_now_queues_it_and_switch_turns_it_off(as_adam, adam, register) -> None:  # type: ignore[no-untyped-def]
    job = register("api_switch", lambda: None)

    queued = as_adam.post(f"/api/v1/jobs/{job.pk}/run")
    off = as_adam.post(f"/api/v1/jobs/{job.pk}/switch", {"enabled": False}, content_type="application/json")

    assert queued.status_code == 202 and queued.json()["job"]["run_requested"] is True
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert Job.objects.get(pk=job.pk).requested_by == adam


def test_a_bad_switch_names_the_field(as_adam, register) -> None:  # type: ignore[no-untyped-def]
    job = register("api_bad", lambda: None)

    response = as_adam.post(f"/api/v1/jobs/{job.pk}/switch", {"enabled": "sometimes"},
                            content_type="application/json")

    assert response.status_code == 400
    assert any(error["field"] == "enabled" for error in response.json()["errors"])


def test_leaders_and_csms_are_refused_and_an_unknown_job_is_not_found(as_alice, as_carol, as_adam) -> None:  # type: ignore[no-untyped-def]
    assert as_alice.get("/api/v1/jobs").status_code == 403
    assert as_carol.post("/api/v1/jobs/1/run").status_code == 403
    assert as_adam.get("/api/v1/jobs/999999").status_code == 404
