"""The backtest's observations: every account the scorecard applies to, scored on every
date of the metric grid from what was known on that date, and labelled by whether it churned
within the lead window after it.

Out of time by construction: on date d an account's points come from the metric values
computed for d and the manual ratings given by d (surveys and tickets have no history yet,
so they are missing, which the scoring already handles by sharing their weight); only the
label looks ahead, to (d, d + lead]. Dates whose whole lead window has not passed by `as_of`
are left out, because an account that has not churned yet may still churn within it.

New accounts are left out unless asked for: on date d an account whose first paying
(non-trial) subscription started fewer than NEW_ACCOUNT_DAYS days before d, or that has no
paying subscription yet, is not observed. Very young accounts churn often and have thin usage,
so a score flags them easily and a backtest with them looks better than the score is on the
accounts a CS team actually has to judge.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cairn.customers.churn import ChurnBook
from cairn.customers.models import Account
from cairn.health.cards import load_cards
from cairn.health.models import ManualRating, Scorecard
from cairn.health.scoring import CardSpec, Column, score_block
from cairn.health.trust.series import grid_dates, values_at
from cairn.metrics.models import MetricDefinition

NEW_ACCOUNT_DAYS = 90


@dataclass(frozen=True)
class Observations:
    """One row per scored (account, date); `points` has one column per measure of the card."""

    card: CardSpec
    account_ids: np.ndarray
    days: np.ndarray  # date ordinals
    points: np.ndarray
    scores: np.ndarray
    churned: np.ndarray
    churn_days: np.ndarray  # ordinal of the churn a churned row looks ahead to, 0 otherwise
    dates: list[dt.date]  # the dates with at least one observation
    # Per date ordinal: observed accounts without any measure's data (no score), and
    # observations left out as new accounts.
    without_score_on: dict[int, int] = field(default_factory=dict)
    new_on: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def churn_events(self) -> int:
        """Distinct churns (account, churn day) the churned rows look ahead to."""
        hit = self.churned
        if not hit.any():
            return 0
        pairs = np.stack([self.account_ids[hit], self.churn_days[hit]], axis=1)
        return len(np.unique(pairs, axis=0))

    @property
    def without_score(self) -> int:
        return sum(self.without_score_on.values())

    @property
    def new_left_out(self) -> int:
        return sum(self.new_on.values())

    def mask(self, dates: Sequence[dt.date]) -> np.ndarray:
        """Which rows are on the given dates."""
        return np.isin(self.days, np.array(sorted({d.toordinal() for d in dates}), dtype=np.int64))

    def within(self, dates: Sequence[dt.date]) -> Observations:
        """The observations on the given dates only (a period of a train/test split)."""
        wanted = {d.toordinal() for d in dates}
        keep = self.mask(dates)
        return Observations(
            card=self.card,
            account_ids=self.account_ids[keep],
            days=self.days[keep],
            points=self.points[keep],
            scores=self.scores[keep],
            churned=self.churned[keep],
            churn_days=self.churn_days[keep],
            dates=[d for d in self.dates if d.toordinal() in wanted],
            without_score_on={k: v for k, v in self.without_score_on.items() if k in wanted},
            new_on={k: v for k, v in self.new_on.items() if k in wanted},
        )


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
    card: CardSpec,
    account_ids: np.ndarray,
    *,
    lead_days: int,
    as_of: dt.date,
    include_new: bool = False,
    dates: Sequence[dt.date] | None = None,
) -> Observations:
    """Score every account on every complete grid date whose lead window has passed (or on
    `dates`, complete grid dates the caller chose among those), leaving out new accounts
    unless `include_new`."""
    if dates is None:
        dates = grid_dates(as_of - dt.timedelta(days=lead_days))
    if not len(account_ids):
        dates = []
    slugs = dict(
        MetricDefinition.objects.filter(
            pk__in=[m.metric_id for m in card.measures if m.metric_id is not None]
        ).values_list("pk", "slug")
    )
    subscriptions = ChurnBook(account_ids, as_of=as_of)
    paid_since = subscriptions.first_paid()
    ratings = _Ratings({m.indicator for m in card.measures if m.source == "manual"})
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    used: list[dt.date] = []
    without_score: dict[int, int] = {}
    new: dict[int, int] = {}
    for day in dates:
        ordinal = day.toordinal()
        observed, churned, churn_day = subscriptions.on(ordinal, lead_days)
        if not include_new:
            seasoned = (paid_since > 0) & (ordinal - paid_since >= NEW_ACCOUNT_DAYS)
            if left := int((observed & ~seasoned).sum()):
                new[ordinal] = left
            observed = observed & seasoned
        if not observed.any():
            continue
        block = score_block(card, _columns(card, account_ids, day, slugs, ratings), day)
        scores = np.array([np.nan if s is None else s for s in block.weighed.scores], dtype=float)
        keep = observed & ~np.isnan(scores)
        if missing := int((observed & np.isnan(scores)).sum()):
            without_score[ordinal] = missing
        if not keep.any():
            continue
        used.append(day)
        parts["account_ids"].append(account_ids[keep])
        parts["days"].append(np.full(int(keep.sum()), ordinal, dtype=np.int64))
        parts["points"].append(block.points[keep])
        parts["scores"].append(scores[keep])
        parts["churned"].append(churned[keep])
        parts["churn_days"].append(np.where(churned[keep], churn_day[keep], 0).astype(np.int64))
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
        churn_days=joined("churn_days", np.zeros(0, dtype=np.int64)),
        dates=used,
        without_score_on=without_score,
        new_on=new,
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
