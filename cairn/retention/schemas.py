"""API schemas of retention figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

Grain = Literal["month", "quarter"]
SegmentKey = Literal["strategic", "enterprise", "mid_market", "smb", "tech_touch"]
PLACES = Decimal("0.000001")


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PLACES)


class PeriodOut(Schema):
    label: str = Field(description='"Mar 2026" or "Q1 2026".')
    start: dt.date
    end: dt.date = Field(
        description="The period's last day; the ending ARR is what is in force the day after."
    )
    start_arr: Decimal = Field(description="ARR of the cohort: the accounts paying on the first day.")
    expansion: Decimal
    contraction: Decimal
    churned_arr: Decimal
    end_arr: Decimal = Field(description="The cohort's ARR as the period closes.")
    new_arr: Decimal = Field(
        description="ARR of new accounts (not paying on the first day): outside the cohort."
    )
    grr: Decimal | None = Field(description="Gross revenue retention, a fraction; null without a cohort.")
    nrr: Decimal | None = Field(description="Net revenue retention, a fraction; null without a cohort.")
    cohort_logos: int
    lost_logos: int
    logo_churn: Decimal | None = Field(description="Lost accounts / cohort accounts; null without a cohort.")
    expanded_logos: int
    contracted_logos: int
    new_logos: int

    @staticmethod
    def resolve_grr(period: object) -> Decimal | None:
        return _fraction(getattr(period, "grr"))  # noqa: B009

    @staticmethod
    def resolve_nrr(period: object) -> Decimal | None:
        return _fraction(getattr(period, "nrr"))  # noqa: B009

    @staticmethod
    def resolve_logo_churn(period: object) -> Decimal | None:
        return _fraction(getattr(period, "logo_churn"))  # noqa: B009


class RetentionGroupOut(Schema):
    key: str = Field(description="The segment's key or the CSM's id; '' for none.")
    label: str
    period: PeriodOut


class BreakdownOut(Schema):
    period: PeriodOut | None = Field(description="The latest complete period, all groups together.")
    by_segment: list[RetentionGroupOut]
    by_owner: list[RetentionGroupOut]
