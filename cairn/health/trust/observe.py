"""The backtest's observations: every account the scorecard applies to, scored on every
date of the metric grid from what was known on that date, and labelled by whether it churned
within the lead window after it.

Out of time by construction: on date d an account's points come from the metric values
computed for d and the manual ratings given by d (surveys and tickets have no history yet,
so they are missing, which the scoring already handles by sharing their weight); only the
label looks ahead, to (d, d + lead]. Dates whose whole lead window has not passed by `as_of`
are left out, because an account that has not churned yet may still churn within it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cairn.customers.models import Account, Subscription, SubscriptionStatus
from cairn.health.cards import load_cards
from cairn.health.models import ManualRating, Scorecard
from cairn.health.scoring import CardSpec, Column, score_block
from cairn.health.trust.series import grid_dates, locate, values_at
from cairn.metrics.models import MetricDefinition


@dataclass(frozen=True)
class Observations:
    """One row per scored (account, date); `points` has one column per measure of the card."""

    card: CardSpec
    account_ids: np.ndarray
    days: np.ndarray  # date ordinals
    points: np.ndarray
    scores: np.ndarray
    churned: np.ndarray
    churn_events: int
    dates: list[dt.date]
    without_score: int

    def __len__(self) -> int:
        return len(self.scores)


def card_and_accounts(scorecard: Scorecard) -> tuple[CardSpec, np.ndarray]:
    """The scorecard as the scoring sees it, and the accounts it scores (sorted ids): those of
    its segments, or for the default card every account no other card claims."""
    cards = load_cards()
    spec = next(c for c in cards.all if c.id == scorecard.pk)
    ids = [
        pk for pk, segment in Account.objects.order_by("pk").values_list("pk", "segment")
        if cards.for_segment(segment) is spec
    ]
    return spec, np.array(ids, dtype=np.int64)


class _Subscriptions:
    """Every subscription of the accounts as arrays, to label all accounts of a date at once."""

    def __init__(self, account_ids: np.ndarray) -> None:
        rows = list(
            Subscription.objects.values_list("account_id", "start_date", "end_date", "status")
        )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        index, known = locate(account_ids, ids)
        self.n = len(account_ids)
        self.account = index[known]
        self.start = np.array([r[1].toordinal() for r in rows], dtype=np.int64)[known]
        self.end = np.array([r[2].toordinal() for r in rows], dtype=np.int64)[known]
        self.churned = np.array(
            [r[3] == SubscriptionStatus.CHURNED for r in rows], dtype=bool
        )[known]

    def on(self, day: int, lead: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(observed, churned within the lead, the churn day) per account on `day`.

        Observed: a customer by then (a subscription started) and not gone (an account whose
        churned subscription ended and that has nothing else running is no longer observed).
        """
        customer = np.zeros(self.n, dtype=bool)
        customer[self.account[self.start <= day]] = True
        ended = np.zeros(self.n, dtype=bool)
        ended[self.account[self.churned & (self.end <= day)]] = True
        running = np.zeros(self.n, dtype=bool)
        running[self.account[~self.churned & (self.end > day)]] = True
        ahead = self.churned & (self.end > day) & (self.end <= day + lead)
        churn_day = np.zeros(self.n, dtype=np.int64)
        churn_day[self.account[ahead]] = self.end[ahead]
        return customer & ~(ended & ~running), churn_day > 0, churn_day


class _Ratings:
    """Every manual rating of the card's indicators, to find the one in force on any date."""

    def __init__(self, indicators: set[str]) -> None:
        self.rows: dict[str, dict[int, list[tuple[dt.date, int, str, dt.date]]]] = defaultdict(dict)
        found = ManualRating.objects.filter(indicator__in=indicators).values_list(
            "account_id", "indicator", "rated_on", "id", "rating", "expires_on"
        )
        for account_id, indicator, rated_on, pk, rating, expires_on in found.iterator(chunk_size=50000):
            self.rows[indicator].setdefault(account_id, []).append((rated_on, pk, rating, expires_on))
        for per_account in self.rows.values():
            for ratings in per_account.values():
                ratings.sort()

    def column(self, indicator: str, account_ids: np.ndarray, day: dt.date) -> list[str | None]:
        """The latest rating given by `day`, None when there is none or it had expired
        (the same rule as the health app's `inputs.manual_ratings`)."""
        per_account = self.rows.get(indicator, {})
        out: list[str | None] = [None] * len(account_ids)
        for i, account_id in enumerate(account_ids.tolist()):
            ratings = per_account.get(account_id)
            if not ratings:
                continue
            at = bisect.bisect_right(ratings, (day, 2**62, "", day)) - 1
            if at >= 0 and ratings[at][3] >= day:
                out[i] = ratings[at][2]
        return out


def observe(
    card: CardSpec, account_ids: np.ndarray, *, lead_days: int, as_of: dt.date
) -> Observations:
    """Score every account on every complete grid date whose lead window has passed."""
    dates = grid_dates(as_of - dt.timedelta(days=lead_days)) if len(account_ids) else []
    slugs = dict(
        MetricDefinition.objects.filter(
            pk__in=[m.metric_id for m in card.measures if m.metric_id is not None]
        ).values_list("pk", "slug")
    )
    subscriptions = _Subscriptions(account_ids)
    ratings = _Ratings({m.indicator for m in card.measures if m.source == "manual"})
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    events: set[tuple[int, int]] = set()
    used: list[dt.date] = []
    without_score = 0
    for day in dates:
        observed, churned, churn_day = subscriptions.on(day.toordinal(), lead_days)
        if not observed.any():
            continue
        block = score_block(card, _columns(card, account_ids, day, slugs, ratings), day)
        scores = np.array([np.nan if s is None else s for s in block.weighed.scores], dtype=float)
        keep = observed & ~np.isnan(scores)
        without_score += int((observed & np.isnan(scores)).sum())
        if not keep.any():
            continue
        used.append(day)
        parts["account_ids"].append(account_ids[keep])
        parts["days"].append(np.full(int(keep.sum()), day.toordinal(), dtype=np.int64))
        parts["points"].append(block.points[keep])
        parts["scores"].append(scores[keep])
        parts["churned"].append(churned[keep])
        hit = keep & churned
        events.update(zip(account_ids[hit].tolist(), churn_day[hit].tolist(), strict=True))
    m = len(card.measures)

    def joined(name: str, empty: np.ndarray) -> np.ndarray:
        return np.concatenate(parts[name]) if parts[name] else empty

    return Observations(
        card=card,
        account_ids=joined("account_ids", np.zeros(0, dtype=np.int64)),
        days=joined("days", np.zeros(0, dtype=np.int64)),
        points=joined("points", np.zeros((0, m))),
        scores=joined("scores", np.zeros(0)),
        churned=joined("churned", np.zeros(0, dtype=bool)),
        churn_events=len(events),
        dates=used,
        without_score=without_score,
    )


def _columns(
    card: CardSpec,
    account_ids: np.ndarray,
    day: dt.date,
    slugs: dict[int, str],
    ratings: _Ratings,
) -> Sequence[Column]:
    n = len(account_ids)
    columns = []
    for spec in card.measures:
        if spec.source == "metric" and spec.metric_id in slugs:
            values = values_at(slugs[spec.metric_id], day, account_ids)
            columns.append(Column([None if np.isnan(v) else v for v in values.tolist()]))
        elif spec.source == "manual":
            columns.append(Column(ratings.column(spec.indicator, account_ids, day)))
        else:
            # Survey answers and tickets have no history the backtest can replay yet.
            columns.append(Column([None] * n))
    return columns
