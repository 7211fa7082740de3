"""API schemas of the preparation tools.

Choice fields are plain strings here; the models' own validation refuses an unknown value
and names the field, exactly as the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from cairn.people.schemas import UserRef


class FactIn(Schema):
    area: str = Field(description="initiative, solution, business, stakeholders or engagement")
    statement: str
    source: str = Field(description="company, customer or external")
    source_detail: str = ""
    confidence: str = Field("assumed", description="assumed or validated")


class FactPatch(Schema):
    area: str | None = None
    statement: str | None = None
    source: str | None = None
    source_detail: str | None = None
    confidence: str | None = None


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
    text: str
    fact: int | None = Field(None, description="Id of the assumed fact it validates.")


class QuestionPatch(Schema):
    text: str | None = None


class AnswerIn(Schema):
    answer: str
    answered_on: dt.date
    answered_by: int | None = Field(None, description="Id of the customer's contact.")
    answered_by_name: str = Field("", description="Who answered, when not a contact.")
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
    role: str = Field(description="csm, sales, account_manager, solution_engineer or services")


class AttendeeOut(Schema):
    user: UserRef
    role: str


class HandoverMeetingIn(Schema):
    date: dt.date
    agenda: str = ""
    notes: str = ""
    attendees: list[AttendeeIn] = []


class MeetingPatch(Schema):
    date: dt.date | None = None
    agenda: str | None = None
    notes: str | None = None
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
    title: str
    assignee: int
    due_date: dt.date | None = None


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
    department: str | None = None


class FunctionIn(Schema):
    kind: str = Field(description="primary or support")
    name: str
    description: str = ""
    position: int = Field(0, description="Place in its row; 0 puts it last.")
    impact: str = Field("none", description="direct, indirect or none")
    impact_note: str = ""


class FunctionPatch(Schema):
    kind: str | None = None
    name: str | None = None
    description: str | None = None
    position: int | None = None
    impact: str | None = None
    impact_note: str | None = None


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
    level: str = Field(description="high, mid or low")
    name: str
    parent: int | None = None
    description: str = ""
    people: str = ""
    process: str = ""
    tools: str = ""
    inputs: str = ""
    outputs: str = ""
    changed: bool = False
    change: str = ""
    inefficient: bool = False
    slow: bool = False
    low_quality: bool = False
    frustrating: bool = False
    insecure: bool = False
    costly: bool = False


class CapabilityPatch(Schema):
    level: str | None = None
    name: str | None = None
    parent: int | None = None
    description: str | None = None
    people: str | None = None
    process: str | None = None
    tools: str | None = None
    inputs: str | None = None
    outputs: str | None = None
    changed: bool | None = None
    change: str | None = None
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
    industry: str
    region: str
    summary: str = ""


class AnalysisPatch(Schema):
    industry: str | None = None
    region: str | None = None
    summary: str | None = None


class AnalysisOut(Schema):
    id: int
    industry: str
    region: str
    summary: str
    updated_at: dt.datetime


class DriverIn(Schema):
    category: str = Field(
        description="political, economic, social, technological, legal or environmental"
    )
    title: str
    description: str = ""
    driver_type: str = Field(description="positive (an opportunity) or negative (a threat)")
    impact: str = Field("medium", description="low, medium or high")


class DriverPatch(Schema):
    category: str | None = None
    title: str | None = None
    description: str | None = None
    driver_type: str | None = None
    impact: str | None = None


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
    category: str | None = None
    title: str | None = None
    description: str | None = None
    driver_type: str | None = None
    impact: str | None = None


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
    note: str = ""


class InternalDriverIn(Schema):
    category: str = Field(description="vision, capabilities, culture or resources")
    title: str
    description: str = ""
    driver_type: str
    impact: str = "medium"


class InternalDriverOut(Schema):
    id: int
    account_id: int
    category: str
    title: str
    description: str
    driver_type: str
    impact: str


class ElementIn(Schema):
    kind: str = Field(description="vision, goal, objective, mission, strategy or tactic")
    title: str
    description: str = ""
    parent: int | None = None
    serves: int | None = None


class ElementPatch(Schema):
    kind: str | None = None
    title: str | None = None
    description: str | None = None
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
    note: str = ""


class LinkPatch(Schema):
    element: int | None = None
    product: int | None = None
    note: str | None = None


class LinkOut(Schema):
    id: int
    engagement_id: int
    product_id: int | None
    element_id: int
    note: str


class ContributionIn(Schema):
    product: int
    function: str
    output: str
    contribution: str
    outcome: int | None = None


class ContributionPatch(Schema):
    product: int | None = None
    function: str | None = None
    output: str | None = None
    contribution: str | None = None
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
