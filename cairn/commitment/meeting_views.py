"""The first meeting: its plan, its minutes once held, and the next steps agreed in it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cairn.commitment import actions
from cairn.commitment.forms import HeldForm, MeetingPlanForm, NextStepForm
from cairn.commitment.queries import first_meeting, next_steps
from cairn.commitment.views import add_errors, editable_engagement, engagement_or_404
from cairn.engagements.models import Engagement
from cairn.http import AuthedRequest
from cairn.people import permissions


def _page(
    request: AuthedRequest, engagement: Engagement, step_form: NextStepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = first_meeting(engagement)
    can_edit = permissions.can_edit_engagement(request.user, engagement)
    return render(
        request,
        "commitment/meeting.html",
        {
            "engagement": engagement,
            "meeting": meeting,
            "can_edit": can_edit,
            "steps": next_steps(meeting) if meeting else [],
            "step_form": step_form or NextStepForm(initial={"assignee": request.user.pk}),
            "over_time": bool(meeting and meeting.agenda_minutes > meeting.length_minutes),
        },
        status=status,
    )


def meeting(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    return _page(request, engagement_or_404(engagement_pk))


def meeting_plan(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    existing = first_meeting(engagement)
    initial = MeetingPlanForm.initial_for(existing) if existing else {
        "length_minutes": 60, "users": [engagement.owner],
    }
    form = MeetingPlanForm(request.POST or None, initial=initial, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = actions.MeetingPlan(
            scheduled_at=data["scheduled_at"], place=data["place"], format=data["format"],
            length_minutes=data["length_minutes"], desired_outcomes=data["desired_outcomes"],
            agenda=data["agenda"], contacts=list(data["contacts"]), users=list(data["users"]),
            documents=list(data["documents"]), collateral_notes=data["collateral_notes"],
        )
        try:
            actions.plan_meeting(engagement, plan, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "First meeting plan saved.")
            return redirect("commitment_meeting", engagement.pk)
    return render(
        request, "commitment/meeting_plan.html",
        {"form": form, "engagement": engagement, "meeting": existing},
        status=400 if form.is_bound and form.errors else 200,
    )


def meeting_held(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    """Record the meeting as held, with its minutes (or correct them later)."""
    engagement = editable_engagement(request, engagement_pk)
    existing = first_meeting(engagement)
    if existing is None:
        messages.error(request, "Plan the first meeting before you record it.")
        return redirect("commitment_meeting_plan", engagement.pk)
    held = existing.held_at or existing.scheduled_at or timezone.now()
    form = HeldForm(
        request.POST or None,
        initial={"held_at": timezone.localtime(held), "minutes": existing.minutes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.hold_meeting(
                existing, by=request.user, held_at=form.cleaned_data["held_at"],
                minutes=form.cleaned_data["minutes"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Minutes saved. Now record the next steps you agreed.")
            return redirect("commitment_meeting", engagement.pk)
    return render(
        request, "commitment/meeting_held.html",
        {"form": form, "engagement": engagement, "meeting": existing},
        status=400 if form.is_bound and form.errors else 200,
    )


def meeting_next_step(request: AuthedRequest, engagement_pk: int) -> HttpResponse:
    engagement = editable_engagement(request, engagement_pk)
    if request.method != "POST":
        return redirect("commitment_meeting", engagement.pk)
    existing = first_meeting(engagement)
    form = NextStepForm(request.POST)
    if existing is None:
        form.add_error(None, "Plan and hold the first meeting before you add next steps.")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_next_step(
                existing, by=request.user, title=data["title"], assignee=data["assignee"],
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Next step for {data['assignee']} added as a task.")
            return redirect("commitment_meeting", engagement.pk)
    return _page(request, engagement, step_form=form, status=400)
