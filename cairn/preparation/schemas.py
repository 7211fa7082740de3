"""API schemas of the preparation tools.

Choice fields are plain strings here; the models' own validation refuses an unknown value
and names the field, exactly as the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.people.schemas import UserRef
from cairn.validation import NO_NUL, Day, Key, Name, Note, Title


class FactIn(Schema):
    area: Key = Field(description="initiative, solution, business, stakeholders or engagement")
    statement: Note
    source: Key = Field(description="company, customer or external")
    source_detail: Name = ""
    confidence: Key = Field("assumed", description="assumed or validated")


class FactPatch(Schema):
    area: Key | None = None
    statement: Note | None = None
    source: Key | None = None
    source_detail: Name | None = None
    confidence: Key | None = None


class FactOut(Schema):
    id: int
    engagement_id: int
    area: str
    statement: str
    source: str
    source_detail: str
    confidence: str
    created_at: dt.datetime
    updated_at: dt.datetime


class QuestionIn(Schema):
    text: Note
    fact: int | None = Field(None, description="Id of the assumed fact it validates.")


class QuestionPatch(Schema):
    text: Note | None = None


class AnswerIn(Schema):
    answer: Note
    answered_on: Day
    answered_by: int | None = Field(None, description="Id of the customer's contact.")
    answered_by_name: Annotated[str, MaxLen(150), NO_NUL] = Field(
        "", description="Who answered, when not a contact."
    )
    validate_fact: bool = Field(False, description="Mark the fact it is about as validated.")


class QuestionOut(Schema):
    id: int
    engagement_id: int
    fact_id: int | None
    text: str
    status: str
    answer: str
    answered_by_id: int | None
    answered_by_name: str
    answered_on: dt.date | None
    created_at: dt.datetime


class AttendeeIn(Schema):
    user: int
    role: Key = Field(description="csm, sales, account_manager, solution_engineer or services")


class AttendeeOut(Schema):
    user: UserRef
    role: str


class HandoverMeetingIn(Schema):
    date: Day
    agenda: Note = ""
    notes: Note = ""
    attendees: list[AttendeeIn] = []


class MeetingPatch(Schema):
    date: Day | None = None
    agenda: Note | None = None
    notes: Note | None = None
    attendees: list[AttendeeIn] | None = None


class HandoverMeetingOut(Schema):
    id: int
    engagement_id: int
    date: dt.date
    agenda: str
    notes: str
    attendees: list[AttendeeOut]
    follow_up_task_ids: list[int]

    @staticmethod
    def resolve_attendees(meeting: Any) -> list[Any]:
        return list(meeting.attendees.all())

    @staticmethod
    def resolve_follow_up_task_ids(meeting: Any) -> list[int]:
        return [f.task_id for f in meeting.follow_ups.all()]


class FollowUpIn(Schema):
    title: Name
    assignee: int
    due_date: Day | None = None


class FollowUpOut(Schema):
    task_id: int
    title: str


class ContactPlaceOut(Schema):
    id: int
    name: str
    title: str
    department: str
    reports_to_id: int | None

    @staticmethod
    def resolve_name(contact: Any) -> str:
        return str(contact.full_name)


class PlacementIn(Schema):
    reports_to: int | None = None
    department: Note | None = None


class FunctionIn(Schema):
    kind: Key = Field(description="primary or support")
    name: Annotated[str, MaxLen(150), NO_NUL]
    description: Note = ""
    position: int = Field(0, description="Place in its row; 0 puts it last.")
    impact: Key = Field("none", description="direct, indirect or none")
    impact_note: Title = ""


class FunctionPatch(Schema):
    kind: Key | None = None
    name: Annotated[str, MaxLen(150), NO_NUL] | None = None
    description: Note | None = None
    position: int | None = None
    impact: Key | None = None
    impact_note: Title | None = None


class FunctionOut(Schema):
    id: int
    engagement_id: int
    kind: str
    name: str
    description: str
    position: int
    impact: str
    impact_note: str


class CapabilityIn(Schema):
    level: Key = Field(description="high, mid or low")
    name: Annotated[str, MaxLen(150), NO_NUL]
    parent: int | None = None
    description: Note = ""
    people: Note = ""
    process: Note = ""
    tools: Note = ""
    inputs: Note = ""
    outputs: Note = ""
    changed: bool = False
    change: Note = ""
    inefficient: bool = False
    slow: bool = False
    low_quality: bool = False
    frustrating: bool = False
    insecure: bool = False
    costly: bool = False


class CapabilityPatch(Schema):
    level: Key | None = None
    name: Annotated[str, MaxLen(150), NO_NUL] | None = None
    parent: int | None = None
    description: Note | None = None
    people: Note | None = None
    process: Note | None = None
    tools: Note | None = None
    inputs: Note | None = None
    outputs: Note | None = None
    changed: bool | None = None
    change: Note | None = None
    inefficient: bool | None = None
    slow: bool | None = None
    low_quality: bool | None = None
    frustrating: bool | None = None
    insecure: bool | None = None
    costly: bool | None = None


class CapabilityOut(Schema):
    id: int
    engagement_id: int
    parent_id: int | None
    level: str
    name: str
    description: str
    people: str
    process: str
    tools: str
    inputs: str
    outputs: str
    changed: bool
    change: str
    inefficient: bool
    slow: bool
    low_quality: bool
    frustrating: bool
    insecure: bool
    costly: bool


class AnalysisIn(Schema):
    industry: Annotated[str, MaxLen(100), NO_NUL]
    region: Annotated[str, MaxLen(100), NO_NUL]
    summary: Note = ""


class AnalysisPatch(Schema):
    industry: Annotated[str, MaxLen(100), NO_NUL] | None = None
    region: Annotated[str, MaxLen(100), NO_NUL] | None = None
    summary: Note | None = None


class AnalysisOut(Schema):
    id: int
    industry: str
    region: str
    summary: str
    updated_at: dt.datetime


class DriverIn(Schema):
    category: Key = Field(
        description="political, economic, social, technological, legal or environmental"
    )
    title: Name
    description: Note = ""
    driver_type: Key = Field(description="positive (an opportunity) or negative (a threat)")
    impact: Key = Field("medium", description="low, medium or high")


class DriverPatch(Schema):
    category: Key | None = None
    title: Name | None = None
    description: Note | None = None
    driver_type: Key | None = None
    impact: Key | None = None


class DriverOut(Schema):
    id: int
    analysis_id: int | None
    account_id: int | None
    replaces_id: int | None
    hidden: bool
    category: str
    title: str
    description: str
    driver_type: str
    impact: str


class OverrideIn(Schema):
    hidden: bool = Field(False, description="True leaves the shared driver out for this account.")
    category: Key | None = None
    title: Name | None = None
    description: Note | None = None
    driver_type: Key | None = None
    impact: Key | None = None


class EffectiveDriverOut(Schema):
    origin: str = Field(description="shared, replaced (this account's version) or own")
    shared_driver_id: int | None
    driver: DriverOut


class EffectivePestleOut(Schema):
    account_id: int
    analysis: AnalysisOut | None
    use_shared: bool
    note: str
    drivers: list[EffectiveDriverOut]
    hidden_shared_driver_ids: list[int]


class PestleSettingsIn(Schema):
    use_shared: bool
    note: Note = ""


class InternalDriverIn(Schema):
    category: Key = Field(description="vision, capabilities, culture or resources")
    title: Name
    description: Note = ""
    driver_type: Key
    impact: Key = "medium"


class InternalDriverOut(Schema):
    id: int
    account_id: int
    category: str
    title: str
    description: str
    driver_type: str
    impact: str


class ElementIn(Schema):
    kind: Key = Field(description="vision, goal, objective, mission, strategy or tactic")
    title: Name
    description: Note = ""
    parent: int | None = None
    serves: int | None = None


class ElementPatch(Schema):
    kind: Key | None = None
    title: Name | None = None
    description: Note | None = None
    parent: int | None = None
    serves: int | None = None


class ElementOut(Schema):
    id: int
    account_id: int
    kind: str
    title: str
    description: str
    parent_id: int | None
    serves_id: int | None


class LinkIn(Schema):
    element: int = Field(description="The tactic, objective, goal or vision it serves.")
    product: int | None = Field(None, description="A product of the engagement; none: all of it.")
    note: Note = ""


class LinkPatch(Schema):
    element: int | None = None
    product: int | None = None
    note: Note | None = None


class LinkOut(Schema):
    id: int
    engagement_id: int
    product_id: int | None
    element_id: int
    note: str


class ContributionIn(Schema):
    product: int
    function: Name
    output: Name
    contribution: Name
    outcome: int | None = None


class ContributionPatch(Schema):
    product: int | None = None
    function: Name | None = None
    output: Name | None = None
    contribution: Name | None = None
    outcome: int | None = None


class ContributionOut(Schema):
    id: int
    engagement_id: int
    product_id: int
    function: str
    output: str
    contribution: str
    outcome_id: int | None


class ChainStep(Schema):
    id: int
    kind: str
    title: str


class ChainPath(Schema):
    product: str | None
    note: str
    path: list[ChainStep]


class ChainElement(Schema):
    id: int
    kind: str
    title: str
    description: str
    parent: int | None
    serves: int | None


class ChainContribution(Schema):
    product: str
    function: str
    output: str
    contribution: str
    outcome: str | None


class StrategyChainOut(Schema):
    elements: list[ChainElement]
    paths: list[ChainPath]
    contributions: list[ChainContribution]


class StrategyDocumentOut(Schema):
    document_id: int
    title: str
    version: int
    url: str
