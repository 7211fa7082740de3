"""API schemas of renewals and churn reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from cairn.validation import Day, Name, Note

# An amount of ARR as the database keeps it: 0 or more, 12 digits before the point, cents.
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
OpenStage = Literal["not_started", "in_progress", "committed"]
OutcomeStage = Literal["renewed", "expanded", "downgraded", "churned"]


class RenewalOut(Schema):
    id: int
    account: int = Field(alias="account_id")
    account_name: str = Field(alias="account.name")
    renewal_date: dt.date
    arr: Decimal = Field(description="The ARR up for renewal.")
    owner: int | None = Field(alias="owner_id")
    stage: str
    target_amount: Decimal | None
    forecast_amount: Decimal | None
    flagged_at_risk: bool = Field(description="Its owner judges it at risk, whatever the health says.")
    final_amount: Decimal | None
    reason: int | None = Field(alias="reason_id")
    reason_text: str
    notes: str
    closed_on: dt.date | None
    health_light: str = Field("", description="The account's health: green, amber, red; '' unscored.")
    open_risks: int = Field(0, description="Open risks in the adoption plans of the account's engagements.")
    subscriptions: list[int]

    @staticmethod
    def resolve_health_light(renewal: object) -> str:
        health = getattr(getattr(renewal, "account", None), "health", None)
        return health.light if health is not None else ""

    @staticmethod
    def resolve_subscriptions(renewal: object) -> list[int]:
        return [s.pk for s in renewal.subscriptions.all()]  # type: ignore[attr-defined]


class RenewalPatch(Schema):
    owner: int | None = None
    stage: OpenStage | None = None
    target_amount: Amount | None = None
    forecast_amount: Amount | None = None
    flagged_at_risk: bool | None = None
    notes: Note | None = None


class RenewalOutcomeIn(Schema):
    stage: OutcomeStage
    final_amount: Amount | None = Field(
        None, description="The ARR renewed at; left out for a renewal at the same ARR, 0 for a churn."
    )
    reason: int | None = Field(None, description="A churn reason's id: needed for a churn or a downgrade.")
    reason_text: Note = ""
    closed_on: Day | None = Field(None, description="When the outcome was recorded; today if left out.")
    term_months: int = Field(12, ge=1, le=120, description="The length of the new term.")


class WindowOut(Schema):
    days: int
    count: int
    arr: Decimal
    arr_at_risk: Decimal = Field(
        description="ARR of renewals flagged at risk or whose account's health is red or amber."
    )


class ReasonOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    position: int


class ReasonIn(Schema):
    name: Name
    description: Note = ""
    is_active: bool = True
    position: int = Field(0, ge=0, le=32767)


class ReasonPatch(Schema):
    name: Name | None = None
    description: Note | None = None
    is_active: bool | None = None
    position: int | None = Field(None, ge=0, le=32767)
