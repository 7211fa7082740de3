"""REST endpoints for engagements, their checklist (activities), outcomes and phase moves.

Writes go through cairn.engagements.actions, so the API keeps the same gates and records
the same history and timeline entries as the UI.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    GateConflict,
    Pagination,
    apply,
    related,
    user_of,
)
from cairn.customers.models import Account
from cairn.engagements import actions
from cairn.engagements.models import Engagement, EngagementActivity, Outcome, PhaseMove
from cairn.engagements.schemas import (
    ActivityOut,
    ActivityPatch,
    EngagementFilter,
    EngagementIn,
    EngagementOut,
    EngagementPatch,
    MoveIn,
    MoveOut,
    OutcomeFilter,
    OutcomeIn,
    OutcomeOut,
    OutcomePatch,
)
from cairn.people import access, permissions
from cairn.people.models import User
from cairn.resources import tagged

engagements = Router(tags=["engagements"])
activities = Router(tags=["activities"])
outcomes = Router(tags=["outcomes"])


def _engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("account", "owner", "current_phase").prefetch_related(
        "team"
    )



def _users(ids: list[int], field: str) -> list[User]:
    found = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({field: f"There is no user with id {missing[0]}."})
    return [found[pk] for pk in ids]


@engagements.get("/", response=list[EngagementOut], summary="List engagements")
@paginate(Pagination)
def list_engagements(
    request: HttpRequest, filters: Query[EngagementFilter]
) -> QuerySet[Engagement]:
    queryset = _engagements()
    if filters.account is not None:
        queryset = queryset.filter(account_id=filters.account)
    if filters.owner is not None:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.phase:
        queryset = queryset.filter(current_phase__key=filters.phase)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return queryset.order_by("account__name", "initiative", "pk")


@engagements.get("/{int:engagement_id}", response={200: EngagementOut, **READ_ERRORS})
def get_engagement(request: HttpRequest, engagement_id: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=engagement_id)


@engagements.post(
    "/", response={201: EngagementOut, **WRITE_ERRORS}, summary="Start an engagement"
)
def create_engagement(request: HttpRequest, payload: EngagementIn) -> tuple[int, Engagement]:
    user = user_of(request)
    account = related(Account, payload.account, "account")
    owner = related(User, payload.owner, "owner") if payload.owner is not None else user
    team = _users(payload.team, "team")
    # One check: everyone reads every account, so looking the ids up first tells a refused
    # caller nothing.
    access.engagement_starter(
        user, account, owner, team,
        "You can start engagements only on accounts you look after, and only ones you lead or "
        "work on." if permissions.can_write(user) else "Read-only users cannot start engagements.",
    )
    data = actions.EngagementData(
        initiative=payload.initiative, owner=owner, start_date=payload.start_date,
        challenge=payload.challenge, required_outcomes=payload.required_outcomes,
        solution=payload.solution,
    )
    engagement = actions.start_engagement(account, data, by=user, team=team)
    return 201, _engagements().get(pk=engagement.pk)


@transaction.atomic
def _update(engagement: Engagement, data: dict[str, Any], *, by: User) -> None:
    """Fields, team and status change together or not at all."""
    status = data.pop("status", None)
    reason = data.pop("status_reason", "")
    team = data.pop("team", None)
    if "owner" in data and data["owner"] is None:
        raise ValidationError({"owner": "An engagement needs a lead CSM."})
    if "owner" in data:
        data["owner"] = related(User, data["owner"], "owner")
    actions.update_engagement(
        engagement, data, by=by, team=_users(team, "team") if team is not None else None
    )
    if status is not None:
        actions.set_status(engagement, status, by=by, reason=reason)


@engagements.patch("/{int:engagement_id}", response={200: EngagementOut, **WRITE_ERRORS})
def update_engagement(
    request: HttpRequest, engagement_id: int, payload: EngagementPatch
) -> Engagement:
    user = user_of(request)
    engagement = access.editable_engagement(user, engagement_id)
    _update(engagement, payload.model_dump(exclude_unset=True), by=user)
    return _engagements().get(pk=engagement.pk)


@engagements.post(
    "/{int:engagement_id}/move",
    response={200: MoveOut, 409: GateConflict, **WRITE_ERRORS},
    summary="Move to another phase",
    description=(
        "Moving back is always allowed. Moving forward past required outputs that are not "
        "delivered answers 409 naming them, unless `override` is true and a `reason` given."
    ),
)
def move_engagement(request: HttpRequest, engagement_id: int, payload: MoveIn) -> PhaseMove:
    user = user_of(request)
    engagement = access.editable_engagement(
        user, engagement_id, Engagement.objects.select_related("account")
    )
    target = engagement.playbook_version.phases.filter(key=payload.to_phase).first()
    if target is None:
        raise ValidationError(
            {"to_phase": f"This engagement's playbook has no phase {payload.to_phase!r}."}
        )
    move = actions.move_to_phase(
        engagement, target, by=user, reason=payload.reason, override=payload.override
    )
    return PhaseMove.objects.select_related("from_phase", "to_phase", "moved_by").get(pk=move.pk)


@engagements.get(
    "/{int:engagement_id}/moves", response={200: list[MoveOut], **READ_ERRORS},
    summary="Phase moves, newest first",
)
def list_moves(request: HttpRequest, engagement_id: int) -> QuerySet[PhaseMove]:
    engagement = get_object_or_404(Engagement, pk=engagement_id)
    return engagement.moves.select_related("from_phase", "to_phase", "moved_by")


def _activities() -> QuerySet[EngagementActivity]:
    return EngagementActivity.objects.select_related(
        "activity__phase", "assignee", "completed_by"
    )


@engagements.get(
    "/{int:engagement_id}/activities", response={200: list[ActivityOut], **READ_ERRORS},
    summary="The engagement's checklist, phase by phase",
)
def list_activities(request: HttpRequest, engagement_id: int) -> QuerySet[EngagementActivity]:
    # A checklist is as long as its playbook version, so it comes whole, unpaginated.
    engagement = get_object_or_404(Engagement, pk=engagement_id)
    return _activities().filter(engagement=engagement)


@activities.get("/{int:activity_id}", response={200: ActivityOut, **READ_ERRORS})
def get_activity(request: HttpRequest, activity_id: int) -> EngagementActivity:
    return get_object_or_404(_activities(), pk=activity_id)


@activities.patch(
    "/{int:activity_id}", response={200: ActivityOut, **WRITE_ERRORS},
    summary="Tick, skip or reopen a checklist item, or change its assignee, due date, note",
)
def update_activity(
    request: HttpRequest, activity_id: int, payload: ActivityPatch
) -> EngagementActivity:
    user = user_of(request)
    item = access.engagement_item(user, _activities().select_related("engagement"), pk=activity_id)
    data = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {
        "status": data.get("status"),
        "skip_reason": data.get("skip_reason"),
        "note": data.get("note"),
    }
    # update_activity takes False for "not given", since None (unassign, no date) is a value.
    if "assignee" in data:
        changes["assignee"] = (
            None if data["assignee"] is None else related(User, data["assignee"], "assignee")
        )
    if "due_date" in data:
        changes["due_date"] = data["due_date"]
    actions.update_activity(item, by=user, **changes)
    return _activities().get(pk=item.pk)


def _outcomes() -> QuerySet[Outcome]:
    return Outcome.objects.select_related("engagement")


@outcomes.get("/", response=list[OutcomeOut], summary="List outcomes")
@paginate(Pagination)
def list_outcomes(request: HttpRequest, filters: Query[OutcomeFilter]) -> QuerySet[Outcome]:
    return filters.filter(Outcome.objects.all()).order_by("due_date", "name", "pk")


@outcomes.get("/{int:outcome_id}", response={200: OutcomeOut, **READ_ERRORS})
def get_outcome(request: HttpRequest, outcome_id: int) -> Outcome:
    return get_object_or_404(_outcomes(), pk=outcome_id)


@outcomes.post("/", response={201: OutcomeOut, **WRITE_ERRORS}, summary="Add an outcome")
def create_outcome(request: HttpRequest, payload: OutcomeIn) -> tuple[int, Outcome]:
    user = user_of(request)
    data = payload.model_dump(exclude_unset=True)
    # The engagement is fetched and checked before the rest of the payload is read.
    engagement = access.editable_engagement(user, data.pop("engagement"), field="engagement")
    outcome = apply(Outcome(engagement=engagement), data)
    return 201, _saved_outcome(outcome, user)


@outcomes.patch("/{int:outcome_id}", response={200: OutcomeOut, **WRITE_ERRORS})
def update_outcome(request: HttpRequest, outcome_id: int, payload: OutcomePatch) -> Outcome:
    user = user_of(request)
    outcome = access.engagement_item(user, _outcomes(), pk=outcome_id)
    return _saved_outcome(apply(outcome, payload.model_dump(exclude_unset=True)), user)


@outcomes.delete("/{int:outcome_id}", response={204: None, **WRITE_ERRORS})
def delete_outcome(request: HttpRequest, outcome_id: int) -> tuple[int, None]:
    user = user_of(request)
    outcome = access.engagement_item(user, _outcomes(), pk=outcome_id)
    actions.delete_outcome(outcome, by=user)
    return 204, None


def _saved_outcome(outcome: Outcome, user: User) -> Outcome:
    return tagged(Outcome, lambda: actions.save_outcome(outcome, by=user))
