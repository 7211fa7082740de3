"""Expansion and advocacy in the API: opportunities handed to Sales and closed, with their
history and pipeline; advocacy asks and the promoters worth asking; the hand-off policy.

The same rules as the pages: everyone reads; who may change the account works its
opportunities and its contacts' asks; leaders set the policy. Writes go through
cairn.expansion.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.customers.models import Contact, Product
from cairn.engagements.models import Engagement
from cairn.expansion import actions, queries
from cairn.expansion.actions import ASK_REFUSAL, CHANGE_REFUSAL, POLICY_REFUSAL
from cairn.expansion.models import AdvocacyAsk, HandoffPolicy, Opportunity, StageChange
from cairn.expansion.schemas import (
    AdvocacyAskIn,
    AdvocacyAskOut,
    AdvocacyAskPatch,
    AdvocacyCandidateOut,
    AskKindValue,
    AskStatusValue,
    HandoffPolicyIn,
    HandoffPolicyOut,
    KindValue,
    OpportunityCloseIn,
    OpportunityHandoffIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    OpportunityStageChangeOut,
    PipelineOut,
    StageValue,
)
from cairn.people import access
from cairn.people.models import User
from cairn.resources import tagged

router = Router(tags=["expansion"])

RELATIONS: dict[str, Any] = {
    "engagement": Engagement, "product": Product, "spotted_by": User, "confirmed_by": Contact,
}


class OpportunityFilter(Schema):
    stage: StageValue | None = None
    kind: KindValue | None = None
    spotted_by: int | None = None
    account: int | None = None


def _filters(filters: OpportunityFilter) -> queries.Filters:
    return queries.Filters(
        stage=filters.stage, kind=filters.kind, spotted_by=filters.spotted_by, account=filters.account
    )


def _not_null(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A PATCH may leave a field out, not null one that cannot be empty: a 400 naming it."""
    nulled = [name for name in names if name in data and data[name] is None]
    if nulled:
        raise ValidationError({name: "This field cannot be null." for name in nulled})
    return data


def _related(data: dict[str, Any]) -> dict[str, Any]:
    """The ids of a body turned into the records they name (a 400 naming the field if none)."""
    return {
        name: related(RELATIONS[name], value, name) if name in RELATIONS and value is not None else value
        for name, value in data.items()
    }


@router.get("/opportunities", response=list[OpportunityOut], summary="List opportunities, newest first")
@paginate(Pagination)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilter]) -> QuerySet[Opportunity]:
    return queries.filtered(_filters(filters))


@router.get("/opportunities/totals", response=PipelineOut,
            summary="How many opportunities and their ARR per stage, and the open pipeline")
def opportunity_totals(request: HttpRequest, filters: Query[OpportunityFilter]) -> queries.Totals:
    return queries.totals(queries.filtered(_filters(filters)))


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS},
             summary="Record an upsell or cross-sell opportunity on an account")
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> tuple[int, Opportunity]:
    user = user_of(request)
    account = access.editable_account(user, payload.account, message=CHANGE_REFUSAL, field="account")
    data = _related(payload.model_dump(exclude={"account"}))
    opportunity = Opportunity(account=account, **data)
    tagged(Opportunity, lambda: actions.create_opportunity(opportunity, by=user))
    return 201, queries.opportunities().get(pk=opportunity.pk)


@router.get("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **READ_ERRORS},
            summary="Read an opportunity")
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return get_object_or_404(queries.opportunities(), pk=opportunity_id)


def _changeable(request: HttpRequest, opportunity_id: int) -> tuple[Opportunity, User]:
    user = user_of(request)
    found = access.account_item(user, queries.opportunities(), message=CHANGE_REFUSAL, pk=opportunity_id)
    return found, user


@router.patch("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS},
              summary="Change an open opportunity; once Sales has it, its stage among Sales' stages")
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch) -> Opportunity:
    opportunity, user = _changeable(request, opportunity_id)
    data = _not_null(payload.model_dump(exclude_unset=True), (
        "kind", "title", "description", "amount", "stage", "sales_owner_name", "sales_owner_email",
        "crm_reference",
    ))
    tagged(Opportunity, lambda: actions.update_opportunity(opportunity, _related(data), by=user))
    return queries.opportunities().get(pk=opportunity.pk)


@router.delete("/opportunities/{int:opportunity_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete an opportunity")
def delete_opportunity(request: HttpRequest, opportunity_id: int) -> tuple[int, None]:
    opportunity, user = _changeable(request, opportunity_id)
    actions.delete_opportunity(opportunity, by=user)
    return 204, None


@router.post("/opportunities/{int:opportunity_id}/hand-off", response={200: OpportunityOut, **WRITE_ERRORS},
             summary="Hand an identified opportunity to a named sales owner, as the policy allows")
def hand_off(request: HttpRequest, opportunity_id: int, payload: OpportunityHandoffIn) -> Opportunity:
    opportunity, user = _changeable(request, opportunity_id)
    confirmed = None
    if payload.confirmed_by is not None:
        confirmed = related(Contact, payload.confirmed_by, "confirmed_by")
    handoff = actions.Handoff(
        sales_owner_name=payload.sales_owner_name, sales_owner_email=payload.sales_owner_email,
        crm_reference=payload.crm_reference, amount=payload.amount, confirmed_by=confirmed,
        handed_on=payload.handed_on,
    )
    tagged(Opportunity, lambda: actions.hand_off(opportunity, handoff, by=user))
    return queries.opportunities().get(pk=opportunity.pk)


