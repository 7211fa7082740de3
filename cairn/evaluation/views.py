"""Engagement evaluation pages: a round's two questions, the team's lessons library (and
gathering lessons from a challenge log), and personal development plans. Thin: the actions
own the writes, the queries the reads, cairn.evaluation.rules who may do what."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.engagements.models import Engagement, Evaluation
from cairn.evaluation import actions, queries, rules
from cairn.evaluation.forms import (
    CompanyValueForm,
    CustomerValueForm,
    GatherForm,
    LessonForm,
    LessonSearchForm,
    PlanForm,
    PlanItemForm,
    ReviewForm,
)
from cairn.evaluation.models import CompanyValueKind, CustomerValue, DevelopmentPlan, Lesson, PlanItem
from cairn.evaluation.rules import LESSON_REFUSAL, PLAN_REFUSAL
from cairn.forms import add_errors, form_errors_text
from cairn.http import AuthedRequest, query_without_page
from cairn.people import access, permissions

PER_PAGE = 25
ROUND_REFUSAL = "You may not change this round: you neither own its engagement nor work on it."


# --- Rounds ----------------------------------------------------------------------------------


def _round_page(
    request: AuthedRequest, round: Evaluation, customer: CustomerValueForm | None = None,
    company: CompanyValueForm | None = None, status: int = 200,
) -> HttpResponse:
    can_edit = permissions.can_edit_engagement(request.user, round.engagement)
    kinds = {v.kind: v for v in round.company_values.all()}  # type: ignore[attr-defined]
    return render(request, "evaluation/round.html", {
        "round": round, "engagement": round.engagement, "can_edit": can_edit and round.is_open,
        "customer_form": customer or CustomerValueForm(),
        "company_form": company or CompanyValueForm(),
        "company_values": [kinds[k] for k in CompanyValueKind.values if k in kinds],
    }, status=status)


@require_GET
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(queries.rounds(), pk=pk)
    return _round_page(request, round)


def _changeable_round(request: AuthedRequest, pk: int) -> Evaluation:
    return access.engagement_item(request.user, queries.rounds(), message=ROUND_REFUSAL, pk=pk)


@require_POST
def customer_value_add(request: AuthedRequest, pk: int) -> HttpResponse:
    round = _changeable_round(request, pk)
    form = CustomerValueForm(request.POST)
    if form.is_valid():
        try:
            actions.add_customer_value(round, dict(form.cleaned_data), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Value the customer got recorded.")
            return redirect("evaluation_round", round.pk)
    return _round_page(request, round, customer=form, status=400)


def _changeable_value(request: AuthedRequest, pk: int) -> CustomerValue:
    return access.engagement_item(
        request.user, CustomerValue.objects.select_related("round__engagement__account"),
        via="round.engagement", message=ROUND_REFUSAL, pk=pk,
    )


@require_http_methods(["GET", "POST"])
def customer_value_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    value = _changeable_value(request, pk)
    if value.round.closed_at is not None:
        messages.info(request, "This round is closed: its answers can be read, not changed.")
        return redirect("evaluation_round", value.round_id)
    form = CustomerValueForm(request.POST or None, instance=value)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_customer_value(value, dict(form.cleaned_data), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Value the customer got saved.")
            return redirect("evaluation_round", value.round_id)
    return render(request, "evaluation/customer_value_form.html", {
        "form": form, "value": value, "round": value.round, "engagement": value.round.engagement,
    }, status=400 if form.errors else 200)


@require_POST
def customer_value_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    value = _changeable_value(request, pk)
    try:
        actions.delete_customer_value(value, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Value removed.")
    return redirect("evaluation_round", value.round_id)


@require_POST
def company_value_set(request: AuthedRequest, pk: int) -> HttpResponse:
    round = _changeable_round(request, pk)
    form = CompanyValueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_company_value(
                round, data["kind"], data["description"], data["reported_to"], by=request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Value our company got saved.")
            return redirect("evaluation_round", round.pk)
    return _round_page(request, round, company=form, status=400)


# --- Lessons library ---------------------------------------------------------------------------


@require_GET
def lessons(request: AuthedRequest) -> HttpResponse:
    form = LessonSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    search = queries.LessonSearch(q=data.get("q") or "", tag=data.get("tag") or "")
    page = Paginator(queries.search_lessons(search), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "evaluation/lessons.html", {
        "form": form, "search": search, "page_obj": page, "lessons": page.object_list,
        "tags": queries.tags_in_use(), "can_add": permissions.can_write(request.user),
        "querystring_without_page": query_without_page(request),
    })


@require_GET
def lesson_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(queries.lessons(), pk=pk)
    return render(request, "evaluation/lesson.html", {
        "lesson": lesson, "can_edit": rules.can_change_lesson(request.user, lesson),
    })


@require_http_methods(["GET", "POST"])
def lesson_create(request: AuthedRequest) -> HttpResponse:
    user = access.writer(request.user)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "what_happened", "next_time")}
        try:
            lesson = actions.create_lesson(data, form.tag_list(), by=user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"“{lesson.title}” added to the library.")
            return redirect(lesson)
    return render(request, "evaluation/lesson_form.html", {"form": form},
                  status=400 if form.errors else 200)


def _changeable_lesson(request: AuthedRequest, pk: int) -> Lesson:
    return access.item(request.user, queries.lessons(), rules.can_change_lesson, LESSON_REFUSAL, pk=pk)


@require_http_methods(["GET", "POST"])
def lesson_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    lesson = _changeable_lesson(request, pk)
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "what_happened", "next_time")}
        try:
            actions.update_lesson(lesson, data, form.tag_list(), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Lesson saved.")
            return redirect(lesson)
    return render(request, "evaluation/lesson_form.html", {"form": form, "lesson": lesson},
                  status=400 if form.errors else 200)


@require_POST
def lesson_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    lesson = _changeable_lesson(request, pk)
    actions.delete_lesson(lesson, by=request.user)
    messages.success(request, f"“{lesson.title}” removed from the library.")
    return redirect("lessons")


@require_http_methods(["GET", "POST"])
def lessons_gather(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Pick challenges of the engagement's log and carry them into the library at once."""
    engagement = access.editable_engagement(
        request.user, engagement_pk, Engagement.objects.select_related("account")
    )
    log = queries.challenges_to_gather(engagement)
    free = [c for c in log if c.in_library is None]  # type: ignore[attr-defined]
    form = GatherForm(
        request.POST if request.method == "POST" else None, choices=[(str(c.pk), c.challenge) for c in free],
        initial={"challenges": [str(c.pk) for c in free if c.is_lesson]},
    )
    if request.method == "POST" and form.is_valid():
        picked = [c for c in free if str(c.pk) in form.cleaned_data["challenges"]]
        try:
            gathered = actions.gather_lessons(engagement, picked, form.tag_list(), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            plural = "s" if len(gathered) != 1 else ""
            messages.success(request, f"{len(gathered)} lesson{plural} added to the library.")
            return redirect("lessons")
    return render(request, "evaluation/gather.html", {
        "form": form, "engagement": engagement, "log": log, "free": free,
        "taken": [c for c in log if c.in_library is not None],  # type: ignore[attr-defined]
        "picked": set(request.POST.getlist("challenges")) if request.method == "POST"
        else {str(c.pk) for c in free if c.is_lesson},
        "errors_text": form_errors_text(form) if form.errors else "",
    }, status=400 if form.errors else 200)


# --- Development plans ----------------------------------------------------------------------------


def _plan_page(
    request: AuthedRequest, plan: DevelopmentPlan | None, own: bool,
    plan_form: PlanForm | None = None, item_form: PlanItemForm | None = None,
    review_form: ReviewForm | None = None, status: int = 200,
) -> HttpResponse:
    can_edit = plan is not None and rules.can_change_plan(request.user, plan)
    owner = plan.user if plan is not None else request.user
    return render(request, "evaluation/plan.html", {
        "plan": plan, "own": own, "owner": owner,
        "can_edit": can_edit or (own and permissions.can_write(request.user)),
        "plan_form": plan_form or PlanForm(instance=plan),
        "item_form": item_form or PlanItemForm(),
        "review_form": review_form or ReviewForm(owner=owner),
    }, status=status)


@require_http_methods(["GET", "POST"])
def development_plan(request: AuthedRequest) -> HttpResponse:
    """My development plan: only I and CS leaders read it."""
    if request.method == "POST":
        user = access.writer(request.user)
        plan = queries.plan_details().filter(user=user).first()
        form = PlanForm(request.POST, instance=plan)
        if form.is_valid():
            try:
                actions.save_plan(user, dict(form.cleaned_data), by=user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Development plan saved.")
                return redirect("development_plan")
        return _plan_page(request, plan, True, plan_form=form, status=400)
    plan = queries.plan_details().filter(user=request.user).first()
    return _plan_page(request, plan, True)


@require_GET
def development_plans(request: AuthedRequest) -> HttpResponse:
    """The plans the reader may see: every CSM's for a leader, their own for anyone else."""
    plans = rules.visible_plans(request.user).prefetch_related(*queries.PLAN_PREFETCH)
    page = Paginator(plans.order_by("user__first_name", "user__last_name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "evaluation/plans.html", {
        "page_obj": page, "plans": page.object_list, "querystring_without_page": "",
        "is_leader": permissions.is_leader(request.user),
    })


@require_GET
def development_plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One plan, for its owner and leaders; anyone else finds nothing here."""
    plan = get_object_or_404(
        queries.plan_details().filter(pk__in=rules.visible_plans(request.user).values("pk")), pk=pk
    )
    return _plan_page(request, plan, plan.user_id == request.user.pk)


def _changeable_plan(request: AuthedRequest, pk: int) -> DevelopmentPlan:
    return access.item(request.user, queries.plan_details(), rules.can_change_plan, PLAN_REFUSAL, pk=pk)


def _back(plan: DevelopmentPlan, request: AuthedRequest) -> HttpResponse:
    if plan.user_id == request.user.pk:
        return redirect("development_plan")
    return redirect(plan)


@require_POST
def plan_item_add(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _changeable_plan(request, pk)
    form = PlanItemForm(request.POST)
    if form.is_valid():
        try:
            actions.add_item(plan, dict(form.cleaned_data), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Plan item added.")
            return _back(plan, request)
    return _plan_page(request, plan, plan.user_id == request.user.pk, item_form=form, status=400)


def _changeable_item(request: AuthedRequest, pk: int) -> PlanItem:
    return access.item(
        request.user, PlanItem.objects.select_related("plan__user"), rules.can_change_plan_item,
        PLAN_REFUSAL, pk=pk,
    )


@require_http_methods(["GET", "POST"])
def plan_item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    form = PlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_item(item, dict(form.cleaned_data), by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Plan item saved.")
            return _back(item.plan, request)
    return render(request, "evaluation/item_form.html", {"form": form, "item": item},
                  status=400 if form.errors else 200)


@require_POST
def plan_item_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    actions.delete_item(item, by=request.user)
    messages.success(request, "Plan item removed.")
    return _back(item.plan, request)


@require_POST
def plan_review_add(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _changeable_plan(request, pk)
    form = ReviewForm(request.POST, owner=plan.user)
    if form.is_valid():
        try:
            actions.add_review(plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Review recorded.")
            return _back(plan, request)
    return _plan_page(request, plan, plan.user_id == request.user.pk, review_form=form, status=400)
