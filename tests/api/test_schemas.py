"""The API's spelled-out choices stay the models' choices."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from cairn.customers.models import Segment, SubscriptionStatus
from cairn.customers.schemas import SegmentValue, SubscriptionStatusValue
from cairn.engagements.models import ActivityStatus, Status
from cairn.engagements.schemas import ActivityStatusValue, StatusValue
from cairn.timeline.models import TaskStatus
from cairn.timeline.schemas import TaskStatusValue


@pytest.mark.parametrize(
    ("literal", "values"),
    [
        (SegmentValue, [*Segment.values, ""]),
        (SubscriptionStatusValue, SubscriptionStatus.values),
        (StatusValue, Status.values),
        (ActivityStatusValue, ActivityStatus.values),
        (TaskStatusValue, TaskStatus.values),
    ],
)
def test_the_api_accepts_exactly_the_models_choices(literal: Any, values: list[str]) -> None:
    assert sorted(get_args(literal)) == sorted(values)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    """The OpenAPI document names each schema by its class name: two classes of one name in
    different apps would silently replace each other in it (and in every client built from
    it)."""
    from ninja import Schema

    from cairn.api import api

    api.get_openapi_schema()  # imports every router and its schemas
    by_name: dict[str, list[str]] = {}
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("cairn."):
            by_name.setdefault(schema.__name__, []).append(schema.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}
