"""The RACI matrix page: activities by stakeholders, one htmx request per cell."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.commitment import actions
from cairn.commitment.forms import RaciActivityForm, RaciCellForm, RaciMemberForm
from cairn.commitment.models import RaciActivity, RaciMember, RaciRole, Stakeholder
from cairn.commitment.queries import raci_parties, responsibilities
from cairn.commitment.views import editable_engagement, engagement_or_404, error_text
from cairn.engagements.models import Engagement
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest
from cairn.people import permissions
from cairn.people.models import User


def _grid(engagement: Engagement) -> dict[str, Any]:
    """Rows with their letters lined up under the columns, and the warning count."""
    rows = responsibilities(engagement)
    parties = raci_parties(engagement)
    return {
        "rows": rows,
        "lines": [
            {"row": r, "cells": [(p, r.cells.get(p.key, "")) for p in parties]} for r in rows
        ],
        "parties": parties,
        "roles": RaciRole.choices,
        "warning_count": sum(1 for r in rows if r.warnings),
    }


def raci(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_or_404(engagement_pk)
    can_edit = permissions.can_edit_engagement(request.user, engagement)
    context = _grid(engagement)
    context.update(
        {
            "engagement": engagement,
            "can_edit": can_edit,
            "activity_form": RaciActivityForm(),
            "member_form": RaciMemberForm() if can_edit else None,
            "members": list(
                RaciMember.objects.filter(engagement=engagement).select_related("user")
            ),
        }
    )
    return render(request, "commitment/raci.html", context)


def _activity(engagement: Engagement, pk: int) -> RaciActivity:
    return get_object_or_404(
        RaciActivity.objects.select_related("engagement__account"), pk=pk, engagement=engagement
    )


@require_POST
def raci_cell(request: AuthedRequest, engagement_pk: int, activity_pk: int) -> HttpResponse:
    """Set or clear one cell; htmx gets the activity's row (with its warnings) back."""
    engagement = editable_engagement(request, engagement_pk)
    activity = _activity(engagement, activity_pk)
    form = RaciCellForm(request.POST)
    error = ""
    if form.is_valid():
        party = form.cleaned_data["party"]
        pk = int(party[1:])
        ref = (
            actions.PartyRef(stakeholder=get_object_or_404(Stakeholder, pk=pk, engagement=engagement))
            if party.startswith("s")
            else actions.PartyRef(user=get_object_or_404(User, pk=pk))
        )
        try:
            actions.set_raci_cell(activity, ref, form.cleaned_data["role"], by=request.user)
        except ValidationError as exc:
            error = error_text(exc)
    else:
        error = form_errors_text(form)
    if request.htmx:
        context = _grid(engagement)
        context.update(
            {
                "engagement": engagement, "can_edit": True, "error": error, "oob": True,
                "line": next(
                    line for line in context["lines"] if line["row"].activity_id == activity.pk
                ),
            }
        )
        # The row shows its own error, so htmx swaps it like any other answer.
        return render(request, "commitment/_raci_row.html", context)
    if error:
        messages.error(request, f"{activity.name}: {error}")
    return redirect(reverse("commitment_raci", args=[engagement.pk]) + f"#raci-{activity.pk}")


@require_POST
def raci_activity_add(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    form = RaciActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("commitment_raci", engagement.pk)
    try:
        actions.add_raci_activity(engagement, form.cleaned_data["name"], by=request.user)
    except ValidationError as exc:
        messages.error(request, f"Activity: {error_text(exc)}")
    else:
        messages.success(request, "Activity added to the RACI.")
    return redirect("commitment_raci", engagement.pk)


@require_POST
def raci_seed(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    try:
        added = actions.seed_raci(engagement, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if added:
            messages.success(request, f"{len(added)} checklist activities added to the RACI.")
        else:
            messages.info(request, "Every checklist activity ahead is already in the RACI.")
    return redirect("commitment_raci", engagement.pk)


@require_POST
def raci_activity_rename(request: AuthedRequest, engagement_pk: int, activity_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    activity = _activity(engagement, activity_pk)
    form = RaciActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            actions.rename_raci_activity(activity, form.cleaned_data["name"], by=request.user)
        except ValidationError as exc:
            messages.error(request, f"Activity: {error_text(exc)}")
        else:
            messages.success(request, "Activity renamed.")
    return redirect("commitment_raci", engagement.pk)


@require_POST
def raci_activity_delete(request: AuthedRequest, engagement_pk: int, activity_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    activity = _activity(engagement, activity_pk)
    try:
        actions.remove_raci_activity(activity, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"“{activity.name}” removed from the RACI.")
    return redirect("commitment_raci", engagement.pk)


@require_POST
def raci_member_add(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    form = RaciMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("commitment_raci", engagement.pk)
    try:
        actions.add_raci_member(engagement, form.cleaned_data["user"], by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{form.cleaned_data['user']} added to the RACI.")
    return redirect("commitment_raci", engagement.pk)


@require_POST
def raci_member_remove(request: AuthedRequest, engagement_pk: int, member_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    member = get_object_or_404(
        RaciMember.objects.select_related("user", "engagement"), pk=member_pk, engagement=engagement
    )
    try:
        actions.remove_raci_member(member, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{member.user} removed from the RACI.")
    return redirect("commitment_raci", engagement.pk)
