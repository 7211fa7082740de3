"""API schemas of opportunities, advocacy asks and the hand-off policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.validation import NO_NUL, Day, Name, Note, Title

Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
KindValue = Literal["upsell", "cross_sell"]
StageValue = Literal["identified", "handed", "qualified", "proposal", "won", "lost"]
SalesStage = Literal["handed", "qualified", "proposal"]
ClosedStage = Literal["won", "lost"]
AskKindValue = Literal["reference_call", "case_study", "review", "referral", "speaking"]
AskStatusValue = Literal["planned", "asked", "accepted", "declined", "done"]
CrmReference = Annotated[str, MaxLen(100), NO_NUL]
Email = Annotated[str, MaxLen(254), NO_NUL]  # the model checks it is an address


class OpportunityOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    engagement: int | None = Field(alias="engagement_id")
    product: int | None = Field(alias="product_id")
    kind: str
    title: str
    description: str
    amount: Decimal = Field(description="The estimated ARR.")
    spotted_by: int | None = Field(alias="spotted_by_id")
    expected_close: dt.date | None
    stage: str
    confirmed_by: int | None = Field(
        alias="confirmed_by_id", description="The contact who confirmed the need."
    )
    sales_owner_name: str
    sales_owner_email: str
    crm_reference: str
    handed_on: dt.date | None
    closed_amount: Decimal | None
    closed_on: dt.date | None
    close_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityIn(Schema):
    account: int
    engagement: int | None = None
    product: int | None = None
    kind: KindValue = "upsell"
    title: Title = Field(min_length=1)
    description: Note = ""
    amount: Amount = Decimal(0)
    spotted_by: int | None = Field(None, description="Who spotted it; the caller if left out.")
    expected_close: Day | None = None
    confirmed_by: int | None = None


class OpportunityPatch(Schema):
    engagement: int | None = None
    product: int | None = None
    kind: KindValue | None = None
    title: Title | None = Field(None, min_length=1)
    description: Note | None = None
    amount: Amount | None = None
    spotted_by: int | None = None
    expected_close: Day | None = None
    confirmed_by: int | None = None
    stage: SalesStage | None = Field(None, description="Once handed to Sales: one of Sales' stages.")
    sales_owner_name: Name | None = None
    sales_owner_email: Email | None = None
    crm_reference: CrmReference | None = None


class OpportunityHandoffIn(Schema):
    sales_owner_name: Name = Field(min_length=1)
    sales_owner_email: Email
    crm_reference: CrmReference = Field(min_length=1)
    amount: Amount | None = Field(None, description="The estimate as handed over; unchanged if left out.")
    confirmed_by: int | None = Field(None, description="The contact who confirmed the need.")
    handed_on: Day | None = Field(None, description="Today if left out.")


class OpportunityCloseIn(Schema):
    stage: ClosedStage
    closed_amount: Amount | None = Field(None, description="Won: the ARR bought. Lost: 0 if left out.")
    closed_on: Day | None = Field(None, description="Today if left out.")
    close_reason: Note = Field("", description="Reason and notes; needed for a lost one.")


class OpportunityStageChangeOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    by: int | None = Field(alias="by_id")
    changed_at: dt.datetime


class PipelineStageOut(Schema):
    stage: str
    label: str
    count: int
    amount: Decimal = Field(description="Estimated ARR while open; closed ARR once won or lost.")


class PipelineOut(Schema):
    stages: list[PipelineStageOut]
    pipeline_count: int
    pipeline: Decimal


class AdvocacyAskOut(Schema):
    id: int
    contact: int = Field(alias="contact_id")
    contact_name: str = Field(alias="contact.full_name")
    account: int = Field(alias="contact.account_id")
    kind: str
    status: str
    asked_on: dt.date | None
    done_on: dt.date | None
    notes: str
    asked_by: int | None = Field(alias="asked_by_id")
    created_at: dt.datetime


class AdvocacyAskIn(Schema):
    contact: int
    kind: AskKindValue = "reference_call"
    status: AskStatusValue = "planned"
    asked_on: Day | None = None
    done_on: Day | None = None
    notes: Note = ""
    asked_by: int | None = Field(None, description="Who asks; the caller if left out.")


class AdvocacyAskPatch(Schema):
    kind: AskKindValue | None = None
    status: AskStatusValue | None = None
    asked_on: Day | None = None
    done_on: Day | None = None
    notes: Note | None = None
    asked_by: int | None = None


class AdvocacyCandidateOut(Schema):
    contact: int = Field(alias="pk")
    name: str = Field(alias="full_name")
    title: str
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    nps_score: int
    nps_answered_at: dt.datetime


class HandoffPolicyOut(Schema):
    text: str
    minimum_amount: Decimal
    requires_confirmation: bool
    updated_by: int | None = Field(alias="updated_by_id")
    updated_at: dt.datetime | None


class HandoffPolicyIn(Schema):
    text: Note = ""
    minimum_amount: Amount = Decimal(0)
    requires_confirmation: bool = False
