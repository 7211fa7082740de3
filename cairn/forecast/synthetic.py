"""A synthetic book where churn depends on behaviour with effects we chose, for the tests and
the bench (bench/forecast.py).

Every account has lasting traits. Its weekly chance of churning rises with few logins (a
behaviour that keeps customers), with many errors (one that drives them away, the strongest
effect), and most where both meet (an interaction a straight line cannot draw); `projects`
matters in no one direction (very few and very many both leave more: a U shape); `seats` and
`noise` have no effect. In the weeks before an account leaves, its logins sink. The metric
series are written on a weekly grid in the documented layout, as `cairn metrics recompute`
would have, with their MetricFill rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from django.db import connection
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.metrics.models import MetricDefinition, MetricFill
from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

START = dt.date(2025, 1, 6)
# The chosen effects, as each metric's sign on churn: + raises risk, - lowers it, 0 none.
EFFECTS = {"errors": +1, "logins": -1, "projects": 0, "seats": 0, "noise": 0}
# `projects` matters but in no one direction: customers with very few and with very many
# projects both leave more often (a U shape no straight line can draw).
UNEVEN = {"projects"}
SLOWDOWN_WEEKS = 4


@dataclass(frozen=True)
class Book:
    accounts: np.ndarray
    dates: list[dt.date]
    as_of: dt.date
    churned: int


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_book(*, accounts: int = 2000, weeks: int = 40, lead_days: int = 56, seed: int = 3,
              weekly_base: float = -4.6, prefix: str = "Forecast") -> Book:
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(weeks=k) for k in range(weeks)]
    as_of = dates[-1]
    logins_trait = rng.normal(0, 1, accounts)
    errors_trait = rng.normal(0, 1, accounts)
    projects_trait = rng.normal(0, 1, accounts)
    both = (logins_trait < -0.5) & (errors_trait > 0.5)
    weekly = _sigmoid(weekly_base - 0.8 * logins_trait + 1.1 * errors_trait + 2.0 * both
                      + 1.5 * (errors_trait > 1.2) + 1.6 * (np.abs(projects_trait) > 1.1))
    # The week each account leaves (0-based), or `weeks` and beyond for those that stay.
    leaves = np.minimum(rng.geometric(weekly) - 1 + 4, 10 * weeks)  # none in the first four weeks
    churn_day = [START + dt.timedelta(weeks=int(w), days=int(rng.integers(0, 7))) for w in leaves]
    churns = np.array([d <= as_of for d in churn_day])
    _accounts(accounts, prefix)
    ids = np.array(sorted(Account.objects.filter(name__startswith=prefix + " ").values_list("pk", flat=True)),
                   dtype=np.int64)
    started = [START - dt.timedelta(days=int(rng.integers(30, 1100))) for _ in range(accounts)]
    product, _ = Product.objects.get_or_create(name=f"{prefix} product")
    Subscription.objects.bulk_create(
        (Subscription(
            account_id=int(pk), product=product, start_date=started[i],
            end_date=churn_day[i] if churns[i] else as_of + dt.timedelta(days=200),
            status=SubscriptionStatus.CHURNED if churns[i] else SubscriptionStatus.ACTIVE,
        ) for i, pk in enumerate(ids.tolist())),
        batch_size=5000,
    )
    for slug in EFFECTS:
        MetricDefinition.objects.get_or_create(
            slug=slug, defaults={"name": slug.capitalize(), "kind": "count", "event_type": slug},
        )
    base_logins = 30 * np.exp(0.5 * logins_trait)
    base_errors = 2 * np.exp(0.7 * errors_trait)
    seats = rng.integers(5, 200, accounts).astype(float)
    for day in dates:
        weeks_left = np.array([(c - day).days / 7 for c in churn_day])
        here = ~churns | (weeks_left > 0)
        fading = np.clip(weeks_left / SLOWDOWN_WEEKS, 0.6, 1.0)
        values: dict[str, np.ndarray] = {
            "logins": np.round(base_logins * fading * rng.lognormal(0, 0.25, accounts)),
            "errors": np.round(base_errors * rng.lognormal(0, 0.4, accounts)),
            "projects": np.round(np.exp(1.5 + 0.8 * projects_trait)),
            "seats": seats,
            "noise": rng.uniform(0, 100, accounts),
        }
        for slug, column in values.items():
            table = pa.table(
                [pa.array(ids[here], pa.int64()), pa.array([day] * int(here.sum()), pa.date32()),
                 pa.array(column[here].astype(float), pa.float64())],
                schema=SERIES_SCHEMA,
            )
            write_series_file(table, series_path(slug, day))
        MetricFill.objects.update_or_create(
            observed_on=day,
            defaults={"definitions_fingerprint": "synthetic", "inputs_fingerprint": "synthetic",
                      "engine": "synthetic", "accounts": int(here.sum()), "completed_at": timezone.now()},
        )
    return Book(ids, dates, as_of, int(churns.sum()))


def _accounts(count: int, prefix: str) -> None:
    """Many accounts quickly: the ORM's bulk_create, in batches the database takes."""
    batch = 2000 if connection.vendor == "sqlite" else 10000
    Account.objects.bulk_create(
        (Account(name=f"{prefix} {i:06d}", segment="smb") for i in range(count)), batch_size=batch,
    )
