"""Adoption planning pages: impact (processes, groups, considerations), risks and the pilot,
and the helpers every adoption page shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.adoption import actions, queries
from cairn.adoption.forms import (
    ConsiderationForm,
    GroupForm,
    PilotCriterionForm,
    PilotForm,
    ProcessForm,
    RiskForm,
)
from cairn.adoption.models import (
    Consideration,
    ConsiderationKind,
    ImpactedGroup,
    ImpactedProcess,
    Pilot,
    PilotCriterion,
    Risk,
    RiskLevel,
    RiskStatus,
)
from cairn.engagements.models import Engagement
from cairn.forms import add_errors
from cairn.http import AuthedRequest
from cairn.people import access, permissions

PER_PAGE = 25


def _engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("account", "owner", "current_phase", "playbook_version")


def engagement_of(pk: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=pk)


def editable_engagement_of(request: AuthedRequest, pk: int) -> Engagement:
    """The engagement, fetched and checked in one call: the user must be allowed to change it."""
    return access.editable_engagement(request.user, pk, _engagements())


def may_edit(request: AuthedRequest, engagement: Engagement) -> bool:
    """Edit controls are shown to those who may change the engagement while it is open."""
    return permissions.can_edit_engagement(request.user, engagement) and not engagement.is_closed


def page_of(request: AuthedRequest, queryset: QuerySet[Any] | list[Any], param: str = "page",
            per_page: int = PER_PAGE) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def context(request: AuthedRequest, engagement: Engagement, tool: str, **extra: Any) -> dict[str, Any]:
    return {"engagement": engagement, "tool": tool, "can_edit": may_edit(request, engagement), **extra}


def form_page(
    request: AuthedRequest,
    engagement: Engagement,
    form: forms.BaseForm,
    *,
    tool: str,
    title: str,
    save: Callable[[forms.BaseForm], object],
    done: str,
    back: str,
    delete_url: str = "",
    intro: str = "",
    submit: str = "Save",
) -> HttpResponse:
    """Show a tool's form; on a valid POST call `save`, and on a refusal show why by the field."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request, "adoption/form.html",
        context(request, engagement, tool, form=form, title=title, back=back, delete_url=delete_url,
                intro=intro, submit=submit),
    )


def save_model_form(engagement: Engagement, request: AuthedRequest) -> Callable[[forms.BaseForm], object]:
    def save(form: forms.BaseForm) -> object:
        return actions.save_item(form.instance, engagement, by=request.user)  # type: ignore[attr-defined]
    return save


def delete_view(
    request: AuthedRequest, engagement_pk: int, model: type[models.Model], pk: int, back: str,
    lookup: str = "engagement",
) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    instance = get_object_or_404(model, pk=pk, **{lookup: engagement})
    try:
        actions.delete_item(instance, engagement, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Removed “{instance}”.")
    return redirect(reverse(back, args=[engagement.pk]))


# --- Impact --------------------------------------------------------------------------------


def impact(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    groups = page_of(request, engagement.impacted_groups.select_related("manager"), "groups")
    processes = page_of(request, engagement.impacted_processes.all(), "processes")
    considerations = page_of(
        request, engagement.considerations.select_related("group").order_by("kind", "title", "pk"),
        "considerations",
    )
    return render(
        request, "adoption/impact.html",
        context(request, engagement, "impact", groups=groups, processes=processes,
                considerations=considerations, barrier=ConsiderationKind.BARRIER),
    )


def _tool_form(
    request: AuthedRequest, engagement_pk: int, model: type[models.Model], form_class: type[forms.ModelForm],
    pk: int | None, *, tool: str, noun: str, back_name: str, delete_name: str, takes_engagement: bool = False,
    intro: str = "",
) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    instance = get_object_or_404(model, pk=pk, engagement=engagement) if pk else model(engagement=engagement)
    kwargs: dict[str, Any] = {"instance": instance}
    if takes_engagement:
        kwargs["engagement"] = engagement
    form = form_class(request.POST or None, **kwargs)
    back = reverse(back_name, args=[engagement.pk])
    return form_page(
        request, engagement, form, tool=tool,
        title=f"Edit {instance}" if pk else f"Add {noun}",
        save=save_model_form(engagement, request),
        done=f"{noun.capitalize()} saved.", back=back,
        delete_url=reverse(delete_name, args=[engagement.pk, pk]) if pk else "",
        intro=intro,
    )


def process_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, ImpactedProcess, ProcessForm, pk, tool="impact", noun="impacted process",
        back_name="adoption_impact", delete_name="adoption_process_delete",
        intro="A business process the initiative changes: how it works today and how it will work.",
    )


def group_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, ImpactedGroup, GroupForm, pk, tool="impact", noun="impacted group",
        back_name="adoption_impact", delete_name="adoption_group_delete", takes_engagement=True,
        intro="Rate each gap none, low, medium or high: how far the group is from what the change "
              "needs it to know (knowledge), be able to do (skills) and accept (attitude).",
    )


