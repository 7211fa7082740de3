"""My work, logging to the timeline, and tasks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.customers.models import Account
from cairn.engagements.models import ActivityStatus, Engagement, EngagementActivity
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest
from cairn.people import permissions
from cairn.timeline import actions
from cairn.timeline.forms import EntryForm, TaskForm
from cairn.timeline.models import Task, TaskStatus

SOON_DAYS = 14


def my_work(request: AuthedRequest) -> HttpResponse:
    """The CSM's day: overdue work first, then what is due soon, then the rest."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=SOON_DAYS)
    tasks = list(
        Task.objects.filter(assignee=request.user.pk, status=TaskStatus.OPEN).select_related(
            "account", "engagement"
        )
    )
    activities = list(
        EngagementActivity.objects.filter(
            assignee=request.user.pk, status=ActivityStatus.OPEN, due_date__isnull=False
        )
        .exclude(engagement__status="closed")
        .select_related("activity__phase", "engagement__account")
        .order_by("due_date")
    )
    dated = [(t.due_date, t) for t in tasks if t.due_date is not None]
    overdue = [t for due, t in sorted(dated, key=lambda d: d[0]) if due < today]
    due_soon = [t for due, t in sorted(dated, key=lambda d: d[0]) if today <= due <= soon]
    later = [t for t in tasks if t not in overdue and t not in due_soon]
    engagements = (
        Engagement.objects.filter(owner=request.user.pk)
        .exclude(status="closed")
        .select_related("account", "current_phase")
    )
    return render(
        request,
        "timeline/my_work.html",
        {
            "overdue": overdue,
            "due_soon": due_soon,
            "later": later,
            "activities_overdue": [a for a in activities if a.due_date and a.due_date < today],
            "activities_soon": [a for a in activities if a.due_date and today <= a.due_date <= soon],
            "engagements": engagements,
            "today": today,
            "soon_days": SOON_DAYS,
        },
    )


def _log(request: AuthedRequest, account: Account, engagement: Engagement | None) -> HttpResponse:
    form = EntryForm(request.POST)
    back = engagement.get_absolute_url() if engagement else account.get_absolute_url()
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    actions.log_entry(
        account, form.cleaned_data["kind"], form.cleaned_data["title"],
        author=request.user, engagement=engagement, body=form.cleaned_data["body"],
        occurred_at=form.cleaned_data["occurred_at"],
    )
    messages.success(request, "Added to the timeline.")
    return redirect(back)


@require_POST
def log_on_account(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    permissions.require(permissions.can_edit_account(request.user, account))
    return _log(request, account, None)


@require_POST
def log_on_engagement(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("account"), pk=pk)
    permissions.require(permissions.can_edit_engagement(request.user, engagement))
    return _log(request, engagement.account, engagement)


def task_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task on an engagement, optionally tied to one of its checklist activities."""
    engagement = get_object_or_404(Engagement.objects.select_related("account"), pk=pk)
    permissions.require(permissions.can_edit_engagement(request.user, engagement))
    activity = None
    if request.GET.get("activity") or request.POST.get("activity"):
        activity = get_object_or_404(
            EngagementActivity.objects.select_related("activity"),
            pk=request.GET.get("activity") or request.POST.get("activity"),
            engagement=engagement,
        )
    form = TaskForm(
        request.POST or None,
        initial={"assignee": request.user.pk, "title": activity.activity.name if activity else ""},
    )
    if request.method == "POST" and form.is_valid():
        actions.create_task(
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            assignee=form.cleaned_data["assignee"],
            due_date=form.cleaned_data["due_date"],
            account=engagement.account,
            engagement=engagement,
            activity=activity,
            created_by=request.user,
        )
        messages.success(request, "Task created.")
        return redirect(engagement)
    return render(
        request,
        "timeline/task_form.html",
        {"form": form, "engagement": engagement, "activity": activity},
    )


@require_POST
def task_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("account", "engagement"), pk=pk)
    allowed = task.assignee_id == request.user.pk and permissions.can_write(request.user)
    if task.engagement:
        allowed = allowed or permissions.can_edit_engagement(request.user, task.engagement)
    else:
        allowed = allowed or permissions.can_edit_account(request.user, task.account)
    permissions.require(allowed)
    if task.status == TaskStatus.OPEN:
        actions.complete_task(task, request.user)
    else:
        actions.reopen_task(task, request.user)
    if request.htmx:
        return render(request, "timeline/_task.html", {"task": task, "today": timezone.localdate()})
    messages.success(request, "Task updated.")
    return redirect(request.POST.get("next") or "my_work")
