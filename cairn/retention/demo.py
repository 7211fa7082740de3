"""Demo revenue history for retention: what the customers still with us paid before the
terms the demo accounts start with, so the year of retention figures tells a story.

- Halvorsen Maritime has been a customer for three years: its first term (fewer seats) was
  renewed and expanded into the current two-year platform term, recorded as a renewal. It
  also connected its old voyage system through Beacon Connect until it retired it, eight
  months ago: contraction.
- Brightwater Utilities piloted Beacon Forecasting beside the platform in its first months
  and dropped it when the control-room rollout took priority: contraction.
- The spec's own history does the rest: Halvorsen's forecasting and success plan (expansion),
  Sable Ridge's platform deal after its forecasting pilot (expansion), four churns recorded by
  the renewals demo, and the new logos of the last months.

Only accounts that are still customers get history, and every added term ends before the
26 weeks of health history, so the scores and the trust backtest see the same book as before.
Terms are written as the records are, with the clock stamped on their day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Min

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.people.models import User
from cairn.renewals.models import Renewal, Stage

# account key, product sku, quantity, ARR, start and end offsets from today, status
PAST_TERMS: list[tuple[str, str, int, str, int, int, str]] = [
    ("halvorsen-maritime", "BOP", 300, "150000", -1065, -701, SubscriptionStatus.RENEWED),
    ("halvorsen-maritime", "BCN", 2, "16000", -700, -238, SubscriptionStatus.EXPIRED),
    ("brightwater-utilities", "BFC", 30, "32000", -420, -280, SubscriptionStatus.EXPIRED),
]

# The renewal that moved Halvorsen's first term on: account, day (offset), outcome, final ARR,
# who worked it and their note.
RENEWALS: list[tuple[str, int, str, str, str, str]] = [
    ("halvorsen-maritime", -701, Stage.EXPANDED, "182000", "priya",
     "Renewed for two years with 50 more seats for the new LNG carriers."),
]


def load(accounts: dict[str, Account], users: dict[str, User], today: dt.date,
         stamp: Callable[[dt.date], None]) -> None:
    """`stamp(day)` dates what was written since the last stamp on that day."""
    products = {p.sku: p for p in Product.objects.filter(sku__in={t[1] for t in PAST_TERMS})}
    # Each account's record dates from its first term in the spec: nothing is stamped earlier.
    keys = {t[0] for t in PAST_TERMS} & set(accounts)
    joined = dict(
        Subscription.objects.filter(account__in=[accounts[k] for k in keys])
        .values("account_id").annotate(first=Min("start_date")).values_list("account_id", "first")
    )
    terms: dict[str, list[Subscription]] = {}
    for key, sku, quantity, arr, start, end, status in sorted(PAST_TERMS, key=lambda t: t[4]):
        if key not in accounts or sku not in products:
            continue
        subscription = Subscription(
            account=accounts[key], product=products[sku], quantity=quantity, arr=Decimal(arr),
            start_date=today + dt.timedelta(days=start), end_date=today + dt.timedelta(days=end),
            status=status,
        )
        subscription.full_clean()
        subscription.save()
        terms.setdefault(key, []).append(subscription)
        stamp(max(subscription.start_date, joined.get(subscription.account_id, subscription.start_date)))
    for key, offset, stage, final, owner, note in RENEWALS:
        day = today + dt.timedelta(days=offset)
        covered = [s for s in terms.get(key, []) if s.end_date == day]
        if not covered:
            continue
        renewal = Renewal(
            account=accounts[key], renewal_date=day, owner=users.get(owner),
            arr=sum((s.arr for s in covered), Decimal(0)), stage=stage,
            final_amount=Decimal(final), closed_on=day, notes=note,
        )
        renewal.full_clean()
        renewal.save()
        renewal.subscriptions.add(*covered)
        stamp(max(day, joined.get(renewal.account_id, day)))
