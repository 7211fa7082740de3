"""The adoption tools in the REST API, under /api/v1/adoption/.

Every record kind has the same five endpoints (list by engagement, read, create, change,
delete), made by the shared `cairn.resources.resource`; the plan, readiness decisions and
governance reports have their own. Writes go through cairn.adoption.actions, so the API keeps the rules, the
permissions and the timeline of the pages.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.adoption import actions, queries, schemas
from cairn.adoption.models import (
    AdoptionPlan,
    Challenge,
    Consideration,
    GovernanceMeeting,
    ImpactedGroup,
    ImpactedProcess,
    Kpi,
    KpiMilestone,
    KpiReading,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessWorkshop,
    Risk,
    RiskStatus,
    RoadmapStep,
    WorkPackage,
    risk_level,
)
from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.customers.models import Contact
from cairn.documents.actions import EditConflict
from cairn.engagements.models import Engagement, Outcome
from cairn.people import access
from cairn.people.models import User
from cairn.resources import Saver, editable_engagement, engagement_or_404, tagged
from cairn.resources import resource as shared_resource

router = Router(tags=["adoption"])


def resource(
    path: str, model: type[models.Model], *, via: str = "engagement",
    save: Saver | None = None, **options: Any,
) -> None:
    """The shared CRUD endpoints, with adoption's operation ids and writes."""

    def save_item(instance: Any, changes: dict[str, Any], user: User) -> Any:
        return actions.save_item(instance, attrgetter(via)(instance), by=user)

    shared_resource(
        router, "adoption", path, model, via=via, save=save or save_item,
        delete=lambda instance, engagement, user: actions.delete_item(instance, engagement, by=user),
        **options,
    )


def _save_work_package(instance: WorkPackage, extra: dict[str, Any], user: User) -> WorkPackage:
    section = extra.get("plan_section")
    return actions.save_work_package(instance, by=user, from_section=section or None)


def _save_reading(instance: KpiReading, extra: dict[str, Any], user: User) -> KpiReading:
    if instance.pk is None:
        instance.recorded_by = user
    return actions.save_item(instance, instance.kpi.engagement, by=user)


def _kpis() -> QuerySet[Kpi]:
    return Kpi.objects.select_related("engagement").prefetch_related(
        Prefetch("milestones", queryset=KpiMilestone.objects.order_by("date")),
        Prefetch("readings", queryset=KpiReading.objects.order_by("date")),
    ).order_by("name", "pk")


resource(
    "processes", ImpactedProcess, out=schemas.ProcessOut, create=schemas.ProcessIn,
    patch=schemas.ProcessPatch,
    queryset=lambda: ImpactedProcess.objects.select_related("engagement").order_by("name", "pk"),
)
resource(
    "groups", ImpactedGroup, out=schemas.GroupOut, create=schemas.GroupIn, patch=schemas.GroupPatch,
    relations={"manager": Contact},
    queryset=lambda: ImpactedGroup.objects.select_related("engagement").order_by("name", "pk"),
)
resource(
    "considerations", Consideration, out=schemas.ConsiderationOut, create=schemas.ConsiderationIn,
    patch=schemas.ConsiderationPatch, relations={"group": ImpactedGroup},
    queryset=lambda: Consideration.objects.select_related("engagement").order_by("kind", "title", "pk"),
)
resource(
    "risks", Risk, out=schemas.RiskOut, create=schemas.RiskIn, patch=schemas.RiskPatch,
    queryset=lambda: Risk.objects.select_related("engagement").order_by("title", "pk"),
)
resource(
    "roadmap-steps", RoadmapStep, out=schemas.StepOut, create=schemas.StepIn, patch=schemas.StepPatch,
    queryset=lambda: RoadmapStep.objects.select_related("engagement").order_by("starts", "pk"),
)
resource(
    "pilots", Pilot, out=schemas.PilotOut, create=schemas.PilotIn, patch=schemas.PilotPatch,
    queryset=lambda: Pilot.objects.select_related("engagement").prefetch_related("criteria").order_by("pk"),
)
resource(
    "pilot-criteria", PilotCriterion, out=schemas.PilotCriterionOut, create=schemas.PilotCriterionIn,
    patch=schemas.PilotCriterionPatch, via="pilot.engagement", parent=("pilot", Pilot),
    queryset=lambda: PilotCriterion.objects.select_related("pilot__engagement").order_by("pilot", "pk"),
)
resource(
    "work-packages", WorkPackage, out=schemas.WorkPackageOut, create=schemas.WorkPackageIn,
    patch=schemas.WorkPackagePatch, save=_save_work_package,
    extras=frozenset({"plan_section"}),
    queryset=lambda: WorkPackage.objects.select_related("engagement").order_by("due_date", "title", "pk"),
)
resource(
    "readiness-workshops", ReadinessWorkshop, out=schemas.WorkshopOut, create=schemas.WorkshopIn,
    patch=schemas.WorkshopPatch,
    queryset=lambda: ReadinessWorkshop.objects.select_related("engagement").order_by("-held_on", "-pk"),
)
resource(
    "readiness-items", ReadinessItem, out=schemas.ItemOut, create=schemas.ItemIn, patch=schemas.ItemPatch,
    via="workshop.engagement", parent=("workshop", ReadinessWorkshop),
    queryset=lambda: ReadinessItem.objects.select_related("workshop__engagement").order_by("workshop", "pk"),
)
resource(
    "kpis", Kpi, out=schemas.KpiOut, create=schemas.KpiIn, patch=schemas.KpiPatch,
    relations={"outcome": Outcome}, queryset=_kpis,
)
resource(
    "kpi-milestones", KpiMilestone, out=schemas.KpiMilestoneOut, create=schemas.KpiMilestoneIn,
    patch=schemas.KpiMilestonePatch, via="kpi.engagement", parent=("kpi", Kpi),
    queryset=lambda: KpiMilestone.objects.select_related("kpi__engagement").order_by("kpi", "date"),
)
resource(
    "kpi-readings", KpiReading, out=schemas.ReadingOut, create=schemas.ReadingIn,
    patch=schemas.ReadingPatch, via="kpi.engagement", parent=("kpi", Kpi), save=_save_reading,
    queryset=lambda: KpiReading.objects.select_related("kpi__engagement", "recorded_by").order_by(
        "kpi", "date"
    ),
)
resource(
    "challenges", Challenge, out=schemas.ChallengeOut, create=schemas.ChallengeIn,
    patch=schemas.ChallengePatch,
    queryset=lambda: Challenge.objects.select_related("engagement").order_by("-raised_on", "-pk"),
)


