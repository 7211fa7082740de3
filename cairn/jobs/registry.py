"""The periodic jobs Cairn knows, defined in code; each has a row in the database (Job) that
says when it is next due and how its last run went."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from cairn.jobs.schedules import Schedule


@dataclasses.dataclass(frozen=True)
class JobSpec:
    name: str
    label: str
    description: str
    run: Callable[[], dict[str, Any] | None]
    schedule: Schedule


_JOBS: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    if spec.name in _JOBS and _JOBS[spec.name] != spec:
        raise ValueError(f"Two jobs are named {spec.name!r}.")
    _JOBS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _JOBS.pop(name, None)


def get(name: str) -> JobSpec | None:
    return _JOBS.get(name)


def names() -> list[str]:
    return list(_JOBS)


def specs() -> list[JobSpec]:
    return list(_JOBS.values())
