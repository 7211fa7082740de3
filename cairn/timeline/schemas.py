"""API schemas for tasks."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, FilterSchema, Schema

from cairn.people.schemas import UserRef
from cairn.timeline.models import Task
from cairn.validation import Day, Name, Note

# Spelled out so type checkers see it; a test keeps it equal to the model's choices.
TaskStatusValue = Literal["open", "done"]


class TaskOut(Schema):
    id: int
    title: str
    description: str
    assignee: UserRef
    due_date: dt.date | None
    account_id: int
    engagement_id: int | None
    activity_id: int | None
    status: TaskStatusValue
    overdue: bool
    created_by: UserRef | None
    created_at: dt.datetime
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_overdue(task: Task) -> bool:
        return task.is_overdue


class TaskIn(Schema):
    title: Name
    assignee: int = Field(description="User id of the person who does it.")
    account: int | None = Field(
        None, description="Account id; taken from the engagement when one is given."
    )
    engagement: int | None = None
    activity: int | None = Field(None, description="Checklist item id of the engagement.")
    due_date: Day | None = None
    description: Note = ""


class TaskPatch(Schema):
    title: Name | None = None
    assignee: int | None = Field(None, description="User id of the person who does it.")
    due_date: Day | None = None
    description: Note | None = None


class TaskFilter(FilterSchema):
    assignee: int | None = Field(None, description="User id.")
    status: TaskStatusValue | None = None
    overdue: bool | None = Field(None, description="Open tasks past their due date (or not).")
    account: int | None = Field(None, description="Account id.")
    engagement: int | None = Field(None, description="Engagement id.")
