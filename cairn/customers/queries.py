"""Read-side queries for customer pages, each in a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.engagements.models import Engagement, Status

LIVE = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL, SubscriptionStatus.RENEWED]

SORT_FIELDS: dict[str, list[Any]] = {
    "name": ["name"],
    "renewal": ["next_renewal", "name"],
    "-arr": ["-total_arr", "name"],
    "owner": ["owner__first_name", "owner__last_name", "name"],
    "-updated": ["-updated_at"],
    # Health (cairn.health.AccountHealth, one row per account): the riskiest first, and the
    # sharpest fall over 30 days first; accounts without a score come last.
    "score": [F("health__score").asc(nulls_last=True), "name"],
    "-score": [F("health__score").desc(nulls_last=True), "name"],
    "change": [F("health__change_30d").asc(nulls_last=True), "name"],
    # The churn forecast (cairn.forecast.AccountForecast, one row per current customer): the
    # likeliest to churn first; accounts without a forecast come last.
    "-risk": [F("forecast__probability").desc(nulls_last=True), "name"],
}


def _current(today: dt.date) -> Q:
    """A subscription that makes the account a customer on `today`: active or in trial (also
    signed to start later, and past its end while the renewal is open: the customer is one
    until an outcome says otherwise), or renewed and not yet at its end. A renewed term was
    replaced by a new one starting the day after its end; past that end it is history."""
    return Q(status__in=LIVE) & (~Q(status=SubscriptionStatus.RENEWED) | Q(end_date__gte=today))


def in_force(today: dt.date) -> Q:
    """The subscriptions that make up an account's ARR on `today`: current ones that have
    started and are not trials (a trial's ARR is what the customer would pay, not revenue).
    A renewed customer counts once: the old term until its end, the new one from its start."""
    return _current(today) & Q(start_date__lte=today) & ~Q(status=SubscriptionStatus.TRIAL)


def _live_subscriptions(today: dt.date | None = None) -> QuerySet[Subscription]:
    today = today or timezone.localdate()
    return Subscription.objects.filter(_current(today), account=OuterRef("pk")).order_by()


def with_arr_and_renewal(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Each account's ARR and next renewal over its live subscriptions.

    Correlated subqueries rather than a join and GROUP BY: the database then works them
    out only for the page of accounts shown, not for the whole portfolio.
    """
    live = _live_subscriptions()
    paying = Subscription.objects.filter(
        in_force(timezone.localdate()), account=OuterRef("pk")
    ).order_by()
    return accounts.annotate(
        total_arr=Subquery(paying.values("account").annotate(total=Sum("arr")).values("total")),
        next_renewal=Subquery(
            live.values("account").annotate(first=Min("end_date")).values("first")
        ),
    )


def _former() -> Any:
    """True for a former customer: the account churned a subscription and has none live (an
    account with no subscription yet is not one: it has not started)."""
    churned = Subscription.objects.filter(
        account=OuterRef("pk"), status=SubscriptionStatus.CHURNED
    ).order_by()
    return Exists(churned) & ~Exists(_live_subscriptions())


def with_standing(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """`is_former` on each account (see `_former`)."""
    return accounts.annotate(is_former=_former())


def portfolio(filters: dict[str, Any]) -> QuerySet[Account]:
    """Accounts with their ARR, next renewal and running engagements, filtered and sorted.

    Former customers are left out unless the `standing` filter asks for them: the portfolio
    is the book a team works on; the churned stay for history and the backtests."""
    live = _live_subscriptions()
    accounts = (
        with_standing(with_arr_and_renewal(Account.objects.select_related("owner", "health", "forecast")))
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
    standing = filters.get("standing") or ""
    if standing == "former":
        accounts = accounts.filter(_former())
    elif standing != "all":
        accounts = accounts.filter(~_former())
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
    light = filters.get("light")
    if light == "none":
        accounts = accounts.filter(Q(health__isnull=True) | Q(health__score__isnull=True))
    elif light:
        accounts = accounts.filter(health__light=light)
    if filters.get("dropped"):
        accounts = accounts.filter(health__change_30d__lt=-filters["dropped"])
    window = filters.get("renewal")
    today = timezone.localdate()
    if window == "overdue":
        accounts = accounts.filter(Exists(live.filter(end_date__lt=today)))
    elif window:
        # Any live subscription renewing in the window counts, even beside an overdue one.
        ends = today + dt.timedelta(days=int(window))
        accounts = accounts.filter(Exists(live.filter(end_date__gte=today, end_date__lte=ends)))
    return accounts.order_by(*SORT_FIELDS.get(filters.get("sort") or "name", ["name"]))
