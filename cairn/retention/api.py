"""Retention figures in the API: per month or quarter, and the latest period per segment
and per CSM. Everyone logged in reads them; the formulas are in docs/retention.md."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from cairn.retention import queries
from cairn.retention.schemas import BreakdownOut, Grain, PeriodOut, SegmentKey

router = Router(tags=["retention"])


class RetentionFilter(Schema):
    grain: Grain = "month"
    periods: int | None = Field(None, ge=1, le=queries.MAX_PERIODS,
                                description="How many periods (12 months or 8 quarters by default).")
    segment: SegmentKey | None = None
    owner: int | None = Field(None, ge=1, le=2**63 - 1, description="The CSM's user id.")


@router.get("/", response=list[PeriodOut],
            summary="GRR, NRR, logo churn, expansion and contraction per complete period, oldest first")
def list_periods(request: HttpRequest, filters: Query[RetentionFilter]) -> list[queries.Period]:
    return queries.figures(
        filters.grain, filters.periods or queries.DEFAULT_PERIODS[filters.grain],
        filters.segment, filters.owner, timezone.localdate(),
    )


class BreakdownFilter(Schema):
    grain: Grain = "month"
    segment: SegmentKey | None = None
    owner: int | None = Field(None, ge=1, le=2**63 - 1, description="The CSM's user id.")


@router.get("/breakdown", response=BreakdownOut,
            summary="The latest complete period's figures per segment and per CSM")
def get_breakdown(request: HttpRequest, filters: Query[BreakdownFilter]) -> queries.Breakdown:
    return queries.breakdown(filters.grain, filters.segment, filters.owner, timezone.localdate())
