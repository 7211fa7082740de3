"""API schemas for engagements, their checklist, outcomes and phase moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import MaxLen
from ninja import Field, FilterSchema, Schema

from cairn.engagements.models import Engagement, EngagementActivity
from cairn.people.schemas import UserRef
from cairn.validation import NO_NUL, Day, Key, Name, Note

# Spelled out so type checkers and the OpenAPI document see them; a test keeps them equal
# to the models' choices.
StatusValue = Literal["active", "paused", "closed"]
ActivityStatusValue = Literal["open", "done", "skipped"]


class AccountRef(Schema):
    id: int
    name: str


class PhaseRef(Schema):
    id: int
    key: str
    name: str
    stage: str
    position: int


class EngagementOut(Schema):
    id: int
    account: AccountRef
    initiative: str
    challenge: str
    required_outcomes: str
    solution: str
    owner: UserRef
    team: list[UserRef]
    start_date: dt.date
    status: StatusValue
    current_phase: PhaseRef
    playbook_version_id: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_team(engagement: Engagement) -> list[object]:
        return list(engagement.team.all())


class EngagementPatch(Schema):
    initiative: Name | None = None
    challenge: Note | None = None
    required_outcomes: Note | None = None
    solution: Note | None = None
    owner: int | None = Field(None, description="User id of the CSM who leads it.")
    start_date: Day | None = None
    team: list[int] | None = Field(None, description="User ids of the team.")
    status: StatusValue | None = None
    status_reason: Note = Field("", description="Why the status changes, for the timeline.")


class EngagementIn(Schema):
    account: int
    initiative: Name
    start_date: Day
    owner: int | None = Field(None, description="User id of the lead CSM; you by default.")
    challenge: Note = ""
    required_outcomes: Note = ""
    solution: Note = ""
    team: list[int] = Field(default_factory=list, description="User ids of the team.")


class EngagementFilter(FilterSchema):
    account: int | None = Field(None, description="Account id.")
    owner: int | None = Field(None, description="User id of the lead CSM.")
    phase: Key | None = Field(None, description="Key of the current phase.")
    status: StatusValue | None = None


class MoveIn(Schema):
    to_phase: Key = Field(description="Key of the phase to move to, e.g. 'onboarding'.")
    reason: Note = ""
    override: bool = Field(False, description="Move on although required outputs are missing.")


class MoveOut(Schema):
    id: int
    from_phase: PhaseRef | None
    to_phase: PhaseRef
    moved_by: UserRef | None
    moved_at: dt.datetime
    reason: str
    overridden: bool
    missing_outputs: list[str]


class ActivityOut(Schema):
    id: int
    engagement_id: int
    phase: PhaseRef
    name: str
    description: str
    status: ActivityStatusValue
    skip_reason: str
    assignee: UserRef | None
    due_date: dt.date | None
    note: str
    completed_at: dt.datetime | None
    completed_by: UserRef | None

    @staticmethod
    def resolve_phase(item: EngagementActivity) -> object:
        return item.activity.phase

    @staticmethod
    def resolve_name(item: EngagementActivity) -> str:
        return item.activity.name

    @staticmethod
    def resolve_description(item: EngagementActivity) -> str:
        return item.activity.description


class ActivityPatch(Schema):
    status: ActivityStatusValue | None = None
    skip_reason: Note | None = Field(None, description="Needed when the status is 'skipped'.")
    assignee: int | None = Field(None, description="User id; null to unassign.")
    due_date: Day | None = None
    note: Note | None = None


class OutcomeOut(Schema):
    id: int
    engagement_id: int
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal
    current: Decimal | None
    due_date: dt.date | None
    progress_percent: int | None
    created_at: dt.datetime


class OutcomePatch(Schema):
    name: Name | None = None
    unit: Annotated[str, MaxLen(40), NO_NUL] | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    current: Decimal | None = None
    due_date: Day | None = None


class OutcomeIn(OutcomePatch):
    engagement: int
    name: Name  # type: ignore[assignment]
    target: Decimal  # type: ignore[assignment]


class OutcomeFilter(FilterSchema):
    engagement: int | None = Field(None, description="Engagement id.")
