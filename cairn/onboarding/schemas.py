"""API schemas for the welcome pack, the onboarding plan and time entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.customers.models import Contact
from cairn.onboarding.models import PlanActivity
from cairn.people.schemas import UserRef
from cairn.validation import NO_NUL, Day, Key, Name, Note

# Spelled out so type checkers and the OpenAPI document see them; a test keeps them equal
# to the models' choices.
PackStatusValue = Literal["draft", "sent", "received", "reviewed"]
CadenceValue = Literal["weekly", "fortnightly", "monthly", "milestones"]
ActivityStatusValue = Literal["planned", "in_progress", "blocked", "done"]


class OnboardingContactRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(contact: Contact) -> str:
        return contact.full_name


class PackOut(Schema):
    id: int
    engagement_id: int
    status: PackStatusValue
    introduction: str
    components: str
    features: str
    quantities: str
    licences: str
    support_contacts: str
    self_service: str
    learning_library: str
    get_started: str
    delivery_format: str
    sender: UserRef | None
    recipient: OnboardingContactRef | None
    planned_on: dt.date | None
    sent_on: dt.date | None
    sent_by: UserRef | None
    received_on: dt.date | None
    reviewed_on: dt.date | None
    reviewed_by: UserRef | None
    document_id: int | None
    updated_at: dt.datetime


class PackIn(Schema):
    """Fields left out keep their value; a new pack starts from Cairn's prefill."""

    introduction: Note | None = None
    components: Note | None = None
    features: Note | None = None
    quantities: Note | None = None
    licences: Note | None = None
    support_contacts: Note | None = None
    self_service: Note | None = None
    learning_library: Note | None = None
    get_started: Note | None = None
    delivery_format: Annotated[str, MaxLen(120), NO_NUL] | None = None
    sender: int | None = Field(None, description="User id of who sends it.")
    recipient: int | None = Field(None, description="Contact id of who receives it.")
    planned_on: Day | None = None


class PackStatusIn(Schema):
    status: PackStatusValue
    on: Day | None = Field(None, description="The day it happened; today by default.")


class PlanActivityOut(Schema):
    id: int
    phase_id: int
    name: str
    responsible_user: UserRef | None
    responsible_contact: OnboardingContactRef | None
    start_date: dt.date
    end_date: dt.date
    status: ActivityStatusValue
    outputs: str
    note: str
    completed_on: dt.date | None
    hours: Decimal | None = None

    @staticmethod
    def resolve_hours(activity: PlanActivity) -> Decimal | None:
        return getattr(activity, "booked_hours", None)


