"""What the scoring reads: the raw value of every measure for every account, in a few queries.

Each loader answers for many accounts at once (a handful of queries whatever the number of
accounts), so a recompute of the whole book and a preview of ten accounts share the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from cairn.health.models import ManualRating
from cairn.health.scoring import CardSpec, Observation
from cairn.metrics.models import MetricValue

# account id -> measure key -> observation
Observations = dict[int, dict[str, Observation]]


def metric_values(
    metric_ids: Collection[int], accounts: Collection[int] | None
) -> dict[int, dict[int, Observation]]:
    """metric id -> account id -> the latest value (metrics.MetricValue holds only the latest)."""
    out: dict[int, dict[int, Observation]] = {m: {} for m in metric_ids}
    if not metric_ids:
        return out
    rows = MetricValue.objects.filter(metric_id__in=list(metric_ids))
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    for account_id, metric_id, value, observed_on in rows.values_list(
        "account_id", "metric_id", "value", "observed_on"
    ).iterator(chunk_size=20000):
        out[metric_id][account_id] = Observation(value, observed_on)
    return out


def manual_ratings(
    accounts: Collection[int] | None, as_of: dt.date
) -> dict[tuple[int, str], Observation]:
    """(account id, indicator) -> the latest rating given by `as_of` and not yet expired.

    An expired rating is skipped, not replaced by an older one: the CSM's latest word on
    the indicator has lapsed, so the indicator is missing until someone rates it again.
    """
    rows = ManualRating.objects.filter(rated_on__lte=as_of)
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    latest: dict[tuple[int, str], Observation] = {}
    for account_id, indicator, rating, comment, expires_on in rows.order_by(
        "account_id", "indicator", "-rated_on", "-id"
    ).values_list("account_id", "indicator", "rating", "comment", "expires_on"):
        key = (account_id, indicator)
        if key in latest:
            continue
        if expires_on < as_of:
            latest[key] = Observation(None, None, f"rating expired on {expires_on:%d %b %Y}")
        else:
            latest[key] = Observation(rating, None, comment)
    return latest


def gather(
    cards: Iterable[CardSpec], accounts: Collection[int] | None, as_of: dt.date
) -> tuple[dict[int, dict[int, Observation]], dict[tuple[int, str], Observation]]:
    """Everything the cards need, for the given accounts (None: all)."""
    metric_ids = {
        m.metric_id for card in cards for m in card.measures
        if m.source == "metric" and m.metric_id is not None
    }
    return metric_values(metric_ids, accounts), manual_ratings(accounts, as_of)


def observations_for(
    card: CardSpec,
    account_id: int,
    metrics: dict[int, dict[int, Observation]],
    ratings: dict[tuple[int, str], Observation],
) -> dict[str, Observation]:
    found: dict[str, Observation] = {}
    for spec in card.measures:
        seen: Observation | None = None
        if spec.source == "metric" and spec.metric_id is not None:
            seen = metrics.get(spec.metric_id, {}).get(account_id)
        elif spec.source == "manual":
            seen = ratings.get((account_id, spec.indicator))
        if seen is not None:
            found[spec.key] = seen
    return found

