"""The Usage pages: recent events, ingested batches, the quarantine and its replay."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.customers.models import Account
from cairn.http import AuthedRequest
from cairn.people import access, permissions
from cairn.usage import actions, queries
from cairn.usage.forms import EventFilter
from cairn.usage.models import IngestBatch

BATCHES_PER_PAGE = 25


def events(request: AuthedRequest) -> HttpResponse:
    form = EventFilter(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    account = (filters.get("account") or "").strip()
    event_type = (filters.get("event_type") or "").strip()
    page = queries.recent_events(
        account=account, event_type=event_type, page=filters.get("page") or 1
    )
    kept = urlencode({k: v for k, v in (("account", account), ("event_type", event_type)) if v})
    return render(
        request, "usage/events.html",
        {"form": form, "page": page, "filtered": bool(account or event_type),
         "querystring_without_page": f"{kept}&" if kept else ""},
    )


def batches(request: AuthedRequest) -> HttpResponse:
    paginator = Paginator(
        IngestBatch.objects.select_related("created_by").order_by("-created_at", "-id"),
        BATCHES_PER_PAGE,
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request, "usage/batches.html",
        {"page_obj": page_obj, "batches": page_obj.object_list, "querystring_without_page": ""},
    )


def quarantine(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "usage/quarantine.html",
        {"quarantine": queries.quarantine(),
         "can_replay": permissions.can_write(request.user)},
    )


@require_POST
def replay(request: AuthedRequest) -> HttpResponse:
    access.writer(request.user, "Read-only users cannot replay the quarantine.")
    only = None
    if request.POST.get("batch"):
        only = get_object_or_404(IngestBatch, batch_id=request.POST["batch"], quarantine_open=True)
    made = actions.replay_quarantine(user=request.user, batch=only)
    if not made:
        messages.info(request, "The quarantine is empty: nothing to replay.")
        return redirect("usage_quarantine")
    stored = sum(batch.stored for batch in made)
    duplicates = sum(batch.duplicates for batch in made)
    kept = sum(batch.quarantined for batch in made)
    messages.success(
        request,
        f"Replayed {sum(b.received for b in made)} quarantined event(s): {stored} stored, "
        f"{duplicates} duplicate(s), {kept} still quarantined.",
    )
    return redirect("usage_quarantine")


def account_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The account page's usage panel, fetched after the page so reading Parquet never
    holds the page up."""
    account = get_object_or_404(Account, pk=pk)
    return render(request, "usage/_account_usage.html", {"usage": queries.account_usage(account)})
