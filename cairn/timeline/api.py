"""REST endpoints for tasks: list (with a my-work style filter), create, complete, reopen."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, related, user_of
from cairn.engagements.models import EngagementActivity
from cairn.people import access
from cairn.people.models import User
from cairn.timeline import actions
from cairn.timeline.models import Task, TaskStatus
from cairn.timeline.schemas import TaskFilter, TaskIn, TaskOut, TaskPatch

tasks = Router(tags=["tasks"])


def _tasks() -> QuerySet[Task]:
    return Task.objects.select_related("assignee", "created_by")


@tasks.get("/", response=list[TaskOut], summary="List tasks")
@paginate(Pagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> QuerySet[Task]:
    queryset = _tasks()
    for name in ("assignee", "status", "account", "engagement"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id" if name != "status" else name: value})
    if filters.overdue is not None:
        late = Q(status=TaskStatus.OPEN, due_date__lt=timezone.localdate())
        queryset = queryset.filter(late if filters.overdue else ~late)
    return queryset.order_by("due_date", "pk")


@tasks.get("/{int:task_id}", response={200: TaskOut, **READ_ERRORS})
def get_task(request: HttpRequest, task_id: int) -> Task:
    return get_object_or_404(_tasks(), pk=task_id)


@tasks.post("/", response={201: TaskOut, **WRITE_ERRORS}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> tuple[int, Task]:
    user = user_of(request)
    # The engagement (or account) is fetched and checked in one call, before the payload's
    # other ids are looked up.
    engagement = (
        access.editable_engagement(
            user, payload.engagement, message="You may not add tasks to this engagement.",
            field="engagement",
        )
        if payload.engagement else None
    )
    if engagement is not None:
        account = engagement.account
        if payload.account is not None and payload.account != account.pk:
            raise ValidationError({"account": "The engagement belongs to another account."})
    elif payload.account is not None:
        account = access.editable_account(
            user, payload.account, message="You may not add tasks to this account.", field="account"
        )
    else:
        raise ValidationError({"account": "Give the account or the engagement the task is for."})
    activity = None
    if payload.activity is not None:
        activity = related(EngagementActivity, payload.activity, "activity")
        if engagement is None or activity.engagement_id != engagement.pk:
            raise ValidationError(
                {"activity": "The checklist item must belong to the task's engagement."}
            )
    task = actions.create_task(
        title=payload.title.strip(), assignee=related(User, payload.assignee, "assignee"), account=account,
        created_by=user, engagement=engagement, activity=activity, due_date=payload.due_date,
        description=payload.description,
    )
    return 201, _tasks().get(pk=task.pk)


def _changeable(request: HttpRequest, task_id: int) -> tuple[Task, User]:
    user = user_of(request)
    return access.task_item(user, _tasks().select_related("account", "engagement"), pk=task_id), user


@tasks.post("/{int:task_id}/complete", response={200: TaskOut, **WRITE_ERRORS})
def complete_task(request: HttpRequest, task_id: int) -> Task:
    task, user = _changeable(request, task_id)
    actions.complete_task(task, user)
    return _tasks().get(pk=task.pk)


@tasks.post("/{int:task_id}/reopen", response={200: TaskOut, **WRITE_ERRORS})
def reopen_task(request: HttpRequest, task_id: int) -> Task:
    task, user = _changeable(request, task_id)
    actions.reopen_task(task, user)
    return _tasks().get(pk=task.pk)


@tasks.patch("/{int:task_id}", response={200: TaskOut, **WRITE_ERRORS}, summary="Change a task")
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    task, user = _changeable(request, task_id)
    changes = payload.model_dump(exclude_unset=True)
    if "assignee" in changes:
        changes["assignee"] = related(User, changes["assignee"], "assignee")
    actions.update_task(task, changes, by=user)
    return _tasks().get(pk=task.pk)


@tasks.delete("/{int:task_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a task")
def delete_task(request: HttpRequest, task_id: int) -> tuple[int, None]:
    task, user = _changeable(request, task_id)
    actions.delete_task(task, by=user)
    return 204, None
