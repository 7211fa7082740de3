"""My work, logging to the timeline, and tasks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cairn import pages
from cairn.customers.models import Account
from cairn.engagements.models import ActivityStatus, Engagement, EngagementActivity
from cairn.forms import form_errors_text
from cairn.http import AuthedRequest
from cairn.people import access
from cairn.people.models import User
from cairn.timeline import actions
from cairn.timeline.forms import EntryForm, TaskForm
from cairn.timeline.models import Task, TaskStatus

SOON_DAYS = 14


def _person(request: AuthedRequest) -> User:
    """Whose work: the user's own, or with `?user=` anyone's (the leader's home links each
    person's overdue work here; everyone logged in reads everyone's work, as on accounts)."""
    wanted = request.GET.get("user", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10 and int(wanted) != request.user.pk:
        found = User.objects.filter(pk=int(wanted)).first()
        if found is not None:
            return found
    return request.user


def my_work(request: AuthedRequest) -> HttpResponse:
    """The CSM's day: overdue work first, then what is due soon, then the rest."""
    person = _person(request)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=SOON_DAYS)
    tasks = list(
        Task.objects.filter(assignee=person.pk, status=TaskStatus.OPEN).select_related(
            "account", "engagement"
        )
    )
    activities = list(
        EngagementActivity.objects.filter(
            assignee=person.pk, status=ActivityStatus.OPEN, due_date__isnull=False
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
        Engagement.objects.filter(owner=person.pk)
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
            # Stakeholders whose planned contact date has passed (the commitment plan).
            **pages.context_for("my_work", request, person),
            "person": person,
            "own": person.pk == request.user.pk,
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
    account = access.editable_account(request.user, pk)
    return _log(request, account, None)


@require_POST
def log_on_engagement(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = access.editable_engagement(request.user, pk, Engagement.objects.select_related("account"))
    return _log(request, engagement.account, engagement)


def _task_form_page(
    request: AuthedRequest,
    form: TaskForm,
    account: Account,
    engagement: Engagement | None,
    activity: EngagementActivity | None = None,
    task: Task | None = None,
) -> HttpResponse:
    return render(
        request,
        "timeline/task_form.html",
        {"form": form, "account": account, "engagement": engagement, "activity": activity,
         "task": task},
    )


def _create(
    request: AuthedRequest,
    account: Account,
    engagement: Engagement | None,
    activity: EngagementActivity | None,
) -> HttpResponse:
    form = TaskForm(
        request.POST or None,
        initial={"assignee": request.user.pk, "title": activity.activity.name if activity else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_task(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                assignee=form.cleaned_data["assignee"],
                due_date=form.cleaned_data["due_date"],
                account=account,
                engagement=engagement,
                activity=activity,
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Task created.")
            return redirect(engagement or account)
    return _task_form_page(request, form, account, engagement, activity)


def task_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task on an engagement, optionally tied to one of its checklist activities."""
    engagement = access.editable_engagement(request.user, pk, Engagement.objects.select_related("account"))
    activity = None
    raw = request.POST.get("activity") or request.GET.get("activity") or ""
    if raw:
        if not raw.isdigit():
            raise Http404("No such checklist item.")
        activity = get_object_or_404(
            EngagementActivity.objects.select_related("activity"), pk=int(raw),
            engagement=engagement,
        )
    return _create(request, engagement.account, engagement, activity)


def account_task_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task on the account itself, outside any engagement (a renewal call, say)."""
    account = access.editable_account(request.user, pk)
    return _create(request, account, None, None)


def _task(request: AuthedRequest, pk: int) -> Task:
    return access.task_item(
        request.user, Task.objects.select_related("account", "engagement", "assignee"), pk=pk
    )


def task_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = TaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        task.refresh_from_db()
        try:
            actions.update_task(task, changes, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Task saved.")
            return redirect(_safe_next(request, task.engagement or task.account))
    return _task_form_page(request, form, task.account, task.engagement, task=task)


@require_POST
def task_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    actions.delete_task(task, by=request.user)
    messages.success(request, f"Task “{task.title}” deleted.")
    return redirect(task.engagement or task.account)


def _safe_next(request: AuthedRequest, fallback: object) -> str:
    """The page to return to, if the form says one on this site; never another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback.get_absolute_url() if hasattr(fallback, "get_absolute_url") else str(fallback)


@require_POST
def task_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if task.status == TaskStatus.OPEN:
        actions.complete_task(task, request.user)
    else:
        actions.reopen_task(task, request.user)
    if request.htmx:
        # The user just changed the task, so they may change it back.
        return render(
            request, "timeline/_task.html",
            {"task": task, "today": timezone.localdate(), "can_edit": True},
        )
    messages.success(request, "Task updated.")
    return redirect(_safe_next(request, reverse("my_work")))
