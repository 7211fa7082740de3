"""REST endpoints under /api/v1/commitment: stakeholders and their plan, the RACI, the first meeting.

Writes go through cairn.commitment.actions, so the API keeps the UI's rules, history and
timeline entries; everyone signed in reads, the engagement's people write.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from cairn.api import READ_ERRORS, WRITE_ERRORS, related, user_of
from cairn.commitment import actions
from cairn.commitment.models import FirstMeeting, NextStep, RaciActivity, RaciMember, Stakeholder
from cairn.commitment.queries import (
    Party,
    PlanLine,
    Responsibility,
    communication_plan,
    raci_parties,
    responsibilities,
)
from cairn.commitment.schemas import (
    CellIn,
    ContactLogIn,
    FirstMeetingIn,
    FirstMeetingOut,
    HeldIn,
    MemberIn,
    NextStepIn,
    NextStepOut,
    PartyOut,
    PlanLineOut,
    RaciActivityIn,
    RaciActivityOut,
    RaciOut,
    RaciRowOut,
    StakeholderIn,
    StakeholderOut,
    StakeholderPatch,
)
from cairn.customers.models import Contact
from cairn.documents.models import Document
from cairn.engagements.models import Engagement
from cairn.people import access
from cairn.people.models import User
from cairn.resources import editable_engagement, engagement_or_404, resource, tagged

router = Router(tags=["commitment"])


# --- Stakeholders -----------------------------------------------------------------------------


def _stakeholders() -> QuerySet[Stakeholder]:
    return Stakeholder.objects.select_related("contact", "owner", "engagement__account")


def _stakeholder(stakeholder_id: int) -> Stakeholder:
    return get_object_or_404(_stakeholders(), pk=stakeholder_id)


def _stakeholder_changes(data: dict[str, Any]) -> dict[str, Any]:
    if "owner" in data:
        data["owner"] = None if data["owner"] is None else related(User, data["owner"], "owner")
    if "contact" in data:
        data["contact"] = (
            None if data["contact"] is None else related(Contact, data["contact"], "contact")
        )
    return data


def _save_stakeholder(stakeholder: Stakeholder, data: dict[str, Any], user: User) -> Stakeholder:
    return actions.save_stakeholder(stakeholder, _stakeholder_changes(data), by=user)


# The action takes the changes as a whole (it records what moved on the matrix), so the
# helper hands it the payload rather than setting the fields itself.
resource(
    router, "cairn_commitment_api", "stakeholders", Stakeholder, out=StakeholderOut,
    create=StakeholderIn, patch=StakeholderPatch, queryset=_stakeholders,
    save=_save_stakeholder,
    delete=lambda stakeholder, engagement, user: actions.remove_stakeholder(stakeholder, by=user),
    set_fields=False, nested=True, item_param="stakeholder_id",
    summaries={
        "list": "The engagement's stakeholders, most powerful first",
        "create": "Add a stakeholder: a contact, or a category of similar people",
        "get": "Get Stakeholder",
        "update": "Move a stakeholder on the matrix, or change their plan",
        "delete": "Delete Stakeholder",
    },
)


@router.post(
    "/stakeholders/{int:stakeholder_id}/contacts", response={200: StakeholderOut, **WRITE_ERRORS},
    summary="Log a contact: on the timeline, and the next contact moves on by the cadence",
)
def log_contact(request: HttpRequest, stakeholder_id: int, payload: ContactLogIn) -> Stakeholder:
    user = user_of(request)
    stakeholder = access.engagement_item(user, _stakeholders(), pk=stakeholder_id)
    actions.log_contact(
        stakeholder, by=user, on=payload.on, kind=payload.kind, note=payload.note
    )
    return _stakeholder(stakeholder.pk)


@router.get(
    "/engagements/{int:engagement_id}/plan", response={200: list[PlanLineOut], **READ_ERRORS},
    summary="The stakeholder management plan",
)
def plan(request: HttpRequest, engagement_id: int) -> list[PlanLine]:
    return communication_plan(engagement_or_404(engagement_id))


# --- RACI -----------------------------------------------------------------------------------


def _raci(engagement: Engagement) -> dict[str, list[Party] | list[Responsibility]]:
    return {"parties": raci_parties(engagement), "rows": responsibilities(engagement)}


def _raci_activities() -> QuerySet[RaciActivity]:
    return RaciActivity.objects.select_related("engagement__account")


def _save_activity(activity: RaciActivity, data: dict[str, Any], user: User) -> RaciActivity:
    if activity.pk is None:
        return actions.add_raci_activity(activity.engagement, data["name"], by=user)
    return actions.rename_raci_activity(activity, data["name"], by=user)


# Activities are added, renamed and removed here; they are read in the RACI matrix.
resource(
    router, "cairn_commitment_api", "raci/activities", RaciActivity, out=RaciActivityOut,
    create=RaciActivityIn, patch=RaciActivityIn, queryset=_raci_activities,
    save=_save_activity,
    delete=lambda activity, engagement, user: actions.remove_raci_activity(activity, by=user),
    set_fields=False, nested=True, item_param="activity_id", only={"create", "update", "delete"},
    summaries={
        "create": "Add a RACI activity", "update": "Rename a RACI activity",
        "delete": "Delete Activity",
    },
)


@router.get(
    "/engagements/{int:engagement_id}/raci", response={200: RaciOut, **READ_ERRORS},
    summary="The RACI matrix: columns, and per activity the names by letter and the warnings",
)
def get_raci(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    return _raci(engagement_or_404(engagement_id))


@router.post(
    "/engagements/{int:engagement_id}/raci/seed",
    response={200: list[RaciActivityOut], **WRITE_ERRORS},
    summary="Add the checklist activities from the current phase on; returns those added",
)
def seed(request: HttpRequest, engagement_id: int) -> list[RaciActivity]:
    engagement, user = editable_engagement(request, engagement_id)
    return actions.seed_raci(engagement, by=user)


@router.put(
    "/raci/activities/{int:activity_id}/cell", response={200: RaciRowOut, **WRITE_ERRORS},
    summary="Set or clear one cell; returns the activity's row with its warnings",
)
def set_cell(request: HttpRequest, activity_id: int, payload: CellIn) -> Responsibility:
    user = user_of(request)
    activity = access.engagement_item(user, _raci_activities(), pk=activity_id)
    engagement = activity.engagement
    if (payload.stakeholder is None) == (payload.user is None):
        raise ValidationError({"stakeholder": "Give a stakeholder or a user, not both."})
    party = actions.PartyRef(
        stakeholder=(
            related(Stakeholder, payload.stakeholder, "stakeholder")
            if payload.stakeholder is not None else None
        ),
        user=related(User, payload.user, "user") if payload.user is not None else None,
    )
    actions.set_raci_cell(activity, party, payload.role, by=user)
    return next(r for r in responsibilities(engagement) if r.activity_id == activity.pk)


@router.post(
    "/engagements/{int:engagement_id}/raci/people",
    response={201: list[PartyOut], **WRITE_ERRORS},
    summary="Give one of our people a column; returns the columns",
)
def add_member(request: HttpRequest, engagement_id: int, payload: MemberIn) -> tuple[int, list[Party]]:
    engagement, user = editable_engagement(request, engagement_id)
    actions.add_raci_member(engagement, related(User, payload.user, "user"), by=user)
    return 201, raci_parties(engagement)


@router.delete(
    "/engagements/{int:engagement_id}/raci/people/{int:user_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove an added person's column, with their letters",
)
def remove_member(request: HttpRequest, engagement_id: int, user_id: int) -> tuple[int, None]:
    engagement, user = editable_engagement(request, engagement_id)
    member = get_object_or_404(
        RaciMember.objects.select_related("engagement", "user"), engagement=engagement,
        user_id=user_id,
    )
    actions.remove_raci_member(member, by=user)
    return 204, None


# --- First meeting ----------------------------------------------------------------------------


def _meeting_of(engagement: Engagement) -> FirstMeeting:
    meeting = (
        FirstMeeting.objects.filter(engagement=engagement)
        .select_related("engagement__account")
        .prefetch_related("contacts", "users", "documents", "next_steps__task__assignee")
        .first()
    )
    if meeting is None:
        raise Http404("The first meeting is not planned yet.")
    return meeting


def _ids(model: type[Model], ids: list[int], field: str) -> list[Any]:
    """The objects a request names by id in a list field, or a 400 naming the field."""
    found = {o.pk: o for o in model._default_manager.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        name = model._meta.verbose_name
        raise ValidationError({field: f"There is no {name} with id {missing[0]}."})
    return [found[pk] for pk in ids]


@router.get(
    "/engagements/{int:engagement_id}/first-meeting", response={200: FirstMeetingOut, **READ_ERRORS},
    summary="The first meeting: plan, minutes, next steps (404 before it is planned)",
)
def get_meeting(request: HttpRequest, engagement_id: int) -> FirstMeeting:
    return _meeting_of(engagement_or_404(engagement_id))


@router.put(
    "/engagements/{int:engagement_id}/first-meeting", response={200: FirstMeetingOut, **WRITE_ERRORS},
    summary="Write or replace the plan of the first meeting",
)
def put_meeting(request: HttpRequest, engagement_id: int, payload: FirstMeetingIn) -> FirstMeeting:
    engagement, user = editable_engagement(request, engagement_id)
    plan = actions.MeetingPlan(
        scheduled_at=payload.scheduled_at, place=payload.place, format=payload.format,
        length_minutes=payload.length_minutes, desired_outcomes=payload.desired_outcomes,
        agenda=[item.model_dump() for item in payload.agenda],
        contacts=_ids(Contact, payload.contacts, "contacts"),
        users=_ids(User, payload.users, "users"),
        documents=_ids(Document, payload.documents, "documents"),
        collateral_notes=payload.collateral_notes,
    )
    tagged(FirstMeeting, lambda: actions.plan_meeting(engagement, plan, by=user))
    return _meeting_of(engagement)


@router.post(
    "/engagements/{int:engagement_id}/first-meeting/held",
    response={200: FirstMeetingOut, **WRITE_ERRORS},
    summary="Record the meeting as held, with its minutes (Markdown)",
)
def hold(request: HttpRequest, engagement_id: int, payload: HeldIn) -> FirstMeeting:
    engagement, user = editable_engagement(request, engagement_id)
    actions.hold_meeting(
        _meeting_of(engagement), by=user, held_at=payload.held_at, minutes=payload.minutes
    )
    return _meeting_of(engagement)


@router.post(
    "/engagements/{int:engagement_id}/first-meeting/next-steps",
    response={201: NextStepOut, **WRITE_ERRORS},
    summary="Add an agreed next step; it becomes a task for its assignee",
)
def add_next_step(
    request: HttpRequest, engagement_id: int, payload: NextStepIn
) -> tuple[int, NextStep]:
    engagement, user = editable_engagement(request, engagement_id)
    step = actions.add_next_step(
        _meeting_of(engagement), by=user, title=payload.title,
        assignee=related(User, payload.assignee, "assignee"), due_date=payload.due_date,
    )
    return 201, NextStep.objects.select_related("task__assignee").get(pk=step.pk)