def consideration_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, Consideration, ConsiderationForm, pk, tool="impact",
        noun="consideration or barrier", back_name="adoption_impact",
        delete_name="adoption_consideration_delete", takes_engagement=True,
    )


@require_POST
def process_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, ImpactedProcess, pk, "adoption_impact")


@require_POST
def group_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, ImpactedGroup, pk, "adoption_impact")


@require_POST
def consideration_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, Consideration, pk, "adoption_impact")


# --- Risks ---------------------------------------------------------------------------------


def risks(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    status = request.GET.get("status", "")
    register = queries.risks_by_score(engagement)
    if status in RiskStatus.values:
        register = register.filter(status=status)
    page = page_of(request, register)
    return render(
        request, "adoption/risks.html",
        context(request, engagement, "risks", page_obj=page, heat_map=queries.risk_heat_map(engagement),
                statuses=RiskStatus.choices, status=status, levels=list(RiskLevel),
                querystring_without_page=f"status={status}&" if status else ""),
    )


def risk_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    return _tool_form(
        request, engagement_pk, Risk, RiskForm, pk, tool="risks", noun="risk",
        back_name="adoption_risks", delete_name="adoption_risk_delete",
        intro="Score = likelihood x impact: 1-4 low, 5-9 medium, 10-16 high, 20-25 critical.",
    )


@require_POST
def risk_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(request, engagement_pk, Risk, pk, "adoption_risks")


# --- Pilot ---------------------------------------------------------------------------------


def pilot(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_of(engagement_pk)
    current = Pilot.objects.filter(engagement=engagement).prefetch_related("criteria").first()
    criteria = list(current.criteria.all()) if current else []
    return render(request, "adoption/pilot.html",
                  context(request, engagement, "pilot", pilot=current, criteria=criteria))


def pilot_form(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement_of(request, engagement_pk)
    instance = Pilot.objects.filter(engagement=engagement).first() or Pilot(engagement=engagement)
    form = PilotForm(request.POST or None, instance=instance)
    return form_page(
        request, engagement, form, tool="pilot",
        title="Edit the pilot" if instance.pk else "Set up a pilot",
        save=save_model_form(engagement, request), done="Pilot saved.",
        back=reverse("adoption_pilot", args=[engagement.pk]),
        intro="A proof of concept asks whether it works and fits; a proof of value asks how much "
              "better than before. Agree the success criteria before the pilot starts.",
    )


def criterion_form(request: AuthedRequest, engagement_pk: int, pk: int | None = None) -> HttpResponse:
    """Add a success criterion, or change one and record its result with the evidence."""
    engagement = editable_engagement_of(request, engagement_pk)
    current = get_object_or_404(Pilot, engagement=engagement)
    instance = (
        get_object_or_404(PilotCriterion, pk=pk, pilot=current) if pk else PilotCriterion(pilot=current)
    )
    form = PilotCriterionForm(request.POST or None, instance=instance)
    return form_page(
        request, engagement, form, tool="pilot",
        title="Success criterion" if pk else "Add a success criterion",
        save=save_model_form(engagement, request), done="Success criterion saved.",
        back=reverse("adoption_pilot", args=[engagement.pk]),
        delete_url=reverse("adoption_criterion_delete", args=[engagement.pk, pk]) if pk else "",
        intro="Once the pilot has run, record whether the criterion was met, partly met or not "
              "met, and the evidence: the pilot's result follows from its criteria.",
    )


@require_POST
def criterion_delete(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    return delete_view(
        request, engagement_pk, PilotCriterion, pk, "adoption_pilot", lookup="pilot__engagement"
    )
