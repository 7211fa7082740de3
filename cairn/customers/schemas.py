"""API schemas for accounts, contacts, products and subscriptions.

Inputs carry types and choices only; lengths, formats and the named constraints are
checked by the model's full_clean(), so the API and the UI refuse the same things.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import MaxLen
from ninja import Field, FilterLookup, FilterSchema, Schema

from cairn.people.schemas import UserRef
from cairn.validation import NO_NUL, Day, Key, Name

# Spelled out so type checkers and the OpenAPI document see them; a test keeps them equal
# to the models' choices.
SegmentValue = Literal["strategic", "enterprise", "mid_market", "smb", "tech_touch", ""]
SubscriptionStatusValue = Literal["active", "trial", "renewed", "churned", "expired"]


class AccountOut(Schema):
    id: int
    name: str
    external_id: str
    industry: str
    region: str
    employees: int | None
    website: str
    segment: str
    owner: UserRef | None
    parent_id: int | None
    arr: Decimal = Field(description="Total ARR of live subscriptions.")
    next_renewal: dt.date | None = Field(description="The nearest end of a live subscription.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_arr(account: object) -> Decimal:
        # Sums come back with two decimals from PostgreSQL and none from SQLite: the
        # same cents on both.
        total = getattr(account, "total_arr", None) or Decimal(0)
        return Decimal(total).quantize(Decimal("0.01"))

    @staticmethod
    def resolve_next_renewal(account: object) -> dt.date | None:
        return getattr(account, "next_renewal", None)


class AccountPatch(Schema):
    name: Name | None = None
    external_id: Annotated[str, MaxLen(100), NO_NUL] | None = None
    industry: Annotated[str, MaxLen(100), NO_NUL] | None = None
    region: Annotated[str, MaxLen(100), NO_NUL] | None = None
    employees: int | None = Field(None, ge=0)
    website: Name | None = None
    segment: SegmentValue | None = None
    owner: int | None = Field(None, description="User id of the owning CSM.")
    parent: int | None = Field(None, description="Account id of the parent account.")


class AccountIn(AccountPatch):
    name: Name  # type: ignore[assignment]


class AccountFilter(FilterSchema):
    q: Name | None = Field(None, description="Part of the name or industry, or the external id.")
    segment: SegmentValue | None = None
    owner: int | None = Field(None, description="User id of the owner.")
    phase: Key | None = Field(None, description="Key of the phase a running engagement is in.")
    renewal_after: Day | None = Field(None, description="Next renewal on or after this day.")
    renewal_before: Day | None = Field(
        None, description="Next renewal on or before this day."
    )


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    title: str
    department: str
    email: str
    phone: str
    reports_to_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactPatch(Schema):
    first_name: Annotated[str, MaxLen(100), NO_NUL] | None = None
    last_name: Annotated[str, MaxLen(100), NO_NUL] | None = None
    title: Annotated[str, MaxLen(150), NO_NUL] | None = None
    department: Annotated[str, MaxLen(100), NO_NUL] | None = None
    email: Annotated[str, MaxLen(254), NO_NUL] | None = None
    phone: Annotated[str, MaxLen(50), NO_NUL] | None = None
    reports_to: int | None = Field(None, description="Contact id of their manager.")


class ContactIn(ContactPatch):
    account: int
    first_name: Annotated[str, MaxLen(100), NO_NUL]  # type: ignore[assignment]


class ContactFilter(FilterSchema):
    account: int | None = Field(None, description="Account id.")


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    description: str


class ProductRef(Schema):
    id: int
    name: str


class SubscriptionOut(Schema):
    id: int
    account_id: int
    product: ProductRef
    quantity: int
    arr: Decimal
    start_date: dt.date
    end_date: dt.date
    status: SubscriptionStatusValue
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionPatch(Schema):
    product: int | None = None
    quantity: int | None = Field(None, ge=0)
    arr: Decimal | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    status: SubscriptionStatusValue | None = None


class SubscriptionIn(SubscriptionPatch):
    account: int
    product: int  # type: ignore[assignment]
    start_date: Day  # type: ignore[assignment]
    end_date: Day  # type: ignore[assignment]


class SubscriptionFilter(FilterSchema):
    account: int | None = Field(None, description="Account id.")
    status: SubscriptionStatusValue | None = None
    ends_before: Annotated[Day | None, FilterLookup("end_date__lte")] = Field(
        None, description="Ends on or before this day."
    )
