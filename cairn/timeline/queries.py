"""Read-side queries of the timeline, each in a fixed number of SQL statements."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest

from cairn.customers.models import Account
from cairn.people import permissions
from cairn.timeline.forms import EntryForm
from cairn.timeline.models import Entry, Task, TaskStatus

FEED_PAGE_SIZE = 30


def account_timeline(request: HttpRequest, account: Account) -> dict[str, Any]:
    """For the account page (cairn.pages): the feed's page, its open tasks and the form to
    log a note."""
    feed = Paginator(
        Entry.objects.filter(account=account).select_related("author", "engagement"),
        FEED_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return {
        "feed": feed,
        "page_obj": feed,
        "querystring_without_page": "",
        "open_tasks": _open_tasks(request, account),
        "entry_form": EntryForm(),
    }


def _open_tasks(request: HttpRequest, account: Account) -> list[Task]:
    """The account's open tasks, each with `may_change`: permissions.can_change_task, with the
    engagements' rule read once for the page rather than once a task."""
    tasks = list(account.tasks.filter(status=TaskStatus.OPEN).select_related("assignee"))
    user = request.user
    # The rule of permissions.can_edit_engagement for all the account's engagements at once.
    engagements = account.engagements.all()
    if not permissions.is_leader(user):
        engagements = engagements.filter(permissions.member_filter(user))
    editable_engagements = (
        set(engagements.values_list("pk", flat=True)) if any(t.engagement_id for t in tasks) else set()
    )
    edits_account = permissions.can_edit_account(user, account)
    for task in tasks:
        if not permissions.can_write(user):
            task.may_change = False  # type: ignore[attr-defined]
        elif task.assignee_id == user.pk:
            task.may_change = True  # type: ignore[attr-defined]
        elif task.engagement_id is not None:
            task.may_change = task.engagement_id in editable_engagements  # type: ignore[attr-defined]
        else:
            task.may_change = edits_account  # type: ignore[attr-defined]
    return tasks
