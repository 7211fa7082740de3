"""Reading expansion and advocacy: opportunities filtered with their pipeline by stage, the
asks, and the NPS promoters worth asking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cairn.bounds import INT_MAX
from cairn.customers.models import Contact
from cairn.expansion.models import (
    OPEN_ASKS,
    OPEN_STAGES,
    AdvocacyAsk,
    Kind,
    Opportunity,
    Stage,
)
from cairn.usage.models import SurveyResponse

# A promoter asked this recently (whatever came of it) is left alone for now.
RESTING_DAYS = 90
PROMOTER = 9
ACCOUNT_ROWS = 5


def opportunities() -> QuerySet[Opportunity]:
    """Opportunities with what their rows show."""
    return Opportunity.objects.select_related(
        "account", "engagement", "product", "spotted_by", "confirmed_by"
    ).order_by("-created_at", "-pk")


@dataclass
class Filters:
    stage: str | None = None
    kind: str | None = None
    spotted_by: int | None = None
    account: int | None = None

    @property
    def querystring(self) -> str:
        return "&".join(f"{name}={value}" for name, value in vars(self).items() if value is not None)


def _id(value: Any) -> int | None:
    text = str(value or "")
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= INT_MAX else None


def parse_filters(params: Mapping[str, Any]) -> Filters:
    """Filters from a page's query string; what is not a known value is ignored."""
    stage = params.get("stage") or None
    kind = params.get("kind") or None
    return Filters(
        stage=stage if stage in Stage.values or stage == "open" else None,
        kind=kind if kind in Kind.values else None,
        spotted_by=_id(params.get("spotted_by")),
        account=_id(params.get("account")),
    )


def filtered(filters: Filters, found: QuerySet[Opportunity] | None = None) -> QuerySet[Opportunity]:
    found = opportunities() if found is None else found
    if filters.stage == "open":
        found = found.filter(stage__in=OPEN_STAGES)
    elif filters.stage is not None:
        found = found.filter(stage=filters.stage)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    if filters.spotted_by is not None:
        found = found.filter(spotted_by=filters.spotted_by)
    if filters.account is not None:
        found = found.filter(account=filters.account)
    return found


@dataclass
class StageTotal:
    stage: str
    label: str
    count: int
    amount: Decimal  # estimated ARR; for won and lost, the closed ARR


@dataclass
class Totals:
    stages: list[StageTotal]
    pipeline_count: int  # the open ones
    pipeline: Decimal


def totals(found: QuerySet[Opportunity]) -> Totals:
    """Per stage, how many and their ARR (estimated while open, closed once won or lost),
    and the open pipeline: one query."""
    figures: dict[str, Any] = {}
    for stage in Stage:
        inside = Q(stage=stage)
        figures[f"n_{stage.value}"] = Count("pk", filter=inside)
        field = "closed_amount" if stage in (Stage.WON, Stage.LOST) else "amount"
        figures[f"arr_{stage.value}"] = Coalesce(Sum(field, filter=inside), Decimal(0))
    row = found.order_by().aggregate(**figures)
    stages = [
        StageTotal(stage.value, stage.label, row[f"n_{stage.value}"], row[f"arr_{stage.value}"])
        for stage in Stage
    ]
    open_ = [s for s in stages if s.stage in OPEN_STAGES]
    return Totals(stages, sum(s.count for s in open_), sum((s.amount for s in open_), Decimal(0)))


def history(opportunity: Opportunity) -> QuerySet[Any]:
    return opportunity.changes.select_related("by").order_by("changed_at", "pk")


def asks() -> QuerySet[AdvocacyAsk]:
    return AdvocacyAsk.objects.select_related("contact", "contact__account", "asked_by").order_by(
        "-created_at", "-pk"
    )


def candidates(today: dt.date, *, account: int | None = None) -> QuerySet[Contact]:
    """Contacts whose latest NPS answer is 9 or 10, with no open ask and not asked in the
    last RESTING_DAYS days; the most recent answer first. Each carries `nps_score` and
    `nps_answered_at`."""
    latest = SurveyResponse.objects.filter(contact=OuterRef("pk")).order_by("-answered_at", "-pk")
    since = today - dt.timedelta(days=RESTING_DAYS)
    asked = AdvocacyAsk.objects.filter(contact=OuterRef("pk"))
    found = (
        Contact.objects.annotate(
            nps_score=Subquery(latest.values("score")[:1]),
            nps_answered_at=Subquery(latest.values("answered_at")[:1]),
        )
        .filter(nps_score__gte=PROMOTER)
        .exclude(Exists(asked.filter(status__in=OPEN_ASKS)))
        .exclude(Exists(asked.filter(asked_on__gte=since)))
        .select_related("account")
        .order_by("-nps_answered_at", "pk")
    )
    return found.filter(account=account) if account is not None else found


def account_page(request: Any, account: Any) -> dict[str, Any]:
    """The account page's expansion and advocacy: its latest opportunities, the pipeline,
    its asks and its promoters worth asking, in a fixed number of queries."""
    from django.utils import timezone

    found = Opportunity.objects.filter(account=account)
    return {
        "account_opportunities": list(
            found.select_related("product", "spotted_by").order_by("-created_at", "-pk")[:ACCOUNT_ROWS]
        ),
        "account_pipeline": totals(found),
        "account_asks": list(
            asks().filter(contact__account=account)[:ACCOUNT_ROWS]
        ),
        "account_candidates": list(candidates(timezone.localdate(), account=account.pk)[:ACCOUNT_ROWS]),
    }
