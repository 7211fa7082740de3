from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from cairn.jobs import registry
from cairn.jobs.models import Job
from cairn.jobs.registry import JobSpec
from cairn.jobs.schedules import Every

Register = Callable[..., Job]


@pytest.fixture
def register() -> Iterator[Register]:
    """Register a job for one test, with its row due a minute ago (or at `due`)."""
    names: list[str] = []

    def make(
        name: str, run: Callable[[], dict[str, Any] | None], *, label: str = "", minutes: int = 60,
        due: dt.datetime | None = None,
    ) -> Job:
        registry.register(JobSpec(name, label or name.replace("_", " ").capitalize(), "A test job.", run,
                                  Every(minutes)))
        names.append(name)
        return Job.objects.create(name=name, next_run_at=due or timezone.now() - dt.timedelta(minutes=1))

    yield make
    for name in names:
        registry.unregister(name)


@pytest.fixture(autouse=True)
def _shipped_jobs_not_due(request: pytest.FixtureRequest) -> None:
    """Cairn's own jobs (the webhook deliveries run every minute) stay out of the way of the
    test's: they are made due only by the tests that want them."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    Job.objects.filter(name__in=registry.names()).update(
        next_run_at=timezone.now() + dt.timedelta(days=3650)
    )


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))
