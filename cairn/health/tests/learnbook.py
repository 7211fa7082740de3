"""A synthetic book for learning scorecards: one behaviour lowers churn, one raises it.

Each account has two traits. `engaged` lowers its odds of churning and drives `messages`, a
heavy-tailed count (log-normal); `troubled` raises them and drives `errors`, a count the
metric declares higher-is-better (as a user who guessed wrong would have). A third metric,
`noise`, has nothing to do with churn. Values are written on a weekly grid in the documented
layout, with a MetricFill row per date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.health.models import Measure, Scorecard
from cairn.metrics.models import MetricDefinition, MetricFill
from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

START = dt.date(2025, 1, 6)
LEAD = 60
SLUGS = ("messages", "errors", "noise")


@dataclass(frozen=True)
class LearnBook:
    accounts: list[int]
    dates: list[dt.date]
    as_of: dt.date
    messages: MetricDefinition
    errors: MetricDefinition
    noise: MetricDefinition


def _metric(slug: str) -> MetricDefinition:
    found, _ = MetricDefinition.objects.get_or_create(
        slug=slug, defaults={"name": slug.capitalize(), "kind": "count", "event_type": slug},
    )
    return found


def make_learn_book(
    *, accounts: int = 300, weeks: int = 20, seed: int = 11, churn: bool = True,
    prefix: str = "Learn",
) -> LearnBook:
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(weeks=k) for k in range(weeks)]
    as_of = dates[-1] + dt.timedelta(days=LEAD)
    rows = Account.objects.bulk_create(
        Account(name=f"{prefix} {i:05d}", segment="smb") for i in range(accounts)
    )
    ids = np.array(sorted(a.pk for a in rows), dtype=np.int64)
    engaged, troubled = rng.normal(0, 1, accounts), rng.normal(0, 1, accounts)
    odds = -1.3 - 1.3 * engaged + 1.6 * troubled
    churns = (rng.random(accounts) < 1 / (1 + np.exp(-odds))) if churn else np.zeros(accounts, bool)
    span = (as_of - dates[2]).days
    churn_on = [dates[2] + dt.timedelta(days=int(x)) for x in rng.integers(1, span + 1, accounts)]
    product, _ = Product.objects.get_or_create(name=f"{prefix} product")
    Subscription.objects.bulk_create(
        Subscription(
            account_id=int(pk), product=product, start_date=START - dt.timedelta(days=365),
            end_date=churn_on[i] if churns[i] else as_of + dt.timedelta(days=int(rng.integers(30, 300))),
            status=SubscriptionStatus.CHURNED if churns[i] else SubscriptionStatus.ACTIVE,
        )
        for i, pk in enumerate(ids.tolist())
    )
    metrics = {slug: _metric(slug) for slug in SLUGS}
    for day in dates:
        here = ~churns | np.array([(c - day).days > 0 for c in churn_on])
        values = {
            "messages": np.round(np.exp(1.5 + 0.9 * engaged + rng.normal(0, 0.3, accounts))),
            "errors": np.maximum(0, np.round(12 + 4 * troubled + rng.normal(0, 1.5, accounts))),
            "noise": rng.uniform(0, 100, accounts),
        }
        for slug, column in values.items():
            write_series_file(_table(ids[here], day, column[here]), series_path(slug, day))
        MetricFill.objects.update_or_create(
            observed_on=day,
            defaults={"definitions_fingerprint": "learn", "inputs_fingerprint": "learn",
                      "engine": "synthetic", "accounts": int(here.sum()), "completed_at": timezone.now()},
        )
    return LearnBook(ids.tolist(), dates, as_of, *metrics.values())


def _table(ids: np.ndarray, day: dt.date, values: np.ndarray) -> pa.Table:
    return pa.table(
        [pa.array(ids, pa.int64()), pa.array([day] * len(ids), pa.date32()),
         pa.array(values, pa.float64())],
        schema=SERIES_SCHEMA,
    )


def add_accounts(book: LearnBook, count: int, day: dt.date, seed: int = 5) -> None:
    """More retained accounts with a value of every metric on `day`, appended to its files."""
    rng = np.random.default_rng(seed)
    rows = Account.objects.bulk_create(Account(name=f"Extra {i:05d}", segment="smb") for i in range(count))
    ids = np.array(sorted(a.pk for a in rows), dtype=np.int64)
    product = Product.objects.get(name="Learn product")
    Subscription.objects.bulk_create(
        Subscription(account_id=int(pk), product=product, start_date=START - dt.timedelta(days=365),
                     end_date=book.as_of + dt.timedelta(days=400), status=SubscriptionStatus.ACTIVE)
        for pk in ids.tolist()
    )
    for slug in SLUGS:
        path = series_path(slug, day)
        table = pa.concat_tables([pq.read_table(path), _table(ids, day, rng.uniform(1, 50, count))])
        write_series_file(table.sort_by("account_id"), path)


def make_card(book: LearnBook, *, default: bool = True, name: str = "Usage health") -> Scorecard:
    """Messages (1 bad, 10 good), errors as declared (0 bad, 20 good: more errors score more,
    the guess a user would make without the data) and a sponsorship rating nobody gave."""
    card = Scorecard.objects.create(name=name, is_default=default)
    Measure.objects.create(
        scorecard=card, name="Messages", indicator="product_utilization", weight=50, source="metric",
        metric=book.messages, bad_value=1, good_value=10, position=0,
    )
    Measure.objects.create(
        scorecard=card, name="Errors", indicator="support_utilization", weight=30, source="metric",
        metric=book.errors, bad_value=0, good_value=20, position=1,
    )
    Measure.objects.create(
        scorecard=card, name="Sponsorship", indicator="sponsorship", weight=20, source="manual",
        position=2,
    )
    return card
