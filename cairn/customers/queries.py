"""Read-side queries for customer pages, each in a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cairn.customers.models import Account, SubscriptionStatus
from cairn.engagements.models import Engagement, Status

LIVE = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL, SubscriptionStatus.RENEWED]

SORT_FIELDS = {
    "name": ["name"],
    "renewal": ["next_renewal", "name"],
    "-arr": ["-total_arr", "name"],
    "owner": ["owner__first_name", "owner__last_name", "name"],
    "-updated": ["-updated_at"],
}


def portfolio(filters: dict[str, Any]) -> QuerySet[Account]:
    """Accounts with their ARR, next renewal and running engagements, filtered and sorted."""
    live = Q(subscriptions__status__in=LIVE)
    accounts = (
        Account.objects.select_related("owner")
        .annotate(
            total_arr=Sum("subscriptions__arr", filter=live),
            next_renewal=Min("subscriptions__end_date", filter=live),
        )
        .prefetch_related(
            Prefetch(
                "engagements",
                queryset=Engagement.objects.exclude(status=Status.CLOSED)
                .select_related("current_phase")
                .order_by("start_date"),
                to_attr="running_engagements",
            )
        )
    )
    q = (filters.get("q") or "").strip()
    if q:
        accounts = accounts.filter(
            Q(name__icontains=q) | Q(industry__icontains=q) | Q(external_id__iexact=q)
            | Q(region__icontains=q)
        )
    if filters.get("segment"):
        accounts = accounts.filter(segment=filters["segment"])
    if filters.get("owner"):
        accounts = accounts.filter(owner=filters["owner"])
    if filters.get("phase"):
        in_phase = Engagement.objects.filter(
            account=OuterRef("pk"), current_phase__key=filters["phase"]
        ).exclude(status=Status.CLOSED)
        accounts = accounts.filter(Exists(in_phase))
    window = filters.get("renewal")
    today = timezone.localdate()
    if window == "overdue":
        accounts = accounts.filter(next_renewal__lt=today)
    elif window:
        accounts = accounts.filter(
            next_renewal__gte=today, next_renewal__lte=today + dt.timedelta(days=int(window))
        )
    return accounts.order_by(*SORT_FIELDS.get(filters.get("sort") or "name", ["name"]))
