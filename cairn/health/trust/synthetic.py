"""A synthetic book where churn is known to depend on usage, for the tests and the bench.

Each account has a usage trend (its slope); the lower the slope, the likelier it churns, and a
churning account's usage also sinks as its end approaches. Two metric series are written on a
weekly grid in the documented layout: `usage-change` (the informative one) and `noise`
(unrelated to churn). A scorecard scores both with thresholds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.health.models import Measure, Scorecard
from cairn.metrics.models import MetricDefinition, MetricFill
from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

START = dt.date(2025, 1, 6)


@dataclass(frozen=True)
class Book:
    accounts: list[int]
    churned: int
    dates: list[dt.date]
    as_of: dt.date
    usage: MetricDefinition
    noise: MetricDefinition


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _metric(slug: str, kind: str) -> MetricDefinition:
    found, _ = MetricDefinition.objects.get_or_create(
        slug=slug, defaults={"name": slug.replace("-", " ").capitalize(), "kind": kind,
                             "event_type": "login"},
    )
    return found


def make_book(
    *, accounts: int = 300, weeks: int = 30, lead_days: int = 60, seed: int = 7,
    churn: bool = True, prefix: str = "Synthetic",
) -> Book:
    """Accounts, subscriptions (churned, renewed or active) and the two metric series."""
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(weeks=k) for k in range(weeks)]
    as_of = dates[-1] + dt.timedelta(days=lead_days)
    rows = Account.objects.bulk_create(
        Account(name=f"{prefix} {i:05d}", segment="smb") for i in range(accounts)
    )
    ids = sorted(a.pk for a in rows)
    slope = rng.normal(0.0, 1.0, accounts)
    churns = rng.random(accounts) < _sigmoid(-1.2 - 1.8 * slope) if churn else np.zeros(accounts, bool)
    span = (as_of - dates[4]).days
    churn_on = [dates[4] + dt.timedelta(days=int(x)) for x in rng.integers(1, span + 1, accounts)]
    product, _ = Product.objects.get_or_create(name=f"{prefix} product")
    Subscription.objects.bulk_create(
        Subscription(
            account_id=pk, product=product, start_date=START - dt.timedelta(days=365),
            end_date=churn_on[i] if churns[i] else as_of + dt.timedelta(days=int(rng.integers(-200, 200))),
            status=SubscriptionStatus.CHURNED if churns[i] else (
                SubscriptionStatus.RENEWED if i % 2 else SubscriptionStatus.ACTIVE
            ),
        )
        for i, pk in enumerate(ids)
    )
    # An account that stays renews: a term that ended by as_of is followed by the next one,
    # or it would count as churn (cairn.customers.churn: ended, nothing after it).
    Subscription.objects.bulk_create(
        Subscription(
            account_id=sub.account_id, product=product, start_date=sub.end_date + dt.timedelta(days=1),
            end_date=sub.end_date + dt.timedelta(days=365), status=SubscriptionStatus.ACTIVE,
        )
        for sub in Subscription.objects.filter(account_id__in=ids, end_date__lt=as_of).exclude(
            status=SubscriptionStatus.CHURNED
        )
    )
    usage, noise = _metric("usage-change", "percent_change"), _metric("noise", "count")
    for day in dates:
        to_churn = np.array([(c - day).days for c in churn_on], dtype=float)
        near = np.where(churns & (to_churn > 0), np.clip(1.0 - to_churn / (2 * lead_days), 0, 1), 0.0)
        here = ~churns | (to_churn > 0)
        values = {
            "usage-change": 0.2 * slope - 0.6 * near + rng.normal(0.0, 0.12, accounts),
            "noise": rng.uniform(0.0, 100.0, accounts),
        }
        for slug, column in values.items():
            table = pa.table(
                [pa.array(np.array(ids)[here], pa.int64()), pa.array([day] * int(here.sum()), pa.date32()),
                 pa.array(column[here], pa.float64())],
                schema=SERIES_SCHEMA,
            )
            write_series_file(table, series_path(slug, day))
        MetricFill.objects.update_or_create(
            observed_on=day,
            defaults={"definitions_fingerprint": "synthetic", "inputs_fingerprint": "synthetic",
                      "engine": "synthetic", "accounts": int(here.sum()), "completed_at": timezone.now()},
        )
    return Book(ids, int(churns.sum()), dates, as_of, usage, noise)


def make_scorecard(
    book: Book, *, usage_weight: float = 60, noise_weight: float = 40, name: str = "Synthetic health",
    with_usage: bool = True,
) -> Scorecard:
    """The default scorecard: usage change (-50 % bad, +20 % good) and noise (0 bad, 100
    good), plus a sponsorship rating nobody gave, as in a real book without history."""
    card = Scorecard.objects.create(name=name, is_default=True)
    position = 0
    if with_usage:
        Measure.objects.create(
            scorecard=card, name="Usage change", indicator="product_utilization", weight=usage_weight,
            source="metric", metric=book.usage, bad_value=-0.5, good_value=0.2, position=position,
        )
        position += 1
    Measure.objects.create(
        scorecard=card, name="Noise", indicator="company_health", weight=noise_weight,
        source="metric", metric=book.noise, bad_value=0, good_value=100, position=position,
    )
    Measure.objects.create(
        scorecard=card, name="Sponsorship", indicator="sponsorship", weight=20, source="manual",
        position=position + 1,
    )
    return card
