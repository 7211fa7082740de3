"""Reading renewals: what comes up in a window, with the ARR at risk and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cairn.adoption.models import Risk, RiskStatus
from cairn.health.models import Light
from cairn.renewals.models import OPEN_STAGES, Renewal

WINDOWS = (30, 90, 180)
RISKY_LIGHTS = (Light.RED, Light.AMBER)


def renewals() -> QuerySet[Renewal]:
    """Renewals with what their rows show: the account's health and its open risks (the
    risks of its engagements' adoption plans that are open or being mitigated)."""
    risks = (
        Risk.objects.filter(engagement__account=OuterRef("account"))
        .exclude(status=RiskStatus.CLOSED)
        .values("engagement__account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Renewal.objects.select_related("account", "account__health", "owner", "reason")
        .annotate(open_risks=Coalesce(Subquery(risks, output_field=IntegerField()), Value(0)))
        .order_by("renewal_date", "pk")
    )


# At risk: its owner says so, or the account's health is red or amber.
AT_RISK = Q(flagged_at_risk=True) | Q(account__health__light__in=RISKY_LIGHTS)


def at_risk(renewal: Renewal) -> bool:
    """Flagged at risk by its owner, or red or amber health: its ARR counts as at risk."""
    if renewal.flagged_at_risk:
        return True
    health = getattr(renewal.account, "health", None)
    return health is not None and health.light in RISKY_LIGHTS


def upcoming(
    today: dt.date, days: int, *, owner: int | None = None, risky: bool = False
) -> QuerySet[Renewal]:
    """Open renewals on or before `days` from today, overdue ones included, soonest first;
    only those at risk when `risky`."""
    found = renewals().filter(stage__in=OPEN_STAGES, renewal_date__lte=today + dt.timedelta(days=days))
    if risky:
        found = found.filter(AT_RISK)
    return found.filter(owner=owner) if owner is not None else found


@dataclass
class Window:
    days: int
    count: int
    arr: Decimal
    arr_at_risk: Decimal


def windows(today: dt.date, *, owner: int | None = None) -> list[Window]:
    """For each window, how many open renewals come up, their ARR and the ARR at risk:
    one query."""
    base = Renewal.objects.filter(stage__in=OPEN_STAGES)
    if owner is not None:
        base = base.filter(owner=owner)
    risky = AT_RISK
    figures: dict[str, Any] = {}
    for days in WINDOWS:
        inside = Q(renewal_date__lte=today + dt.timedelta(days=days))
        figures[f"n{days}"] = Count("pk", filter=inside)
        figures[f"arr{days}"] = Coalesce(Sum("arr", filter=inside), Decimal(0))
        figures[f"risk{days}"] = Coalesce(Sum("arr", filter=inside & risky), Decimal(0))
    row = base.aggregate(**figures)
    return [
        Window(days, row[f"n{days}"], row[f"arr{days}"], row[f"risk{days}"]) for days in WINDOWS
    ]


ACCOUNT_ROWS = 5


def account_page(request: Any, account: Any) -> dict[str, Any]:
    """The account page's renewals: the open ones and the latest outcomes, one query."""
    rows = list(
        Renewal.objects.filter(account=account).select_related("owner", "reason")
        .order_by("-renewal_date", "-pk")[:ACCOUNT_ROWS]
    )
    return {"account_renewals": rows}


MY_WORK_DAYS = 30


def my_work(request: Any, user: Any) -> dict[str, Any]:
    """For "my work": the user's open renewals due within MY_WORK_DAYS or overdue, one
    query."""
    today = timezone.localdate()
    rows = list(upcoming(today, MY_WORK_DAYS, owner=user.pk))
    for renewal in rows:
        renewal.at_risk = at_risk(renewal)  # type: ignore[attr-defined]
        renewal.days_left = (renewal.renewal_date - today).days  # type: ignore[attr-defined]
    return {"renewals_due": rows, "renewal_days": MY_WORK_DAYS}
