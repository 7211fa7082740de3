"""Writing to the timeline, and the life of a task."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from cairn.customers.models import Account
from cairn.engagements.models import Engagement, EngagementActivity
from cairn.people.models import User
from cairn.timeline.models import Entry, EntryKind, Task, TaskStatus


def record(
    account: Account,
    kind: str,
    title: str,
    *,
    engagement: Engagement | None = None,
    body: str = "",
    author: User | None = None,
    link: str = "",
    occurred_at: dt.datetime | None = None,
) -> Entry:
    """Add a line to the account's (and engagement's) timeline, inside the caller's transaction."""
    return Entry.objects.create(
        account=account,
        engagement=engagement,
        kind=kind,
        title=title[:200],
        body=body,
        author=author,
        link=link,
        occurred_at=occurred_at or timezone.now(),
    )


@transaction.atomic
def log_entry(
    account: Account,
    kind: str,
    title: str,
    *,
    author: User,
    engagement: Engagement | None = None,
    body: str = "",
    occurred_at: dt.datetime | None = None,
) -> Entry:
    return record(
        account, kind, title, engagement=engagement, body=body, author=author,
        occurred_at=occurred_at,
    )


# Sent once a task someone gave to another person is committed, with `task` and `by`: the
# assignee is told (cairn.notifications listens).
task_assigned = Signal()


def _tell_assignee(task: Task, by: User | None) -> None:
    if by is not None and by.pk != task.assignee_id:
        transaction.on_commit(lambda: task_assigned.send(sender=Task, task=task, by=by))


@transaction.atomic
def create_task(
    *,
    title: str,
    assignee: User,
    account: Account,
    created_by: User | None,
    engagement: Engagement | None = None,
    activity: EngagementActivity | None = None,
    due_date: dt.date | None = None,
    description: str = "",
) -> Task:
    task = Task(
        title=title,
        description=description,
        assignee=assignee,
        account=account,
        engagement=engagement,
        activity=activity,
        due_date=due_date,
        created_by=created_by,
    )
    # A task raised by Cairn itself (a health alert) has no creator.
    task.full_clean(exclude=["created_by"] if created_by is None else None)
    task.save()
    due = f", due {due_date:%d %b %Y}" if due_date else ""
    record(
        account, EntryKind.TASK, f"Task for {assignee}: {title}{due}",
        engagement=engagement, author=created_by, link=task.get_absolute_url(),
    )
    _tell_assignee(task, created_by)
    return task


@transaction.atomic
def complete_task(task: Task, by: User) -> Task:
    if task.status == TaskStatus.DONE:
        return task
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.save(update_fields=["status", "completed_at"])
    record(
        task.account, EntryKind.TASK, f"Task done: {task.title}",
        engagement=task.engagement, author=by, link=task.get_absolute_url(),
    )
    return task


@transaction.atomic
def reopen_task(task: Task, by: User) -> Task:
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.save(update_fields=["status", "completed_at"])
    return task


@transaction.atomic
def update_task(task: Task, changes: dict[str, object], *, by: User) -> Task:
    """Change a task's title, assignee, due date or description; reassigning is recorded."""
    before = task.assignee
    for name, value in changes.items():
        if name == "title" and isinstance(value, str):
            value = value.strip()
        setattr(task, name, value)
    task.full_clean()
    task.save()
    if task.assignee_id != before.pk:
        record(
            task.account, EntryKind.TASK, f"Task reassigned to {task.assignee}: {task.title}",
            engagement=task.engagement, author=by, link=task.get_absolute_url(),
        )
        _tell_assignee(task, by)
    return task


@transaction.atomic
def delete_task(task: Task, *, by: User) -> None:
    record(
        task.account, EntryKind.TASK, f"Task deleted: {task.title}",
        engagement=task.engagement, author=by,
    )
    task.delete()