class PhaseOut(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    outputs: str
    outcomes: str
    done: int = 0
    total: int = 0
    percent: int | None = None
    activities: list[PlanActivityOut] = Field(default_factory=list)


class PlanMilestoneOut(Schema):
    id: int
    name: str
    due_date: dt.date
    phase_id: int | None
    done_on: dt.date | None
    report_id: int | None


class OnboardingPlanOut(Schema):
    id: int
    engagement_id: int
    scope: str
    start_date: dt.date
    deadline: dt.date
    communication: str
    reporting_cadence: CadenceValue
    reporting_note: str
    service_fee: Decimal | None
    fee_currency: str
    fee_note: str
    signed_off_at: dt.datetime | None
    signed_off_by: str
    signoff_document_id: int | None
    done: int
    total: int
    percent: int | None
    phases: list[PhaseOut]
    milestones: list[PlanMilestoneOut]


class PlanIn(Schema):
    scope: Note | None = None
    start_date: Day | None = None
    deadline: Day | None = None
    communication: Note | None = None
    reporting_cadence: CadenceValue | None = None
    reporting_note: Note | None = None
    service_fee: Decimal | None = None
    fee_currency: Annotated[str, MaxLen(3), NO_NUL] | None = None
    fee_note: Name | None = None


class PhasePatch(Schema):
    name: Name | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    outputs: Note | None = None
    outcomes: Note | None = None


class PhaseIn(PhasePatch):
    name: Name  # type: ignore[assignment]
    start_date: Day  # type: ignore[assignment]
    end_date: Day  # type: ignore[assignment]


class PlanMilestonePatch(Schema):
    name: Name | None = None
    due_date: Day | None = None
    phase: int | None = Field(None, description="Id of a phase of the same plan.")
    done_on: Day | None = Field(None, description="The day it was reached; null while open.")


class PlanMilestoneIn(PlanMilestonePatch):
    name: Name  # type: ignore[assignment]
    due_date: Day  # type: ignore[assignment]


class PlanActivityPatch(Schema):
    phase: int | None = Field(None, description="Id of a phase of the same plan.")
    name: Name | None = None
    responsible_user: int | None = Field(None, description="User id (our side).")
    responsible_contact: int | None = Field(None, description="Contact id (the customer's side).")
    start_date: Day | None = None
    end_date: Day | None = None
    status: ActivityStatusValue | None = None
    outputs: Note | None = None
    note: Note | None = None


class ActivityIn(PlanActivityPatch):
    phase: int  # type: ignore[assignment]
    name: Name  # type: ignore[assignment]
    start_date: Day  # type: ignore[assignment]
    end_date: Day  # type: ignore[assignment]


class ReportIn(Schema):
    next_steps: Note = ""
    include_hours: bool = False


class OnboardingDocumentRef(Schema):
    id: int
    title: str
    version: int


class SignoffIn(Schema):
    contact: int = Field(description="Contact id of the stakeholder who signs off.")
    days: int | None = Field(None, description="How long the link works (1 to 90 days).")
    message: Note = ""
    send_email: bool = False


class SignoffOut(Schema):
    link_id: int
    url: str = Field(description="Shown once: Cairn keeps only a fingerprint of it.")
    expires_at: dt.datetime
    document: OnboardingDocumentRef


class PlanPhaseRef(Schema):
    id: int
    key: str
    name: str


class TimeOut(Schema):
    id: int
    user: UserRef
    engagement_id: int
    phase: PlanPhaseRef
    plan_activity_id: int | None
    checklist_activity_id: int | None
    date: dt.date
    hours: Decimal
    note: str
    created_at: dt.datetime


class TimePatch(Schema):
    date: Day | None = None
    hours: Decimal | None = None
    note: Note | None = None
    plan_activity: int | None = Field(None, description="Id of an activity of the onboarding plan.")
    checklist_activity: int | None = Field(None, description="Id of a checklist activity.")


class TimeIn(TimePatch):
    engagement: int
    date: Day  # type: ignore[assignment]
    hours: Decimal  # type: ignore[assignment]


class TimeFilter(Schema):
    user: int | None = Field(None, description="User id.")
    engagement: int | None = Field(None, description="Engagement id.")
    phase: Key | None = Field(None, description="Key of a lifecycle phase, e.g. 'onboarding'.")
    date_from: Day | None = None
    date_to: Day | None = None


class UserHours(Schema):
    user_id: int
    name: str
    hours: Decimal


class EngagementHours(Schema):
    """A row of timesheets.engagement_hours (a grouped query, sliced a page at a time)."""

    engagement_id: int
    account: str
    initiative: str
    hours: Decimal

    @staticmethod
    def resolve_engagement_id(row: dict[str, Any]) -> int:
        return int(row["engagement"])

    @staticmethod
    def resolve_account(row: dict[str, Any]) -> str:
        return str(row["engagement__account__name"])

    @staticmethod
    def resolve_initiative(row: dict[str, Any]) -> str:
        return str(row["engagement__initiative"])


class PhaseHours(Schema):
    key: str
    name: str
    hours: Decimal


class TimeReport(Schema):
    total: Decimal
    by_user: list[UserHours]
    by_phase: list[PhaseHours]