@router.post("/opportunities/{int:opportunity_id}/close", response={200: OpportunityOut, **WRITE_ERRORS},
             summary="Record an opportunity's outcome: won at its closed ARR, or lost and why")
def close_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityCloseIn) -> Opportunity:
    opportunity, user = _changeable(request, opportunity_id)
    outcome = actions.Close(
        stage=payload.stage, closed_amount=payload.closed_amount, closed_on=payload.closed_on,
        reason=payload.close_reason,
    )
    tagged(Opportunity, lambda: actions.close(opportunity, outcome, by=user))
    return queries.opportunities().get(pk=opportunity.pk)


@router.get("/opportunities/{int:opportunity_id}/history",
            response={200: list[OpportunityStageChangeOut], **READ_ERRORS},
            summary="An opportunity's stage changes, oldest first")
def opportunity_history(request: HttpRequest, opportunity_id: int) -> QuerySet[StageChange]:
    return queries.history(get_object_or_404(Opportunity, pk=opportunity_id))


class AdvocacyAskFilter(Schema):
    status: AskStatusValue | None = None
    kind: AskKindValue | None = None
    account: int | None = None
    contact: int | None = None


@router.get("/asks", response=list[AdvocacyAskOut], summary="List advocacy asks, newest first")
@paginate(Pagination)
def list_asks(request: HttpRequest, filters: Query[AdvocacyAskFilter]) -> QuerySet[AdvocacyAsk]:
    found = queries.asks()
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    if filters.account is not None:
        found = found.filter(contact__account=filters.account)
    if filters.contact is not None:
        found = found.filter(contact=filters.contact)
    return found


@router.post("/asks", response={201: AdvocacyAskOut, **WRITE_ERRORS},
             summary="Plan or record an advocacy ask")
def create_ask(request: HttpRequest, payload: AdvocacyAskIn) -> tuple[int, AdvocacyAsk]:
    user = user_of(request)
    contact = access.account_item(
        user, Contact.objects.select_related("account"), message=ASK_REFUSAL, field="contact",
        pk=payload.contact,
    )
    data = payload.model_dump(exclude={"contact"})
    if data["asked_by"] is not None:
        data["asked_by"] = related(User, data["asked_by"], "asked_by")
    ask = AdvocacyAsk(contact=contact, **data)
    tagged(AdvocacyAsk, lambda: actions.create_ask(ask, by=user))
    return 201, queries.asks().get(pk=ask.pk)


@router.get("/asks/{int:ask_id}", response={200: AdvocacyAskOut, **READ_ERRORS},
            summary="Read an advocacy ask")
def get_ask(request: HttpRequest, ask_id: int) -> AdvocacyAsk:
    return get_object_or_404(queries.asks(), pk=ask_id)


def _changeable_ask(request: HttpRequest, ask_id: int) -> tuple[AdvocacyAsk, User]:
    user = user_of(request)
    found = access.account_item(user, queries.asks(), via="contact.account", message=ASK_REFUSAL, pk=ask_id)
    return found, user


@router.patch("/asks/{int:ask_id}", response={200: AdvocacyAskOut, **WRITE_ERRORS},
              summary="Change an advocacy ask: its status, dates, notes")
def update_ask(request: HttpRequest, ask_id: int, payload: AdvocacyAskPatch) -> AdvocacyAsk:
    ask, user = _changeable_ask(request, ask_id)
    data = _not_null(payload.model_dump(exclude_unset=True), ("kind", "status", "notes"))
    if data.get("asked_by") is not None:
        data["asked_by"] = related(User, data["asked_by"], "asked_by")
    tagged(AdvocacyAsk, lambda: actions.update_ask(ask, data, by=user))
    return queries.asks().get(pk=ask.pk)


@router.delete("/asks/{int:ask_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an advocacy ask")
def delete_ask(request: HttpRequest, ask_id: int) -> tuple[int, None]:
    ask, user = _changeable_ask(request, ask_id)
    actions.delete_ask(ask, by=user)
    return 204, None


@router.get("/candidates", response=list[AdvocacyCandidateOut],
            summary="NPS promoters (latest answer 9 or 10) with no open ask and not asked in 90 days")
@paginate(Pagination)
def list_candidates(request: HttpRequest, account: int | None = None) -> QuerySet[Contact]:
    return queries.candidates(timezone.localdate(), account=account)


@router.get("/policy", response=HandoffPolicyOut, summary="Read the hand-off policy")
def get_policy(request: HttpRequest) -> HandoffPolicy:
    return HandoffPolicy.current()


@router.put("/policy", response={200: HandoffPolicyOut, **WRITE_ERRORS},
            summary="Set the hand-off policy (leaders)")
def set_policy(request: HttpRequest, payload: HandoffPolicyIn) -> HandoffPolicy:
    user = access.leader(user_of(request), POLICY_REFUSAL)
    policy = HandoffPolicy.current()
    for name, value in payload.model_dump().items():
        setattr(policy, name, value)
    return tagged(HandoffPolicy, lambda: actions.save_policy(policy, by=user))  # type: ignore[no-any-return]