# --- Risk heat map, lessons ----------------------------------------------------------------


@router.get("/engagements/{int:engagement_id}/heat-map",
            response={200: list[schemas.HeatCell], **READ_ERRORS},
            summary="Open and mitigating risks counted by likelihood and impact (25 cells)")
def heat_map(request: HttpRequest, engagement_id: int) -> list[dict[str, Any]]:
    engagement = engagement_or_404(engagement_id)
    counts = {
        (likelihood, impact): n
        for likelihood, impact, n in engagement.risks.exclude(status=RiskStatus.CLOSED)
        .values_list("likelihood", "impact").annotate(n=models.Count("id")).order_by()
    }
    return [
        {"likelihood": lk, "impact": im, "level": risk_level(lk * im), "count": counts.get((lk, im), 0)}
        for lk in range(5, 0, -1) for im in range(1, 6)
    ]


@router.get("/engagements/{int:engagement_id}/lessons", response=list[schemas.ChallengeOut],
            summary="Challenges flagged as lessons, for engagement evaluation")
@paginate(Pagination)
def lessons(request: HttpRequest, engagement_id: int) -> QuerySet[Challenge]:
    engagement = engagement_or_404(engagement_id)
    return engagement.challenges.filter(is_lesson=True).order_by("-raised_on", "-pk")


# --- The adoption plan ---------------------------------------------------------------------


def _plan_out(engagement: Engagement) -> AdoptionPlan:
    return queries.plan_of(engagement) or AdoptionPlan(engagement=engagement)


@router.get("/plans/{int:engagement_id}", response={200: schemas.AdoptionPlanOut, **READ_ERRORS},
            summary="The engagement's adoption plan: outline, approval, detail, roadmap")
def get_plan(request: HttpRequest, engagement_id: int) -> AdoptionPlan:
    return _plan_out(engagement_or_404(engagement_id))


def _plan_text(
    request: HttpRequest, engagement_id: int, payload: schemas.PlanText,
    write: Callable[..., AdoptionPlan],
) -> Any:
    engagement, user = editable_engagement(request, engagement_id)
    try:
        write(engagement, payload.body, by=user, base_version=payload.base_version, comment=payload.comment)
    except EditConflict as exc:
        return 409, {"detail": str(exc), "current_version": exc.current.number}
    return 200, _plan_out(engagement)


@router.put("/plans/{int:engagement_id}/outline",
            response={200: schemas.AdoptionPlanOut, 409: schemas.PlanVersionConflict, **WRITE_ERRORS},
            summary="Write the outline plan (after an approval, a new version that needs a new one)")
def put_outline(request: HttpRequest, engagement_id: int, payload: schemas.PlanText) -> Any:
    return _plan_text(request, engagement_id, payload, actions.write_outline)


@router.post("/plans/{int:engagement_id}/approval", response={200: schemas.AdoptionPlanOut, **WRITE_ERRORS},
             summary="Record the key stakeholder's approval of the current outline version (refused "
                     "when it is approved already)")
