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
