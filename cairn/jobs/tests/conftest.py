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
