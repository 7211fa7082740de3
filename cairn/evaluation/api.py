"""Engagement evaluation in the API: rounds and their two questions, the lessons library,
promoting documents to templates, and personal development plans.

The same rules as the pages: everyone reads rounds, lessons and templates; who may change an
engagement answers its rounds and gathers its lessons; a lesson is its author's and the
leaders'; a development plan is read and changed only by its owner and CS leaders (anyone
else finds nothing). Writes go through cairn.evaluation.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cairn.adoption.models import Challenge
from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.documents import queries as documents
from cairn.documents import rules as document_rules
from cairn.documents.models import Document
from cairn.engagements.models import Engagement, Evaluation
from cairn.evaluation import actions, queries, rules
from cairn.evaluation.models import CustomerValue, DevelopmentPlan, Lesson, PlanItem, Tag
from cairn.evaluation.rules import LESSON_REFUSAL, PLAN_REFUSAL
from cairn.evaluation.schemas import (
    CompanyValueIn,
    CustomerValueIn,
    CustomerValuePatch,
    DevelopmentPlanIn,
    DevelopmentPlanItemIn,
    DevelopmentPlanItemOut,
    DevelopmentPlanItemPatch,
    DevelopmentPlanOut,
    DevelopmentPlanReviewIn,
    DevelopmentPlanReviewOut,
    GatherIn,
    LessonIn,
    LessonOut,
    LessonPatch,
    PromoteIn,
    RoundOut,
    TagName,
    TagOut,
    TemplateOut,
)
from cairn.evaluation.views import ROUND_REFUSAL
from cairn.people import access
from cairn.people.models import User
from cairn.resources import editable_engagement, tagged
from cairn.validation import Name

router = Router(tags=["evaluation"])

PROMOTE_REFUSAL = "Only people working on this engagement can make templates from its documents."


# --- Rounds ----------------------------------------------------------------------------------


class RoundFilter(Schema):
    engagement: int | None = None
    open: bool | None = None


@router.get("/rounds", response=list[RoundOut], summary="List evaluation rounds, newest first")
@paginate(Pagination)
def list_rounds(request: HttpRequest, filters: Query[RoundFilter]) -> QuerySet[Evaluation]:
    found = queries.rounds().order_by("-opened_at", "-pk")
    if filters.engagement is not None:
        found = found.filter(engagement=filters.engagement)
    if filters.open is not None:
        found = found.filter(closed_at__isnull=filters.open)
    return found


@router.get("/rounds/{int:round_id}", response={200: RoundOut, **READ_ERRORS},
            summary="Read a round with both of its answers")
def get_round(request: HttpRequest, round_id: int) -> Evaluation:
    return get_object_or_404(queries.rounds(), pk=round_id)


@router.post("/engagements/{int:engagement_id}/rounds", response={201: RoundOut, **WRITE_ERRORS},
             summary="Open an evaluation round (from value realization on)")
def open_round(request: HttpRequest, engagement_id: int) -> tuple[int, Evaluation]:
    engagement, user = editable_engagement(request, engagement_id)
    round = actions.open_round(engagement, by=user)
    return 201, queries.rounds().get(pk=round.pk)


def _round(request: HttpRequest, round_id: int) -> tuple[Evaluation, User]:
    user = user_of(request)
    return access.engagement_item(user, queries.rounds(), message=ROUND_REFUSAL, pk=round_id), user


@router.post("/rounds/{int:round_id}/close", response={200: RoundOut, **WRITE_ERRORS},
             summary="Close a round once both questions are answered")
def close_round(request: HttpRequest, round_id: int) -> Evaluation:
    round, user = _round(request, round_id)
    actions.close_round(round, by=user)
    return queries.rounds().get(pk=round.pk)


@router.post("/rounds/{int:round_id}/customer-values", response={201: RoundOut, **WRITE_ERRORS},
             summary="Record a value the customer got")
def add_customer_value(
    request: HttpRequest, round_id: int, payload: CustomerValueIn
) -> tuple[int, Evaluation]:
    round, user = _round(request, round_id)
    tagged(CustomerValue, lambda: actions.add_customer_value(round, payload.model_dump(), by=user))
    return 201, queries.rounds().get(pk=round.pk)


def _value(request: HttpRequest, value_id: int) -> tuple[CustomerValue, User]:
    user = user_of(request)
    value = access.engagement_item(
        user, CustomerValue.objects.select_related("round__engagement"), via="round.engagement",
        message=ROUND_REFUSAL, pk=value_id,
    )
    return value, user


@router.patch("/customer-values/{int:value_id}", response={200: RoundOut, **WRITE_ERRORS},
              summary="Change a value the customer got")
def update_customer_value(request: HttpRequest, value_id: int, payload: CustomerValuePatch) -> Evaluation:
    value, user = _value(request, value_id)
    data = payload.model_dump(exclude_unset=True)
    tagged(CustomerValue, lambda: actions.update_customer_value(value, data, by=user))
    return queries.rounds().get(pk=value.round_id)


@router.delete("/customer-values/{int:value_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a value the customer got")
def delete_customer_value(request: HttpRequest, value_id: int) -> tuple[int, None]:
    value, user = _value(request, value_id)
    actions.delete_customer_value(value, by=user)
    return 204, None


@router.post("/rounds/{int:round_id}/company-values", response={200: RoundOut, **WRITE_ERRORS},
             summary="Record (or change, or with an empty description remove) a value our company got")
def set_company_value(request: HttpRequest, round_id: int, payload: CompanyValueIn) -> Evaluation:
    round, user = _round(request, round_id)
    actions.set_company_value(
        round, payload.kind, payload.description, payload.reported_to, by=user
    )
    return queries.rounds().get(pk=round.pk)


# --- Lessons ----------------------------------------------------------------------------------


class LessonFilter(Schema):
    q: Name = ""
    tag: TagName = ""
    engagement: int | None = None


@router.get("/lessons", response=list[LessonOut],
            summary="Search the lessons library: every word of `q`, the `tag`, newest first")
@paginate(Pagination)
def list_lessons(request: HttpRequest, filters: Query[LessonFilter]) -> QuerySet[Lesson]:
    found = queries.search_lessons(queries.LessonSearch(q=filters.q, tag=filters.tag))
    if filters.engagement is not None:
        found = found.filter(engagement=filters.engagement)
    return found


@router.get("/lessons/{int:lesson_id}", response={200: LessonOut, **READ_ERRORS}, summary="Read a lesson")
def get_lesson(request: HttpRequest, lesson_id: int) -> Lesson:
    return get_object_or_404(queries.lessons(), pk=lesson_id)


@router.post("/lessons", response={201: LessonOut, **WRITE_ERRORS}, summary="Write a lesson afresh")
def create_lesson(request: HttpRequest, payload: LessonIn) -> tuple[int, Lesson]:
    user = access.writer(user_of(request))
    data = payload.model_dump(exclude={"tags"})
    if data["engagement"] is not None:
        data["engagement"] = related(Engagement, data["engagement"], "engagement")
    lesson = tagged(Lesson, lambda: actions.create_lesson(data, payload.tags, by=user))
    return 201, queries.lessons().get(pk=lesson.pk)


def _lesson(request: HttpRequest, lesson_id: int) -> tuple[Lesson, User]:
    user = user_of(request)
    return access.item(user, queries.lessons(), rules.can_change_lesson, LESSON_REFUSAL, pk=lesson_id), user


@router.patch("/lessons/{int:lesson_id}", response={200: LessonOut, **WRITE_ERRORS},
              summary="Change a lesson (its author or a leader)")
def update_lesson(request: HttpRequest, lesson_id: int, payload: LessonPatch) -> Lesson:
    lesson, user = _lesson(request, lesson_id)
    data = payload.model_dump(exclude_unset=True)
    tags = data.pop("tags", None)
    for name in ("title", "what_happened", "next_time"):
        if name in data and data[name] is None:
            data.pop(name)
    tagged(Lesson, lambda: actions.update_lesson(lesson, data, tags, by=user))
    return queries.lessons().get(pk=lesson.pk)


@router.delete("/lessons/{int:lesson_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a lesson (its author or a leader)")
def delete_lesson(request: HttpRequest, lesson_id: int) -> tuple[int, None]:
    lesson, user = _lesson(request, lesson_id)
    actions.delete_lesson(lesson, by=user)
    return 204, None


@router.post("/engagements/{int:engagement_id}/lessons", response={201: list[LessonOut], **WRITE_ERRORS},
             summary="Gather challenges of the engagement's log into the lessons library at once")
def gather_lessons(request: HttpRequest, engagement_id: int, payload: GatherIn) -> tuple[int, list[Lesson]]:
    engagement, user = editable_engagement(request, engagement_id)
    wanted = set(payload.challenges)
    picked = list(Challenge.objects.filter(pk__in=wanted))
    if len(picked) != len(wanted):
        missing = sorted(wanted - {c.pk for c in picked})[0]
        picked.append(related(Challenge, missing, "challenges"))
    gathered = actions.gather_lessons(engagement, picked, payload.tags, by=user)
    return 201, list(queries.lessons().filter(pk__in=[x.pk for x in gathered]).order_by("pk"))


@router.get("/tags", response=list[TagOut], summary="The lessons' tags, with how many lessons carry each")
@paginate(Pagination)
def list_tags(request: HttpRequest) -> QuerySet[Tag]:
    return Tag.objects.annotate(lessons_count=Count("lessons")).order_by("name")


# --- Templates ----------------------------------------------------------------------------------


@router.get("/templates", response=list[TemplateOut],
            summary="The team's templates with how often each was reused and where it came from")
@paginate(Pagination)
def list_templates(request: HttpRequest) -> QuerySet[Document]:
    return documents.templates()


@router.post("/documents/{int:document_id}/promote", response={201: TemplateOut, **WRITE_ERRORS},
             summary="Promote an engagement's document to a team template, in one step")
def promote(request: HttpRequest, document_id: int, payload: PromoteIn) -> tuple[int, Document]:
    user = user_of(request)
    document = access.item(
        user, Document.objects.select_related("current_version", "engagement"),
        document_rules.can_save_as_template, PROMOTE_REFUSAL, pk=document_id,
    )
    template = actions.promote(document, by=user, title=payload.title)
    return 201, documents.templates().get(pk=template.pk)


# --- Development plans -------------------------------------------------------------------------------


@router.get("/plans", response=list[DevelopmentPlanOut],
            summary="Development plans the caller may read: all for a leader, their own otherwise")
@paginate(Pagination)
def list_plans(request: HttpRequest) -> QuerySet[DevelopmentPlan]:
    visible = rules.visible_plans(user_of(request)).values("pk")
    return queries.plan_details().filter(pk__in=visible).order_by("user__first_name", "user__last_name", "pk")


@router.get("/plans/mine", response={200: DevelopmentPlanOut, **READ_ERRORS}, summary="My development plan")
def my_plan(request: HttpRequest) -> DevelopmentPlan:
    return get_object_or_404(queries.plan_details(), user=user_of(request))


@router.put("/plans/mine", response={200: DevelopmentPlanOut, **WRITE_ERRORS},
            summary="Write my career vision and critical success factors (starts my plan)")
def save_my_plan(request: HttpRequest, payload: DevelopmentPlanIn) -> DevelopmentPlan:
    user = access.writer(user_of(request))
    plan = tagged(DevelopmentPlan, lambda: actions.save_plan(user, payload.model_dump(), by=user))
    return queries.plan_details().get(pk=plan.pk)


@router.get("/plans/{int:plan_id}", response={200: DevelopmentPlanOut, **READ_ERRORS},
            summary="Read a development plan (its owner and leaders only; others get 404)")
def get_plan(request: HttpRequest, plan_id: int) -> DevelopmentPlan:
    visible = rules.visible_plans(user_of(request)).values("pk")
    return get_object_or_404(queries.plan_details().filter(pk__in=visible), pk=plan_id)


def _plan(request: HttpRequest, plan_id: int) -> tuple[DevelopmentPlan, User]:
    user = user_of(request)
    return access.item(user, queries.plan_details(), rules.can_change_plan, PLAN_REFUSAL, pk=plan_id), user


@router.post("/plans/{int:plan_id}/items", response={201: DevelopmentPlanItemOut, **WRITE_ERRORS},
             summary="Add an item to a development plan")
def add_item(request: HttpRequest, plan_id: int, payload: DevelopmentPlanItemIn) -> tuple[int, PlanItem]:
    plan, user = _plan(request, plan_id)
    return 201, tagged(PlanItem, lambda: actions.add_item(plan, payload.model_dump(), by=user))


def _item(request: HttpRequest, item_id: int) -> tuple[PlanItem, User]:
    user = user_of(request)
    item = access.item(
        user, PlanItem.objects.select_related("plan"), rules.can_change_plan_item, PLAN_REFUSAL,
        pk=item_id,
    )
    return item, user


@router.patch("/plan-items/{int:item_id}", response={200: DevelopmentPlanItemOut, **WRITE_ERRORS},
              summary="Change a plan item: title, target date, status")
def update_item(request: HttpRequest, item_id: int, payload: DevelopmentPlanItemPatch) -> PlanItem:
    item, user = _item(request, item_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return tagged(PlanItem, lambda: actions.update_item(item, data, by=user))  # type: ignore[no-any-return]


@router.delete("/plan-items/{int:item_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a plan item")
def delete_item(request: HttpRequest, item_id: int) -> tuple[int, None]:
    item, user = _item(request, item_id)
    actions.delete_item(item, by=user)
    return 204, None


@router.post("/plans/{int:plan_id}/reviews", response={201: DevelopmentPlanReviewOut, **WRITE_ERRORS},
             summary="Record a review of the plan held with a leader or a peer")
def add_review(request: HttpRequest, plan_id: int, payload: DevelopmentPlanReviewIn) -> tuple[int, object]:
    plan, user = _plan(request, plan_id)
    reviewer = related(User, payload.reviewer, "reviewer")
    review = actions.add_review(
        plan, held_on=payload.held_on, reviewer=reviewer, notes=payload.notes,
        next_steps=payload.next_steps, by=user,
    )
    return 201, review
