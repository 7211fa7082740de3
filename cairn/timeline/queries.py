"""Read-side queries of the timeline, each in a fixed number of SQL statements."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest

from cairn.customers.models import Account
from cairn.timeline.forms import EntryForm
from cairn.timeline.models import Entry, TaskStatus

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
        "open_tasks": account.tasks.filter(status=TaskStatus.OPEN).select_related("assignee"),
        "entry_form": EntryForm(),
    }
