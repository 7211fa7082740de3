"""API schemas of the value plan: value items (with what they achieved and the customer's
answer), changes and challenges, value activities."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.validation import Day, Note, Title

CommitmentValue = Literal["promised", "expected"]
FrequencyValue = Literal["weekly", "monthly", "quarterly", "half_yearly", "yearly"]
ChangeKindValue = Literal[
    "new_stakeholder", "lost_stakeholder", "reorganisation", "budget_cut", "regulation", "merger",
    "competitor", "product_change", "other",
]
ChangeStatusValue = Literal["open", "responding", "resolved"]
ActivityStatusValue = Literal["planned", "happened", "skipped"]
KpiIds = Annotated[list[int], MaxLen(100)]


class ValueKpiAchievedOut(Schema):
    kpi: int
    name: str
    unit: str
    baseline: float
    target: float
    target_date: dt.date
    latest: float | None
    latest_date: dt.date | None
    progress: int | None = Field(
        description="0 to 100: how far the latest reading came from baseline to target."
    )
    status: str = Field(
        description="not_started, on_track, at_risk or off_track, as the adoption measurements judge it."
    )


class ValueAchievedOut(Schema):
    progress: int | None = Field(description="The mean progress of its KPIs that have a reading.")
    status: str = Field(description="Its worst KPI's status; not_started without a reading.")
    reached: bool = Field(description="Every KPI reached its target.")
    kpis: list[ValueKpiAchievedOut]


def achieved_out(item: Any) -> dict[str, Any]:
    from cairn.value.queries import achieved

    done = getattr(item, "achieved", None) or achieved(item)
    return {
        "progress": done.progress, "status": str(done.status), "reached": done.reached,
        "kpis": [
            {
                "kpi": k.kpi.pk, "name": k.kpi.name, "unit": k.kpi.unit,
                "baseline": float(k.kpi.baseline_value), "target": float(k.kpi.target_value),
                "target_date": k.kpi.target_date,
                "latest": float(k.assessment.latest.value) if k.assessment.latest else None,
                "latest_date": k.assessment.latest.date if k.assessment.latest else None,
                "progress": k.progress, "status": str(k.status),
            }
            for k in done.kpis
        ],
    }


class ValuePerceptionOut(Schema):
    answer: str = Field(description="confirmed, disputed, or '' before any answer.")
    answered_by: str
    contact: int | None
    answered_at: dt.datetime | None
    comment: str


class ValueItemOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    commitment: str
    statement: str
    description: str
    outcome: int | None = Field(alias="outcome_id")
    kpis: list[int]
    element: int | None = Field(alias="element_id")
    measured_by_contact: int | None = Field(alias="measured_by_contact_id")
    measured_by_user: int | None = Field(alias="measured_by_user_id")
    data_source: str
    frequency: str
    achieved: ValueAchievedOut
    perception: ValuePerceptionOut
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kpis(item: Any) -> list[int]:
        return [k.pk for k in item.kpis.all()]

    @staticmethod
    def resolve_achieved(item: Any) -> dict[str, Any]:
        return achieved_out(item)

    @staticmethod
    def resolve_perception(item: Any) -> dict[str, Any]:
        return {
            "answer": item.perception, "answered_by": item.perceived_by, "contact": item.perceived_contact_id,
            "answered_at": item.perceived_at, "comment": item.perception_comment,
        }


class ValueItemIn(Schema):
    engagement: int
    commitment: CommitmentValue = "promised"
    statement: Title
    description: Note = ""
    outcome: int | None = None
    kpis: KpiIds = Field(default_factory=list, description="Ids of the engagement's KPIs that measure it.")
    element: int | None = Field(
        None, description="A tactic, objective, goal or vision of the customer's strategy."
    )
    measured_by_contact: int | None = None
    measured_by_user: int | None = None
    data_source: Note = ""
    frequency: FrequencyValue = "monthly"


class ValueItemPatch(Schema):
    commitment: CommitmentValue | None = None
    statement: Title | None = None
    description: Note | None = None
    outcome: int | None = None
    kpis: KpiIds | None = None
    element: int | None = None
    measured_by_contact: int | None = None
    measured_by_user: int | None = None
    data_source: Note | None = None
    frequency: FrequencyValue | None = None


class ValueSendIn(Schema):
    contact: int = Field(description="Id of the account's contact who should confirm or dispute it.")
    days: int | None = Field(None, ge=1, le=90, description="Days until the link expires; 14 by default.")
    message: Note = ""
    send_email: bool = Field(False, description="Also e-mail the link to the contact.")


class ValueChangeOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    kind: str
    description: str
    spotted_on: dt.date
    response_plan: str
    owner: int | None = Field(alias="owner_id")
    status: str
    due_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ValueChangeIn(Schema):
    engagement: int
    kind: ChangeKindValue
    description: Note
    spotted_on: Day
    response_plan: Note = ""
    owner: int | None = None
    status: ChangeStatusValue = "open"
    due_date: Day | None = None


class ValueChangePatch(Schema):
    kind: ChangeKindValue | None = None
    description: Note | None = None
    spotted_on: Day | None = None
    response_plan: Note | None = None
    owner: int | None = None
    status: ChangeStatusValue | None = None
    due_date: Day | None = None


class ValueActivityOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    title: str
    owner: int | None = Field(alias="owner_id")
    due_date: dt.date | None
    status: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ValueActivityIn(Schema):
    engagement: int
    title: Title
    owner: int | None = None
    due_date: Day | None = None
    status: ActivityStatusValue = "planned"
    note: Note = ""


class ValueActivityPatch(Schema):
    title: Title | None = None
    owner: int | None = None
    due_date: Day | None = None
    status: ActivityStatusValue | None = None
    note: Note | None = None


class ValueEngagementFilter(Schema):
    engagement: int
