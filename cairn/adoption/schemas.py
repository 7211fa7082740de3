"""API schemas of the adoption tools.

Each resource has an `...In` schema (create: the parent's id and the required fields), a
`...Patch` schema (every field optional: only those sent change) and an `...Out` schema.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.adoption.measurements import KpiStatus, assess_prefetched
from cairn.adoption.models import (
    ConsiderationKind,
    Direction,
    Impact,
    Kpi,
    Pilot,
    PilotKind,
    PilotResult,
    ReadinessStatus,
    RiskLevel,
    RiskStatus,
    WorkStatus,
)
from cairn.validation import NO_NUL, Day, DocumentText, Name, Note, Title

GAP_HELP = "0 none, 1 low, 2 medium, 3 high."


# --- Impacted processes --------------------------------------------------------------------


class ProcessPatch(Schema):
    name: Name | None = None
    today: Note | None = Field(None, description="How it works today.")
    after: Note | None = Field(None, description="How it works after the change.")
    owner: Annotated[str, MaxLen(120), NO_NUL] | None = None


class ProcessIn(ProcessPatch):
    engagement: int
    name: Name  # type: ignore[assignment]
    today: Note  # type: ignore[assignment]
    after: Note  # type: ignore[assignment]


class ProcessOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    name: str
    today: str
    after: str
    owner: str
    updated_at: dt.datetime


# --- Impacted groups -----------------------------------------------------------------------


class GroupPatch(Schema):
    name: Annotated[str, MaxLen(120), NO_NUL] | None = None
    impact: Impact | None = None
    size: int | None = Field(None, ge=0)
    location: Annotated[str, MaxLen(120), NO_NUL] | None = None
    manager: int | None = Field(None, description="Contact id of the group's manager.")
    knowledge_gap: int | None = Field(None, ge=0, le=3, description=GAP_HELP)
    knowledge_note: Note | None = None
    skills_gap: int | None = Field(None, ge=0, le=3, description=GAP_HELP)
    skills_note: Note | None = None
    attitude_gap: int | None = Field(None, ge=0, le=3, description=GAP_HELP)
    attitude_note: Note | None = None
    communication_needs: Note | None = None
    training_needs: Note | None = None
    support_needs: Note | None = None


class GroupIn(GroupPatch):
    engagement: int
    name: Annotated[str, MaxLen(120), NO_NUL]  # type: ignore[assignment]


class GroupOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    name: str
    impact: Impact
    size: int | None
    location: str
    manager: int | None = Field(None, alias="manager_id")
    knowledge_gap: int
    knowledge_note: str
    skills_gap: int
    skills_note: str
    attitude_gap: int
    attitude_note: str
    largest_gap: int
    communication_needs: str
    training_needs: str
    support_needs: str
    updated_at: dt.datetime


# --- Considerations and barriers -----------------------------------------------------------


class ConsiderationPatch(Schema):
    kind: ConsiderationKind | None = None
    title: Name | None = None
    detail: Note | None = None
    group: int | None = Field(None, description="Impacted group id, if it concerns one.")


class ConsiderationIn(ConsiderationPatch):
    engagement: int
    kind: ConsiderationKind  # type: ignore[assignment]
    title: Name  # type: ignore[assignment]


class ConsiderationOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    kind: ConsiderationKind
    title: str
    detail: str
    group: int | None = Field(None, alias="group_id")


# --- Risks ---------------------------------------------------------------------------------


class RiskPatch(Schema):
    title: Name | None = None
    description: Note | None = None
    likelihood: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)
    owner: Annotated[str, MaxLen(120), NO_NUL] | None = None
    mitigation: Note | None = None
    status: RiskStatus | None = None


class RiskIn(RiskPatch):
    engagement: int
    title: Name  # type: ignore[assignment]
    likelihood: int = Field(..., ge=1, le=5)  # type: ignore[assignment]
    impact: int = Field(..., ge=1, le=5)  # type: ignore[assignment]


class RiskOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    title: str
    description: str
    likelihood: int
    impact: int
    score: int = Field(..., description="Likelihood x impact, 1 to 25.")
    level: RiskLevel = Field(..., description="low 1-4, medium 5-9, high 10-16, critical 17-25.")
    owner: str
    mitigation: str
    status: RiskStatus
    updated_at: dt.datetime


class HeatCell(Schema):
    likelihood: int
    impact: int
    level: RiskLevel
    count: int


# --- Roadmap steps and pilot ---------------------------------------------------------------


class StepPatch(Schema):
    title: Name | None = None
    starts: Day | None = None
    ends: Day | None = None
    audience: Name | None = None
    description: Note | None = None


class StepIn(StepPatch):
    engagement: int
    title: Name  # type: ignore[assignment]
    starts: Day  # type: ignore[assignment]
    ends: Day  # type: ignore[assignment]


class StepOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    title: str
    starts: dt.date
    ends: dt.date
    audience: str
    description: str


class PilotPatch(Schema):
    kind: PilotKind | None = None
    scope: Note | None = None
    starts: Day | None = None
    ends: Day | None = None
    result_notes: Note | None = Field(None, description="The conclusion: what the pilot showed overall.")


class PilotIn(PilotPatch):
    engagement: int
    kind: PilotKind  # type: ignore[assignment]
    scope: Note  # type: ignore[assignment]
    starts: Day  # type: ignore[assignment]
    ends: Day  # type: ignore[assignment]


class PilotCriterionPatch(Schema):
    criterion: Title | None = None
    result: PilotResult | None = None
    evidence: Note | None = Field(None, description="What shows the result; needed once it is not pending.")


class PilotCriterionIn(PilotCriterionPatch):
    pilot: int
    criterion: Title  # type: ignore[assignment]


class PilotCriterionOut(Schema):
    id: int
    pilot: int = Field(..., alias="pilot_id")
    criterion: str
    result: PilotResult
    evidence: str
    updated_at: dt.datetime


class PilotOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    kind: PilotKind
    scope: str
    starts: dt.date
    ends: dt.date
    criteria: list[PilotCriterionOut]
    result: PilotResult = Field(
        ..., description="From the criteria: pending until each has a result; met when all are met, "
                         "not_met when none is even partly met, partly otherwise.",
    )
    result_notes: str

    @staticmethod
    def resolve_criteria(pilot: Pilot) -> list[object]:
        return list(pilot.criteria.all())


# --- The plan ------------------------------------------------------------------------------


class PlanText(Schema):
    body: DocumentText = Field(..., description="Markdown, one `## ` heading per section.")
    base_version: int | None = Field(
        None, description="The version the edit started from; a newer one answers 409."
    )
    comment: Name = ""


class ApprovalIn(Schema):
    approved_by: int = Field(..., description="Contact id of the key stakeholder who approved.")
    approved_on: Day
    note: Title = ""


class SummaryIn(Schema):
    roadmap_summary: Note


class PlanDocument(Schema):
    id: int
    version: int | None = Field(None, alias="current_version.number")
    body: str | None = Field(None, alias="current_version.body")


class AdoptionPlanOut(Schema):
    engagement: int = Field(..., alias="engagement_id")
    stage: str = Field(..., description="none, outline, approved or detailed.")
    outline: PlanDocument | None
    approved_by: int | None = Field(None, alias="approved_by_id")
    approver_name: str
    approved_on: dt.date | None
    approved_version: int | None = Field(None, description="The outline version last approved.")
    awaits_approval: bool = Field(
        ..., description="The outline's current version is not the approved one: never approved, or "
                         "changed since (a new version needs a new approval).",
    )
    approval_note: str
    detailed: PlanDocument | None
    roadmap_summary: str
    roadmap: PlanDocument | None


class PlanVersionConflict(Schema):
    detail: str
    current_version: int


# --- Work packages -------------------------------------------------------------------------


class WorkPackagePatch(Schema):
    title: Name | None = None
    owner: Annotated[str, MaxLen(120), NO_NUL] | None = None
    deliverables: Note | None = None
    due_date: Day | None = None
    status: WorkStatus | None = None
    plan_section: Name | None = Field(
        None, description="A section heading of the current plan: the package carries it out."
    )


class WorkPackageIn(WorkPackagePatch):
    engagement: int
    title: Name  # type: ignore[assignment]
    owner: Annotated[str, MaxLen(120), NO_NUL]  # type: ignore[assignment]
    deliverables: Note  # type: ignore[assignment]


class WorkPackageOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    title: str
    owner: str
    deliverables: str
    due_date: dt.date | None
    status: WorkStatus
    plan_document: int | None = Field(None, alias="plan_document_id")
    plan_version: int | None
    plan_section: str
    updated_at: dt.datetime


# --- Readiness -----------------------------------------------------------------------------


class WorkshopPatch(Schema):
    held_on: Day | None = None
    participants: Note | None = None
    notes: Note | None = None


class WorkshopIn(WorkshopPatch):
    engagement: int
    held_on: Day  # type: ignore[assignment]
    participants: Note  # type: ignore[assignment]


class WorkshopOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    held_on: dt.date
    participants: str
    notes: str


class ItemPatch(Schema):
    item: Title | None = None
    owner: Annotated[str, MaxLen(120), NO_NUL] | None = None


class ItemIn(ItemPatch):
    workshop: int
    item: Title  # type: ignore[assignment]


class ItemOut(Schema):
    id: int
    workshop: int = Field(..., alias="workshop_id")
    item: str
    owner: str
    status: ReadinessStatus
    resolution: str
    challenge: int | None = Field(None, alias="challenge_id")


class ResolveIn(Schema):
    resolution: Note


class CarryIn(Schema):
    impact: Note = Field(..., description="What the open item affects; it goes into the challenge log.")


# --- Measurements --------------------------------------------------------------------------


class KpiPatch(Schema):
    name: Name | None = None
    unit: Annotated[str, MaxLen(40), NO_NUL] | None = None
    direction: Direction | None = None
    baseline_value: Decimal | None = None
    baseline_date: Day | None = None
    target_value: Decimal | None = None
    target_date: Day | None = None
    outcome: int | None = Field(None, description="Id of the engagement outcome it measures.")
    description: Note | None = None


class KpiIn(KpiPatch):
    engagement: int
    name: Name  # type: ignore[assignment]
    baseline_value: Decimal  # type: ignore[assignment]
    baseline_date: Day  # type: ignore[assignment]
    target_value: Decimal  # type: ignore[assignment]
    target_date: Day  # type: ignore[assignment]


class KpiMilestoneOut(Schema):
    id: int
    kpi: int = Field(..., alias="kpi_id")
    date: dt.date
    expected: Decimal
    label: str


class LatestOut(Schema):
    date: dt.date
    value: Decimal


class KpiOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    name: str
    unit: str
    direction: Direction
    baseline_value: Decimal
    baseline_date: dt.date
    target_value: Decimal
    target_date: dt.date
    outcome: int | None = Field(None, alias="outcome_id")
    description: str
    milestones: list[KpiMilestoneOut]
    status: KpiStatus
    latest: LatestOut | None
    expected_now: Decimal | None = Field(
        None, description="The value the target path expects on the latest reading's date."
    )

    @staticmethod
    def resolve_milestones(kpi: Kpi) -> list[object]:
        return list(kpi.milestones.all())

    @staticmethod
    def resolve_status(kpi: Kpi) -> str:
        return assess_prefetched(kpi).status.value

    @staticmethod
    def resolve_latest(kpi: Kpi) -> dict[str, object] | None:
        latest = assess_prefetched(kpi).latest
        return {"date": latest.date, "value": latest.value} if latest else None

    @staticmethod
    def resolve_expected_now(kpi: Kpi) -> Decimal | None:
        return assess_prefetched(kpi).expected


class KpiMilestonePatch(Schema):
    date: Day | None = None
    expected: Decimal | None = None
    label: Annotated[str, MaxLen(120), NO_NUL] | None = None


class KpiMilestoneIn(KpiMilestonePatch):
    kpi: int
    date: Day  # type: ignore[assignment]
    expected: Decimal  # type: ignore[assignment]


class ReadingPatch(Schema):
    date: Day | None = None
    value: Decimal | None = None
    note: Title | None = None


class ReadingIn(ReadingPatch):
    kpi: int
    date: Day  # type: ignore[assignment]
    value: Decimal  # type: ignore[assignment]


class ReadingOut(Schema):
    id: int
    kpi: int = Field(..., alias="kpi_id")
    date: dt.date
    value: Decimal
    note: str
    recorded_by: str | None = Field(None, alias="recorded_by.username")


# --- Challenges and governance -------------------------------------------------------------


class ChallengePatch(Schema):
    challenge: Name | None = None
    impact: Note | None = None
    response: Note | None = None
    raised_on: Day | None = None
    resolved_on: Day | None = None
    is_lesson: bool | None = None
    lesson: Note | None = None


class ChallengeIn(ChallengePatch):
    engagement: int
    challenge: Name  # type: ignore[assignment]
    impact: Note  # type: ignore[assignment]
    raised_on: Day  # type: ignore[assignment]


class ChallengeOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    challenge: str
    impact: str
    response: str
    raised_on: dt.date
    resolved_on: dt.date | None
    is_lesson: bool
    lesson: str
    updated_at: dt.datetime


class GovernanceIn(Schema):
    engagement: int
    held_on: Day
    attendees: Note = ""
    decisions: Note = ""


class GovernanceOut(Schema):
    id: int
    engagement: int = Field(..., alias="engagement_id")
    held_on: dt.date
    attendees: str
    decisions: str
    report: int | None = Field(None, alias="report_id")
    body: str | None = Field(None, alias="report.current_version.body")
    created_at: dt.datetime
