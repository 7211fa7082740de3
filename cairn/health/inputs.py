"""What the scoring reads: the raw value of every measure for every account, in a few queries.

Each loader answers for many accounts at once (a handful of queries whatever the number of
accounts), so a recompute of the whole book and a preview of ten accounts share the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

from cairn.health.models import ManualRating
from cairn.health.scoring import CardSpec, Column
from cairn.metrics.models import MetricValue

# metric id -> account id -> (latest value, the day it describes)
MetricValues = dict[int, dict[int, tuple[float | None, dt.date]]]
# indicator -> account id -> (rating, or None when it expired; why it is missing)
Ratings = dict[str, dict[int, tuple[str | None, str]]]


def metric_values(metric_ids: Collection[int], accounts: Collection[int] | None) -> MetricValues:
    """The latest value of each metric per account (metrics.MetricValue holds only the latest)."""
    out: MetricValues = {m: {} for m in metric_ids}
    if not metric_ids:
        return out
    rows = MetricValue.objects.filter(metric_id__in=list(metric_ids))
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    for account_id, metric_id, value, observed_on in rows.values_list(
        "account_id", "metric_id", "value", "observed_on"
    ).iterator(chunk_size=50000):
        out[metric_id][account_id] = (value, observed_on)
    return out


def manual_ratings(accounts: Collection[int] | None, as_of: dt.date) -> Ratings:
    """The latest rating per account and indicator given by `as_of`.

    An expired rating is kept as missing, not replaced by an older one: the CSM's latest
    word on the indicator has lapsed, so it is missing until someone rates it again.
    """
    rows = ManualRating.objects.filter(rated_on__lte=as_of)
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    latest: Ratings = {}
    for account_id, indicator, rating, expires_on in rows.order_by(
        "account_id", "indicator", "-rated_on", "-id"
    ).values_list("account_id", "indicator", "rating", "expires_on"):
        per_account = latest.setdefault(indicator, {})
        if account_id in per_account:
            continue
        if expires_on < as_of:
            per_account[account_id] = (None, f"rating expired on {expires_on:%d %b %Y}")
        else:
            per_account[account_id] = (rating, "")
    return latest


def gather(
    cards: Iterable[CardSpec], accounts: Collection[int] | None, as_of: dt.date
) -> tuple[MetricValues, Ratings]:
    """Everything the cards need, for the given accounts (None: all)."""
    metric_ids = {
        m.metric_id for card in cards for m in card.measures
        if m.source == "metric" and m.metric_id is not None
    }
    return metric_values(metric_ids, accounts), manual_ratings(accounts, as_of)


def columns_for(
    card: CardSpec, account_ids: Sequence[int], metrics: MetricValues, ratings: Ratings
) -> list[Column]:
    """The card's measures as columns over the given accounts, in their order."""
    n = len(account_ids)
    columns = []
    for spec in card.measures:
        if spec.source == "metric" and spec.metric_id is not None:
            found = metrics.get(spec.metric_id, {})
            got = [found.get(a) for a in account_ids]
            columns.append(
                Column([g[0] if g else None for g in got], [g[1] if g else None for g in got])
            )
        elif spec.source == "manual":
            given = ratings.get(spec.indicator, {})
            got_rating = [given.get(a) for a in account_ids]
            columns.append(
                Column(
                    [g[0] if g else None for g in got_rating],
                    notes=[g[1] if g else "" for g in got_rating],
                )
            )
        else:
            # Survey and ticket measures wait for the usage app's models (docs/analytics.md).
            columns.append(Column([None] * n, notes=["no survey or ticket data yet"] * n))
    return columns
