"""API schemas for stakeholders, their plan, the RACI matrix and the first meeting."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.commitment.models import SCALE_MAX, SCALE_MIN, FirstMeeting, Stakeholder
from cairn.people.schemas import UserRef
from cairn.validation import NO_NUL, Day, Moment, Name, Note, Title

# Spelled out for the OpenAPI document; a test keeps them equal to the models' choices.
AttitudeValue = Literal["champion", "supporter", "neutral", "sceptic", "opponent"]
CadenceValue = Literal["weekly", "fortnightly", "monthly", "quarterly", "days"]
RoleValue = Literal["R", "A", "C", "I"]
FormatValue = Literal["in_person", "video", "phone"]
ContactKindValue = Literal["meeting", "call", "email", "note"]



class StakeholderContactRef(Schema):
    id: int
    name: str
    title: str

    @staticmethod
    def resolve_name(contact: object) -> str:
        return str(contact)


class StakeholderOut(Schema):
    id: int
    engagement_id: int
    name: str
    contact: StakeholderContactRef | None
    category: str
    headcount: int | None
    role: str
    power: int
    interest: int
    quadrant: str = Field(description="manage_closely, keep_satisfied, keep_informed or monitor.")
    quadrant_strategy: str
    attitude: AttitudeValue
    strategy: str
    owner: UserRef | None
    cadence: CadenceValue
    cadence_days: int | None
    next_contact: dt.date | None
    last_contact: dt.date | None

    @staticmethod
    def resolve_quadrant(s: Stakeholder) -> str:
        return str(s.quadrant.value)

    @staticmethod
    def resolve_quadrant_strategy(s: Stakeholder) -> str:
        from cairn.commitment.models import QUADRANT_STRATEGIES

        return QUADRANT_STRATEGIES[s.quadrant]


class StakeholderPatch(Schema):
    role: Name | None = None
    category: Annotated[str, MaxLen(120), NO_NUL] | None = None
    headcount: int | None = None
    power: int | None = Field(None, ge=SCALE_MIN, le=SCALE_MAX)
    interest: int | None = Field(None, ge=SCALE_MIN, le=SCALE_MAX)
    attitude: AttitudeValue | None = None
    strategy: Note | None = None
    owner: int | None = Field(None, description="User id of our person who keeps in touch.")
    cadence: CadenceValue | None = None
    cadence_days: int | None = Field(None, description="Days between contacts, for 'days'.")
    next_contact: Day | None = None


class StakeholderIn(StakeholderPatch):
    contact: int | None = Field(None, description="Contact id; or give a category instead.")
    power: int = Field(5, ge=SCALE_MIN, le=SCALE_MAX)  # type: ignore[assignment]
    interest: int = Field(5, ge=SCALE_MIN, le=SCALE_MAX)  # type: ignore[assignment]


class ContactLogIn(Schema):
    on: Day
    kind: ContactKindValue = "meeting"
    note: Note = ""


class PlanLineOut(Schema):
    stakeholder_id: int
    name: str
    role: str
    is_category: bool
    quadrant: str
    attitude: str
    strategy: str
    owner: str
    owner_id: int | None
    cadence: str
    next_contact: dt.date | None
    last_contact: dt.date | None
    overdue: bool


class PartyOut(Schema):
    key: str = Field(description="'s<stakeholder id>' or 'u<user id>'.")
    name: str
    side: Literal["customer", "ours"]
    stakeholder_id: int | None
    user_id: int | None


class RaciRowOut(Schema):
    activity_id: int
    activity: str
    responsible: list[str]
    accountable: list[str]
    consulted: list[str]
    informed: list[str]
    warnings: list[str]
    cells: dict[str, RoleValue] = Field(description="Letters by party key.")


class RaciOut(Schema):
    parties: list[PartyOut]
    rows: list[RaciRowOut]


class RaciActivityIn(Schema):
    name: Name


class RaciActivityOut(Schema):
    id: int
    engagement_id: int
    name: str
    position: int
    checklist_item_id: int | None


class CellIn(Schema):
    stakeholder: int | None = Field(None, description="Stakeholder id; or give user.")
    user: int | None = Field(None, description="User id of one of our people in the RACI.")
    role: RoleValue | None = Field(None, description="R, A, C or I; null clears the cell.")


class MemberIn(Schema):
    user: int


class AgendaItem(Schema):
    title: Title
    minutes: int | None = None


class FirstMeetingIn(Schema):
    scheduled_at: Moment | None = None
    place: Name = ""
    format: FormatValue = "in_person"
    length_minutes: int = Field(60, ge=5, le=480)
    desired_outcomes: Note = ""
    agenda: list[AgendaItem] = Field(default_factory=list)
    contacts: list[int] = Field(default_factory=list, description="Contact ids.")
    users: list[int] = Field(default_factory=list, description="User ids of our attendees.")
    documents: list[int] = Field(default_factory=list, description="Document ids.")
    collateral_notes: Note = ""


class CollateralDocumentRef(Schema):
    id: int
    title: str


class NextStepOut(Schema):
    id: int
    task_id: int
    title: str
    assignee: UserRef
    due_date: dt.date | None
    status: str

    @staticmethod
    def resolve_title(step: object) -> str:
        return step.task.title  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_assignee(step: object) -> object:
        return step.task.assignee  # type: ignore[attr-defined]

    @staticmethod
    def resolve_due_date(step: object) -> dt.date | None:
        return step.task.due_date  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_status(step: object) -> str:
        return step.task.status  # type: ignore[attr-defined,no-any-return]


class FirstMeetingOut(Schema):
    id: int
    engagement_id: int
    scheduled_at: dt.datetime | None
    place: str
    format: FormatValue
    length_minutes: int
    desired_outcomes: str
    agenda: list[AgendaItem]
    agenda_minutes: int
    contacts: list[StakeholderContactRef]
    users: list[UserRef]
    documents: list[CollateralDocumentRef]
    collateral_notes: str
    held_at: dt.datetime | None
    minutes: str
    next_steps: list[NextStepOut]

    @staticmethod
    def resolve_contacts(m: FirstMeeting) -> list[object]:
        return list(m.contacts.all())

    @staticmethod
    def resolve_users(m: FirstMeeting) -> list[object]:
        return list(m.users.all())

    @staticmethod
    def resolve_documents(m: FirstMeeting) -> list[object]:
        return list(m.documents.all())

    @staticmethod
    def resolve_next_steps(m: FirstMeeting) -> list[object]:
        return list(m.next_steps.all())


class HeldIn(Schema):
    held_at: Moment
    minutes: Note


class NextStepIn(Schema):
    title: Title
    assignee: int = Field(description="User id.")
    due_date: Day | None = None
