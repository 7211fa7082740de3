"""The accounts a rule's conditions let through, as one query.

Conditions read the account as it stands when the rule is evaluated (or previewed): its
segment, owner, ARR, engagement phase, latest health, next renewal, its own fields and flags.
A preview over past days therefore asks today's questions of the accounts the trigger found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from django.db.models import (
    DecimalField,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cairn.automation.definition import Condition, Field_, Op
from cairn.automation.models import AccountFlag
from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.engagements.models import Engagement
from cairn.engagements.models import Status as EngagementStatus

# Up to this many candidates are looked up by id; beyond, the whole book is filtered and
# intersected, which costs one pass instead of a query text with thousands of ids.
BY_ID = 5_000
LIVE = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL]


def _arr() -> Subquery:
    total = (
        Subscription.objects.filter(account=OuterRef("pk"), status__in=LIVE)
        .order_by().values("account").annotate(total=Sum("arr")).values("total")
    )
    return Subquery(total, output_field=DecimalField(max_digits=16, decimal_places=2))


def _next_renewal(today: dt.date) -> Subquery:
    ends = (
        Subscription.objects.filter(account=OuterRef("pk"), status__in=LIVE, end_date__gte=today)
        .order_by().values("account").annotate(first=Min("end_date")).values("first")
    )
    return Subquery(ends)


def _one(condition: Condition, today: dt.date) -> tuple[Q, dict[str, object]]:
    """The condition as a filter, and the annotations it needs."""
    values, number = condition.values, condition.number
    field, op = condition.field, condition.op
    annotations: dict[str, object] = {}
    if field == Field_.SEGMENT:
        q = Q(segment__in=values)
    elif field == Field_.OWNER:
        q = Q(owner_id__in=[int(v) for v in values if v.isdigit()])
        if "none" in values:
            q |= Q(owner__isnull=True)
    elif field == Field_.PHASE:
        q = Q(Exists(Engagement.objects.filter(
            account=OuterRef("pk"), status=EngagementStatus.ACTIVE, current_phase__key__in=values
        )))
    elif field == Field_.LIGHT:
        q = Q(health__light__in=values)
    elif field in (Field_.INDUSTRY, Field_.REGION):
        name = str(field)
        if op == Op.CONTAINS:
            return Q(**{f"{name}__icontains": condition.text.strip()}), annotations
        q = Q()
        for value in values:
            q |= Q(**{f"{name}__iexact": value})
    elif field == Field_.NAME:
        return Q(name__icontains=condition.text.strip()), annotations
    elif field == Field_.FLAG:
        carries = Exists(AccountFlag.objects.filter(
            account=OuterRef("pk"), name__iexact=condition.text.strip(), cleared_at__isnull=True
        ))
        return (Q(carries) if op == Op.HAS else ~Q(carries)), annotations
    else:
        column = {
            Field_.ARR: "rule_arr", Field_.SCORE: "health__score",
            Field_.RENEWAL_DAYS: "rule_renewal", Field_.EMPLOYEES: "employees",
        }[field]
        if field == Field_.ARR:
            annotations["rule_arr"] = Coalesce(_arr(), Value(0), output_field=DecimalField())
        assert number is not None
        bound: object = number
        if field == Field_.RENEWAL_DAYS:
            # Days to the next renewal, as a date bound: at most N days is "on or before today + N".
            annotations["rule_renewal"] = _next_renewal(today)
            bound = today + dt.timedelta(days=int(number))
        return Q(**{f"{column}__{op}": bound}), annotations
    return (~q if op == Op.NOT_IN else q), annotations


def matching(
    conditions: Sequence[Condition], candidates: Collection[int], today: dt.date
) -> set[int]:
    """The candidate accounts that meet every condition."""
    if not conditions or not candidates:
        return set(candidates)
    rows: QuerySet[Account] = Account.objects.all()
    for condition in conditions:
        q, annotations = _one(condition, today)
        if annotations:
            rows = rows.annotate(**annotations)  # type: ignore[arg-type]
        rows = rows.filter(q)
    if len(candidates) <= BY_ID:
        rows = rows.filter(pk__in=list(candidates))
        return set(rows.values_list("pk", flat=True))
    return set(rows.values_list("pk", flat=True).iterator(chunk_size=20_000)) & set(candidates)

