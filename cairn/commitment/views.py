"""Stakeholder pages: the management matrix, the stakeholder list and the management plan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.commitment import actions, charts
from cairn.commitment.forms import ContactLogForm, PlaceForm, StakeholderForm
from cairn.commitment.models import (
    HIGH_FROM,
    QUADRANT_STRATEGIES,
    SCALE_MAX,
    SCALE_MIN,
    Attitude,
    Quadrant,
    Stakeholder,
)
from cairn.commitment.queries import plan_line, stakeholders_of
from cairn.engagements.models import Engagement
from cairn.forms import add_errors, form_errors_text
from cairn.http import AuthedRequest
from cairn.people import access, permissions


def _engagements() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("account", "owner", "current_phase")


def engagement_or_404(pk: int) -> Engagement:
    return get_object_or_404(_engagements(), pk=pk)


def editable_engagement(request: AuthedRequest, pk: int) -> Engagement:
    """The engagement, fetched and checked in one call: the user must be allowed to change it."""
    return access.editable_engagement(request.user, pk, _engagements())


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _board(engagement: Engagement, can_edit: bool, errors: dict[int, str] | None = None) -> dict[str, Any]:
    """What the matrix and the stakeholder list need, from one query."""
    today = timezone.localdate()
    people = list(stakeholders_of(engagement))
    rows = [{"s": s, "plan": plan_line(s, today), "error": (errors or {}).get(s.pk, "")} for s in people]
    return {
        "engagement": engagement,
        "can_edit": can_edit,
        "chart": charts.matrix(people),
        "rows": rows,
        "attitudes": Attitude.choices,
        "scale_min": SCALE_MIN,
        "scale_max": SCALE_MAX,
        "today": today,
    }


def stakeholders(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_or_404(engagement_pk)
    can_edit = permissions.can_edit_engagement(request.user, engagement)
    context = _board(engagement, can_edit)
    context.update(
        {
            "quadrants": [
                {"label": q.label, "strategy": QUADRANT_STRATEGIES[q]} for q in Quadrant
            ],
            "high_from": HIGH_FROM,
        }
    )
    return render(request, "commitment/stakeholders.html", context)


def stakeholder_form(
    request: AuthedRequest, engagement_pk: int, stakeholder_pk: int | None = None
) -> HttpResponse:
    """Add a stakeholder or edit one: who, their place, and the plan for them."""
    engagement = editable_engagement(request, engagement_pk)
    stakeholder = (
        get_object_or_404(
            Stakeholder.objects.select_related("contact"), pk=stakeholder_pk, engagement=engagement
        )
        if stakeholder_pk
        else Stakeholder(engagement=engagement)
    )
    form = StakeholderForm(request.POST or None, instance=stakeholder, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            actions.save_stakeholder(stakeholder, changes, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{stakeholder.name} saved.")
            url = reverse("commitment_stakeholders", args=[engagement.pk])
            return redirect(f"{url}#stakeholder-{stakeholder.pk}")
    return render(
        request,
        "commitment/stakeholder_form.html",
        {"form": form, "engagement": engagement, "stakeholder": stakeholder if stakeholder_pk else None},
        status=400 if form.is_bound and form.errors else 200,
    )


def _stakeholder(engagement: Engagement, pk: int) -> Stakeholder:
    return get_object_or_404(
        Stakeholder.objects.select_related("contact", "engagement__account"),
        pk=pk, engagement=engagement,
    )


@require_POST
def stakeholder_place(request: AuthedRequest, engagement_pk: int, stakeholder_pk: int) -> HttpResponse:
    """Move a stakeholder on the matrix; htmx gets the redrawn matrix and list back."""
    engagement = editable_engagement(request, engagement_pk)
    stakeholder = _stakeholder(engagement, stakeholder_pk)
    form = PlaceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.save_stakeholder(stakeholder, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = form_errors_text(form)
    if request.htmx:
        context = _board(engagement, True, {stakeholder.pk: error} if error else None)
        return render(request, "commitment/_board.html", context)
    if error:
        messages.error(request, f"{stakeholder.name}: {error}")
    else:
        messages.success(request, f"{stakeholder.name} placed: {stakeholder.quadrant.label}.")
    url = reverse("commitment_stakeholders", args=[engagement.pk])
    return redirect(f"{url}#stakeholder-{stakeholder.pk}")


@require_POST
def stakeholder_contact(request: AuthedRequest, engagement_pk: int, stakeholder_pk: int) -> HttpResponse:
    """Log a contact with a stakeholder: on the timeline, and the next date moves on."""
    engagement = editable_engagement(request, engagement_pk)
    stakeholder = _stakeholder(engagement, stakeholder_pk)
    form = ContactLogForm(request.POST)
    url = reverse("commitment_stakeholders", args=[engagement.pk]) + f"#plan-{stakeholder.pk}"
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(url)
    try:
        actions.log_contact(
            stakeholder, by=request.user, on=form.cleaned_data["on"],
            kind=form.cleaned_data["kind"], note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            f"Contact with {stakeholder.name} logged; next contact "
            f"{stakeholder.next_contact:%d %b %Y}.",
        )
    return redirect(url)


@require_POST
def stakeholder_delete(request: AuthedRequest, engagement_pk: int, stakeholder_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    stakeholder = _stakeholder(engagement, stakeholder_pk)
    name = stakeholder.name
    try:
        actions.remove_stakeholder(stakeholder, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{name} removed from the stakeholders.")
    return redirect("commitment_stakeholders", engagement.pk)
