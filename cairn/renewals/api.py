"""Renewals in the API: what comes up, working a renewal, its outcome; the churn reasons.

The same rules as the pages: everyone reads; who may change the account works its renewals;
leaders keep the reasons. Writes go through cairn.renewals.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, related, user_of
from cairn.people import access
from cairn.people.models import User
from cairn.renewals import actions, queries
from cairn.renewals.actions import CHANGE_REFUSAL, REASONS_REFUSAL
from cairn.renewals.models import ChurnReason, Renewal
from cairn.renewals.schemas import (
    OpenStage,
    OutcomeStage,
    ReasonIn,
    ReasonOut,
    ReasonPatch,
    RenewalOut,
    RenewalOutcomeIn,
    RenewalPatch,
    WindowOut,
)
from cairn.resources import tagged

router = Router(tags=["renewals"])


def _renewals() -> QuerySet[Renewal]:
    return queries.renewals().prefetch_related("subscriptions")


class RenewalFilter(Schema):
    days: int | None = None
    stage: OpenStage | OutcomeStage | None = None
    owner: int | None = None
    account: int | None = None


@router.get("/", response=list[RenewalOut], summary="List renewals, soonest first")
@paginate(Pagination)
def list_renewals(request: HttpRequest, filters: Query[RenewalFilter]) -> QuerySet[Renewal]:
    """`days` keeps the open renewals up to that many days ahead (overdue ones included)."""
    found = _renewals()
    if filters.days is not None:
        found = queries.upcoming(timezone.localdate(), max(0, min(filters.days, 36_500))).prefetch_related(
            "subscriptions"
        )
    if filters.stage is not None:
        found = found.filter(stage=filters.stage)
    if filters.owner is not None:
        found = found.filter(owner=filters.owner)
    if filters.account is not None:
        found = found.filter(account=filters.account)
    return found


@router.get("/windows", response=list[WindowOut],
            summary="Open renewals and ARR (at risk: red or amber health) in the next 30, 90, 180 days")
def renewal_windows(request: HttpRequest, owner: int | None = None) -> list[queries.Window]:
    return queries.windows(timezone.localdate(), owner=owner)


@router.get("/{int:renewal_id}", response={200: RenewalOut, **READ_ERRORS}, summary="Read a renewal")
def get_renewal(request: HttpRequest, renewal_id: int) -> Renewal:
    return get_object_or_404(_renewals(), pk=renewal_id)


@router.patch("/{int:renewal_id}", response={200: RenewalOut, **WRITE_ERRORS},
              summary="Work a renewal: owner, open stage, target, forecast, notes")
def update_renewal(request: HttpRequest, renewal_id: int, payload: RenewalPatch) -> Renewal:
    user = user_of(request)
    renewal = access.account_item(user, _renewals(), message=CHANGE_REFUSAL, pk=renewal_id)
    data = payload.model_dump(exclude_unset=True)
    if "owner" in data and data["owner"] is not None:
        data["owner"] = related(User, data["owner"], "owner")
    if "stage" in data and data["stage"] is None:
        data.pop("stage")
    tagged(Renewal, lambda: actions.update_renewal(renewal, data, by=user))
    return _renewals().get(pk=renewal.pk)


@router.post("/{int:renewal_id}/outcome", response={200: RenewalOut, **WRITE_ERRORS},
             summary="Record a renewal's outcome; the subscriptions it covers move on")
def record_outcome(request: HttpRequest, renewal_id: int, payload: RenewalOutcomeIn) -> Renewal:
    user = user_of(request)
    renewal = access.account_item(user, _renewals(), message=CHANGE_REFUSAL, pk=renewal_id)
    reason = related(ChurnReason, payload.reason, "reason") if payload.reason is not None else None
    outcome = actions.Outcome(
        stage=payload.stage, final_amount=payload.final_amount, reason=reason,
        reason_text=payload.reason_text, closed_on=payload.closed_on, term_months=payload.term_months,
    )
    tagged(Renewal, lambda: actions.record_outcome(renewal, outcome, by=user))
    return _renewals().get(pk=renewal.pk)


@router.get("/reasons", response=list[ReasonOut], summary="List churn reasons")
@paginate(Pagination)
def list_reasons(request: HttpRequest) -> QuerySet[ChurnReason]:
    return ChurnReason.objects.order_by("position", "name")


@router.post("/reasons", response={201: ReasonOut, **WRITE_ERRORS}, summary="Add a churn reason")
def create_reason(request: HttpRequest, payload: ReasonIn) -> tuple[int, ChurnReason]:
    user = access.leader(user_of(request), REASONS_REFUSAL)
    reason = ChurnReason(**payload.model_dump())
    return 201, tagged(ChurnReason, lambda: actions.save_reason(reason, by=user))


@router.patch("/reasons/{int:reason_id}", response={200: ReasonOut, **WRITE_ERRORS},
              summary="Change a churn reason")
def update_reason(request: HttpRequest, reason_id: int, payload: ReasonPatch) -> ChurnReason:
    user = access.leader(user_of(request), REASONS_REFUSAL)
    reason = apply(get_object_or_404(ChurnReason, pk=reason_id), payload.model_dump(exclude_unset=True))
    return tagged(ChurnReason, lambda: actions.save_reason(reason, by=user))


@router.delete("/reasons/{int:reason_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a churn reason no renewal gives")
def delete_reason(request: HttpRequest, reason_id: int) -> tuple[int, None]:
    user = access.leader(user_of(request), REASONS_REFUSAL)
    reason = get_object_or_404(ChurnReason, pk=reason_id)
    actions.delete_reason(reason, by=user)
    return 204, None
