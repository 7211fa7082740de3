"""Building scorecards, metric values and ratings directly in the database for tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.models import Measure, Scorecard
from cairn.metrics.models import MetricDefinition, MetricValue


def metric(slug: str = "seat-utilization", higher_is_better: bool = True) -> MetricDefinition:
    found, _ = MetricDefinition.objects.get_or_create(
        slug=slug,
        defaults={"name": slug.replace("-", " ").capitalize(), "kind": "seat_utilization",
                  "higher_is_better": higher_is_better},
    )
    return found


def set_value(account: Account, definition: MetricDefinition, value: float | None,
              observed_on: dt.date | None = None) -> None:
    MetricValue.objects.update_or_create(
        account=account, metric=definition,
        defaults={"value": value, "observed_on": observed_on or timezone.localdate(),
                  "computed_at": timezone.now()},
    )


def scorecard(name: str = "Default", *, default: bool = True, segments: list[str] | None = None,
              seats_weight: float = 60, sponsor_weight: float = 40) -> Scorecard:
    """Seat utilization (0.2 bad, 0.8 good) and a sponsorship rating."""
    card = Scorecard.objects.create(name=name, is_default=default, segments=segments or [])
    Measure.objects.create(
        scorecard=card, name="Seat utilization", indicator="product_utilization",
        weight=seats_weight, source="metric", metric=metric(), bad_value=0.2, good_value=0.8,
    )
    Measure.objects.create(
        scorecard=card, name="Sponsorship", indicator="sponsorship", weight=sponsor_weight,
        source="manual", position=1,
    )
    return card
