"""REST endpoints for onboarding, under /api/v1/onboarding/.

Writes go through the same actions as the pages, so the API keeps the same rules (dates
inside the plan, 24 hours a day, a signed-off plan stays as signed) and timeline entries.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, related, user_of
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement, EngagementActivity
from cairn.onboarding import actions, signoff, timesheets
from cairn.onboarding.models import (
    Milestone,
    OnboardingPlan,
    PlanActivity,
    PlanPhase,
    TimeEntry,
    WelcomePack,
)
from cairn.onboarding.queries import plan_view
from cairn.onboarding.schemas import (
    ActivityIn,
    EngagementHours,
    OnboardingDocumentRef,
    OnboardingPlanOut,
    PackIn,
    PackOut,
    PackStatusIn,
    PhaseIn,
    PhaseOut,
    PhasePatch,
    PlanActivityOut,
    PlanActivityPatch,
    PlanIn,
    PlanMilestoneIn,
    PlanMilestoneOut,
    PlanMilestonePatch,
    ReportIn,
    SignoffIn,
    SignoffOut,
    TimeFilter,
    TimeIn,
    TimeOut,
    TimePatch,
    TimeReport,
)
from cairn.people import access
from cairn.people.models import User
from cairn.resources import resource

router = Router(tags=["onboarding"])

_OWN_ENTRIES = "You change your own time entries; a leader corrects others'."


def _engagements() -> QuerySet[Engagement]:
    # The playbook version too: the onboarding phase is looked up in it.
    return Engagement.objects.select_related("account", "owner", "current_phase", "playbook_version")


def _engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=engagement_id)


def _editable(request: HttpRequest, engagement_id: int) -> tuple[Engagement, User]:
    """The engagement and the caller, fetched and checked in one call."""
    user = user_of(request)
    return access.editable_engagement(user, engagement_id, _engagements()), user


def _pack(engagement: Engagement) -> WelcomePack:
    return get_object_or_404(
        WelcomePack.objects.select_related("sender", "recipient", "sent_by", "reviewed_by"),
        engagement=engagement,
    )


def _plan(engagement: Engagement) -> OnboardingPlan:
    plan = get_object_or_404(OnboardingPlan, engagement=engagement)
    plan.engagement = engagement
    return plan


def _plan_out(plan: OnboardingPlan) -> dict[str, Any]:
    view = plan_view(plan)
    fields = {name: getattr(plan, name) for name in OnboardingPlanOut.model_fields if hasattr(plan, name)}
    fields.update({
        "done": view.done, "total": view.total, "percent": view.percent,
        "phases": [
            {
                **{name: getattr(p.phase, name) for name in ("id", "name", "start_date", "end_date",
                                                           "outputs", "outcomes")},
                "done": p.done, "total": p.total, "percent": p.percent, "activities": p.activities,
            }
            for p in view.phases
        ],
        "milestones": view.milestones,
    })
    return fields


# Welcome pack ------------------------------------------------------------------------------


@router.get(
    "/engagements/{int:engagement_id}/welcome-pack", response={200: PackOut, **READ_ERRORS},
    summary="The engagement's welcome pack",
)
def get_pack(request: HttpRequest, engagement_id: int) -> WelcomePack:
    return _pack(_engagement(engagement_id))


@router.put(
    "/engagements/{int:engagement_id}/welcome-pack", response={200: PackOut, **WRITE_ERRORS},
    summary="Create or change the welcome pack",
    description="A new pack starts from Cairn's prefill (subscriptions, products, team); the "
    "fields given replace it.",
)
def put_pack(request: HttpRequest, engagement_id: int, payload: PackIn) -> WelcomePack:
    engagement, user = _editable(request, engagement_id)
    pack = WelcomePack.objects.filter(engagement=engagement).first() or actions.prefilled_pack(engagement)
    pack.engagement = engagement
    apply(pack, payload.model_dump(exclude_unset=True), {"sender": User, "recipient": Contact})
    actions.save_pack(pack, by=user)
    return _pack(engagement)


@router.post(
    "/engagements/{int:engagement_id}/welcome-pack/status", response={200: PackOut, **WRITE_ERRORS},
    summary="Mark the welcome pack sent, received, reviewed with the customer, or back to draft",
)
def pack_status(request: HttpRequest, engagement_id: int, payload: PackStatusIn) -> WelcomePack:
    engagement, user = _editable(request, engagement_id)
    pack = _pack(engagement)
    pack.engagement = engagement
    actions.set_pack_status(pack, payload.status, on=payload.on or timezone.localdate(), by=user)
    return _pack(engagement)


# Plan ---------------------------------------------------------------------------------------


@router.get(
    "/engagements/{int:engagement_id}/plan", response={200: OnboardingPlanOut, **READ_ERRORS},
    summary="The onboarding plan with phases, activities, milestones and progress",
)
def get_plan(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    return _plan_out(_plan(_engagement(engagement_id)))


@router.put(
    "/engagements/{int:engagement_id}/plan", response={200: OnboardingPlanOut, **WRITE_ERRORS},
    summary="Create or change the plan's terms",
    description="Creating needs scope, start_date and deadline; changing takes any of them.",
)
def put_plan(request: HttpRequest, engagement_id: int, payload: PlanIn) -> dict[str, Any]:
    engagement, user = _editable(request, engagement_id)
    plan = OnboardingPlan.objects.filter(engagement=engagement).first() or OnboardingPlan(
        engagement=engagement
    )
    plan.engagement = engagement
    apply(plan, {k: ("" if v is None and k in ("fee_currency", "fee_note") else v)
                 for k, v in payload.model_dump(exclude_unset=True).items()})
    actions.save_plan(plan, by=user)
    return _plan_out(plan)


def _phases() -> QuerySet[PlanPhase]:
    return PlanPhase.objects.select_related("plan__engagement__account")


def _milestones() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("plan__engagement__account")


# Phases and milestones are added to the engagement's plan and read in it (GET .../plan).
resource(
    router, "cairn_onboarding_api", "plan/phases", PlanPhase, out=PhaseOut, create=PhaseIn,
    patch=PhasePatch, queryset=_phases, via="plan.engagement",
    save=lambda phase, changes, user: actions.save_phase(phase, by=user),
    delete=lambda phase, engagement, user: actions.delete_phase(phase, by=user),
    nested=True, parent=("plan", OnboardingPlan), parent_of=_plan, item_path="phases",
    item_param="phase_id", only={"create", "update", "delete"},
    summaries={"create": "Add a phase to the plan", "update": "Update Phase", "delete": "Delete Phase"},
)
resource(
    router, "cairn_onboarding_api", "plan/milestones", Milestone, out=PlanMilestoneOut,
    create=PlanMilestoneIn, patch=PlanMilestonePatch, queryset=_milestones,
    via="plan.engagement", relations={"phase": PlanPhase},
    save=lambda milestone, changes, user: actions.save_milestone(milestone, by=user),
    delete=lambda milestone, engagement, user: actions.delete_milestone(milestone, by=user),
    nested=True, parent=("plan", OnboardingPlan), parent_of=_plan, item_path="milestones",
    item_param="milestone_id", only={"create", "update", "delete"},
    summaries={"create": "Add a milestone", "update": "Update Milestone", "delete": "Delete Milestone"},
)


@router.post(
    "/milestones/{int:milestone_id}/report", response={201: OnboardingDocumentRef, **WRITE_ERRORS},
    summary="Write the customer-facing milestone report into the central repository",
)
def milestone_report(
    request: HttpRequest, milestone_id: int, payload: ReportIn
) -> tuple[int, dict[str, Any]]:
    user = user_of(request)
    milestone = access.engagement_item(user, _milestones(), via="plan.engagement", pk=milestone_id)
    report = actions.write_milestone_report(
        milestone, by=user, next_steps=payload.next_steps, include_hours=payload.include_hours
    )
    report.refresh_from_db()
    number = report.current_version.number if report.current_version else 0
    return 201, {"id": report.pk, "title": report.title, "version": number}


def _activities() -> QuerySet[PlanActivity]:
    return PlanActivity.objects.select_related(
        "phase__plan__engagement__account", "responsible_user", "responsible_contact"
    )


_ACTIVITY_RELATIONS = {"phase": PlanPhase, "responsible_user": User, "responsible_contact": Contact}


def _save_activity(activity: PlanActivity, changes: dict[str, Any], user: User) -> PlanActivity:
    """Apply the changes, refusing a phase of another plan (the helper sets no fields, so
    the plan the activity was in is known here)."""
    plan = activity.phase.plan
    apply(activity, changes, _ACTIVITY_RELATIONS)
    if activity.phase.plan_id != plan.pk:
        raise ValidationError({"phase": "That phase belongs to another plan."})
    activity.phase.plan = plan
    return actions.save_activity(activity, by=user)


# Activities are added below (the phase named must be of the engagement's plan) and read in
# the plan (GET .../plan); they are changed and removed here.
resource(
    router, "cairn_onboarding_api", "plan/activities", PlanActivity, out=PlanActivityOut,
    create=ActivityIn, patch=PlanActivityPatch, queryset=_activities, via="phase.plan.engagement",
    save=_save_activity,
    delete=lambda activity, engagement, user: actions.delete_activity(activity, by=user),
    set_fields=False, item_path="activities", item_param="activity_id",
    only={"update", "delete"},
    summaries={"update": "Update Activity", "delete": "Delete Activity"},
)


@router.post(
    "/engagements/{int:engagement_id}/plan/activities", response={201: PlanActivityOut, **WRITE_ERRORS},
    summary="Add an activity to a phase",
)
def create_activity(
    request: HttpRequest, engagement_id: int, payload: ActivityIn
) -> tuple[int, PlanActivity]:
    engagement, user = _editable(request, engagement_id)
    plan = _plan(engagement)
    activity = apply(PlanActivity(), payload.model_dump(exclude_unset=True), _ACTIVITY_RELATIONS)
    if activity.phase.plan_id != plan.pk:
        raise ValidationError({"phase": "That phase belongs to another plan."})
    activity.phase.plan = plan
    return 201, actions.save_activity(activity, by=user)


@router.post(
    "/engagements/{int:engagement_id}/plan/sign-off", response={201: SignoffOut, **WRITE_ERRORS},
    summary="Send the sign-off summary to a customer stakeholder through a secure link",
    description="Every plan activity must be done. The answer gives the link's URL once.",
)
def request_signoff(
    request: HttpRequest, engagement_id: int, payload: SignoffIn
) -> tuple[int, dict[str, Any]]:
    engagement, user = _editable(request, engagement_id)
    plan = _plan(engagement)
    new = signoff.send_for_signoff(
        plan, contact=related(Contact, payload.contact, "contact"), by=user, days=payload.days,
        message=payload.message, send_email=payload.send_email,
    )
    version = new.link.version
    assert version is not None
    return 201, {
        "link_id": new.link.pk, "url": new.url, "expires_at": new.link.expires_at,
        "document": {"id": version.document_id, "title": new.link.document_title, "version": version.number},
    }


# Time ---------------------------------------------------------------------------------------


def _filters(filters: TimeFilter) -> timesheets.Filters:
    return timesheets.Filters(
        date_from=filters.date_from, date_to=filters.date_to, user_id=filters.user,
        engagement_id=filters.engagement, phase_key=filters.phase or "",
    )


@router.get("/time-entries", response=list[TimeOut], summary="Time entries, newest first")
@paginate(Pagination)
def list_time(request: HttpRequest, filters: Query[TimeFilter]) -> QuerySet[TimeEntry]:
    return timesheets.entries(_filters(filters))


@router.get(
    "/time-report", response=TimeReport,
    summary="Hours in all, per CSM and per phase (per engagement: /time-report/engagements)",
)
def time_report(request: HttpRequest, filters: Query[TimeFilter]) -> dict[str, Any]:
    totals = timesheets.totals(_filters(filters))
    return {
        "total": totals.total,
        "by_user": [{"user_id": r["user"], "name": r["name"], "hours": r["hours"]} for r in totals.by_user],
        "by_phase": totals.by_phase,
    }


@router.get(
    "/time-report/engagements", response=list[EngagementHours],
    summary="Hours per engagement, most first (a page at a time: it can cover the whole book)",
)
@paginate(Pagination)
def time_report_engagements(request: HttpRequest, filters: Query[TimeFilter]) -> QuerySet[Any, Any]:
    return timesheets.engagement_hours(_filters(filters))


_TIME_RELATIONS = {"plan_activity": PlanActivity, "checklist_activity": EngagementActivity}


def _save_time(entry: TimeEntry, changes: dict[str, Any], user: User) -> TimeEntry:
    """Book or change hours (who may: timesheets.can_change, checked as the entry is fetched,
    before the payload's ids are looked up)."""
    apply(entry, changes, _TIME_RELATIONS)
    return timesheets.log_time(entry, by=user)


def _delete_time(entry: TimeEntry, engagement: Engagement, user: User) -> None:
    timesheets.delete_time(entry, by=user)


# Hours are booked as the caller, who changes and removes only their own (a leader anyone's);
# they are read through the filtered list above.
resource(
    router, "cairn_onboarding_api", "time-entries", TimeEntry, out=TimeOut, create=TimeIn,
    patch=TimePatch, queryset=lambda: timesheets.entries(timesheets.Filters()),
    save=_save_time, delete=_delete_time, set_fields=False, item_param="entry_id",
    only={"create", "update", "delete"}, may_change=timesheets.can_change, refusal=_OWN_ENTRIES,
    summaries={"create": "Book hours (as yourself)", "update": "Update Time", "delete": "Delete Time"},
)