def approve(request: HttpRequest, engagement_id: int, payload: schemas.ApprovalIn) -> AdoptionPlan:
    engagement, user = editable_engagement(request, engagement_id)
    stakeholder = related(Contact, payload.approved_by, "approved_by")
    tagged(AdoptionPlan, lambda: actions.approve_outline(
        engagement, stakeholder=stakeholder, approved_on=payload.approved_on, note=payload.note, by=user,
    ))
    return _plan_out(engagement)


@router.put("/plans/{int:engagement_id}/detailed",
            response={200: schemas.AdoptionPlanOut, 409: schemas.PlanVersionConflict, **WRITE_ERRORS},
            summary="Write the detailed plan (only once the outline is approved)")
def put_detailed(request: HttpRequest, engagement_id: int, payload: schemas.PlanText) -> Any:
    return _plan_text(request, engagement_id, payload, actions.write_detailed)


@router.put("/plans/{int:engagement_id}/roadmap-summary",
            response={200: schemas.AdoptionPlanOut, **WRITE_ERRORS},
            summary="The roadmap's summary for the workforce")
def put_summary(request: HttpRequest, engagement_id: int, payload: schemas.SummaryIn) -> AdoptionPlan:
    engagement, user = editable_engagement(request, engagement_id)
    actions.save_roadmap_summary(engagement, payload.roadmap_summary, by=user)
    return _plan_out(engagement)


@router.post("/plans/{int:engagement_id}/roadmap/publish",
             response={200: schemas.AdoptionPlanOut, **WRITE_ERRORS},
             summary="Publish the roadmap into the repository (a new version each time)")
def publish(request: HttpRequest, engagement_id: int) -> AdoptionPlan:
    engagement, user = editable_engagement(request, engagement_id)
    actions.publish_roadmap(engagement, by=user)
    return _plan_out(engagement)


# --- Readiness decisions, governance -------------------------------------------------------


def _items() -> QuerySet[ReadinessItem]:
    return ReadinessItem.objects.select_related("workshop__engagement")


def _item(item_id: int) -> ReadinessItem:
    return get_object_or_404(_items(), pk=item_id)


def _editable_item(request: HttpRequest, item_id: int) -> tuple[ReadinessItem, User]:
    user = user_of(request)
    return access.engagement_item(user, _items(), via="workshop.engagement", pk=item_id), user


@router.post("/readiness-items/{int:item_id}/resolve", response={200: schemas.ItemOut, **WRITE_ERRORS},
             summary="Mark a checklist item resolved, saying how")
def resolve(request: HttpRequest, item_id: int, payload: schemas.ResolveIn) -> ReadinessItem:
    item, user = _editable_item(request, item_id)
    tagged(ReadinessItem, lambda: actions.resolve_item(item, payload.resolution, by=user))
    return _item(item_id)


@router.post("/readiness-items/{int:item_id}/carry", response={201: schemas.ChallengeOut, **WRITE_ERRORS},
             summary="Carry an open checklist item into the challenge log as an issue")
def carry(request: HttpRequest, item_id: int, payload: schemas.CarryIn) -> Any:
    item, user = _editable_item(request, item_id)
    challenge = actions.carry_as_issue(item, impact=payload.impact, by=user)
    return 201, challenge


def _meetings() -> QuerySet[GovernanceMeeting]:
    return GovernanceMeeting.objects.select_related("report__current_version").order_by("-held_on", "-pk")


@router.get("/governance-meetings", response=list[schemas.GovernanceOut], summary="List governance reports")
@paginate(Pagination)
def list_meetings(
    request: HttpRequest,
    engagement: int | None = Query(None, description="Only this engagement's."),  # type: ignore[assignment]
) -> QuerySet[GovernanceMeeting]:
    meetings = _meetings()
    return meetings.filter(engagement_id=engagement) if engagement is not None else meetings


@router.get("/governance-meetings/{int:meeting_id}", response={200: schemas.GovernanceOut, **READ_ERRORS})
def get_meeting(request: HttpRequest, meeting_id: int) -> GovernanceMeeting:
    return get_object_or_404(_meetings(), pk=meeting_id)


@router.post("/governance-meetings", response={201: schemas.GovernanceOut, **WRITE_ERRORS},
             summary="Record a governance meeting; Cairn writes its report from the data")
def create_meeting(request: HttpRequest, payload: schemas.GovernanceIn) -> Any:
    user = user_of(request)
    engagement = access.editable_engagement(user, payload.engagement, field="engagement")
    meeting = actions.hold_governance_meeting(
        engagement, held_on=payload.held_on, attendees=payload.attendees, decisions=payload.decisions,
        by=user,
    )
    return 201, _meetings().get(pk=meeting.pk)
