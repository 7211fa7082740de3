"""What the scoring reads: the raw value of every measure for every account, in a few queries.

Each loader answers for many accounts at once (a handful of queries whatever the number of
accounts), so a recompute of the whole book and a preview of ten accounts share the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from cairn.health.models import ManualRating
from cairn.health.rows import fetch
from cairn.health.scoring import CardSpec, Column
from cairn.metrics.models import MetricValue
from cairn.usage.models import SupportTicket, SurveyResponse

# indicator -> account id -> (rating, or None when it expired; why it is missing)
Ratings = dict[str, dict[int, tuple[str | None, str]]]


@dataclass(frozen=True)
class Latest:
    """The latest value of one metric for many accounts, as arrays sorted by account id."""

    accounts: np.ndarray  # int64
    values: np.ndarray  # float64, NaN where the value is null
    observed: np.ndarray  # day ordinals, 0 when recent enough for every scorecard

    def column(self, account_ids: np.ndarray) -> Column:
        """The values of the given accounts (any order), NaN where there is none."""
        n = len(account_ids)
        if not len(self.accounts):
            return Column(np.full(n, np.nan), np.zeros(n, dtype=np.int64))
        at = np.minimum(np.searchsorted(self.accounts, account_ids), len(self.accounts) - 1)
        found = self.accounts[at] == account_ids
        return Column(
            np.where(found, self.values[at], np.nan), np.where(found, self.observed[at], 0)
        )


MetricValues = dict[int, Latest]


def metric_values(
    metric_ids: Collection[int], accounts: Collection[int] | None, fresh_from: dt.date | None = None
) -> MetricValues:
    """The latest value of each metric per account (metrics.MetricValue holds only the latest).

    Values observed on or after `fresh_from` are fresh for every scorecard: they are read
    without their date (turning 400,000 dates into Python objects is most of the read's
    time), the others with it, so a scorecard can tell how old they are.
    """
    if not metric_ids:
        return {}
    rows = MetricValue.objects.filter(metric_id__in=list(metric_ids)).order_by()
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    fresh: list[tuple[int, int, float | None]] = []
    old = rows
    if fresh_from is not None:
        fresh = fetch(
            rows.filter(observed_on__gte=fresh_from).values_list("account_id", "metric_id", "value")
        )
        old = rows.filter(observed_on__lt=fresh_from)
    aged = list(old.values_list("account_id", "metric_id", "value", "observed_on"))
    # None becomes NaN in a float array: a null value is no data.
    table = np.array(fresh, dtype=float).reshape(-1, 3)
    seen = np.zeros(len(table), dtype=np.int64)
    if aged:
        table = np.vstack([table, np.array([r[:3] for r in aged], dtype=float)])
        seen = np.concatenate([seen, np.array([r[3].toordinal() for r in aged], dtype=np.int64)])
    account_col = table[:, 0].astype(np.int64)
    metric_col = table[:, 1].astype(np.int64)
    out: MetricValues = {}
    for metric_id in metric_ids:
        mine = np.flatnonzero(metric_col == metric_id)
        order = mine[np.argsort(account_col[mine], kind="stable")]
        out[metric_id] = Latest(account_col[order], table[order, 2], seen[order])
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


# window in days -> account id -> value (NPS, or open high-priority tickets)
Windowed = dict[int, dict[int, float]]
HIGH_PRIORITY = ["high", "urgent"]


@dataclass(frozen=True)
class Inputs:
    metrics: MetricValues
    ratings: Ratings
    surveys: Windowed = field(default_factory=dict)
    tickets: Windowed = field(default_factory=dict)


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def survey_nps(window: int, accounts: Collection[int] | None, as_of: dt.date) -> dict[int, float]:
    """Net promoter score per account over the answers of the window ending on `as_of`."""
    end = _end_of(as_of)
    rows = SurveyResponse.objects.filter(
        answered_at__gt=end - dt.timedelta(days=window), answered_at__lte=end
    )
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    counted = rows.values("account_id").order_by("account_id").annotate(
        n=Count("pk"), promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    return {
        r["account_id"]: round(100.0 * (r["promoters"] - r["detractors"]) / r["n"], 1)
        for r in counted
    }


def open_tickets(window: int, accounts: Collection[int] | None, as_of: dt.date) -> dict[int, float]:
    """High-priority tickets opened in the window and still open at the end of `as_of`, per
    account. An account that never had a ticket has no data (0 would flatter it: it may
    simply not be connected to the support desk)."""
    end = _end_of(as_of)
    ever = SupportTicket.objects.filter(opened_at__lte=end)
    if accounts is not None:
        ever = ever.filter(account_id__in=list(accounts))
    counts: dict[int, float] = dict.fromkeys(ever.values_list("account_id", flat=True).distinct(), 0.0)
    still_open = ever.filter(
        priority__in=HIGH_PRIORITY, opened_at__gt=end - dt.timedelta(days=window)
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=end))
    for account_id, n in still_open.values_list("account_id").order_by("account_id").annotate(
        n=Count("pk")
    ):
        counts[account_id] = float(n)
    return counts


def metric_ids_of(cards: Iterable[CardSpec]) -> set[int]:
    return {
        m.metric_id
        for card in cards
        for m in card.measures
        if m.source == "metric" and m.metric_id is not None
    }


def gather(
    cards: Iterable[CardSpec],
    accounts: Collection[int] | None,
    as_of: dt.date,
    metrics: MetricValues | None = None,
) -> Inputs:
    """Everything the cards need, for the given accounts (None: all). `metrics`, when given,
    replaces the latest metric values (a past date's values read from the series)."""
    cards = list(cards)
    measures = [m for card in cards for m in card.measures]
    survey_windows = {m.window_days for m in measures if m.source == "survey"}
    ticket_windows = {m.window_days for m in measures if m.source == "tickets"}
    youngest_limit = min((card.max_age_days for card in cards), default=0)
    if metrics is None:
        metrics = metric_values(metric_ids_of(cards), accounts, as_of - dt.timedelta(days=youngest_limit))
    return Inputs(
        metrics,
        manual_ratings(accounts, as_of),
        {w: survey_nps(w, accounts, as_of) for w in survey_windows},
        {w: open_tickets(w, accounts, as_of) for w in ticket_windows},
    )


def columns_for(
    card: CardSpec, account_ids: Sequence[int] | np.ndarray, inputs: Inputs
) -> list[Column]:
    """The card's measures as columns over the given accounts, in their order."""
    columns = []
    ids = np.asarray(account_ids, dtype=np.int64)
    n = len(ids)
    # Ratings, surveys and tickets concern few accounts: placed by position, not looked up
    # for every account.
    position = {a: i for i, a in enumerate(ids.tolist())}
    for spec in card.measures:
        if spec.source == "metric" and spec.metric_id is not None:
            latest = inputs.metrics.get(spec.metric_id)
            columns.append(latest.column(ids) if latest is not None else Column(np.full(n, np.nan)))
        elif spec.source == "manual":
            ratings = np.full(n, None, dtype=object)
            notes = np.full(n, "", dtype=object)
            for account_id, (rating, note) in inputs.ratings.get(spec.indicator, {}).items():
                at = position.get(account_id)
                if at is not None:
                    ratings[at], notes[at] = rating, note
            columns.append(Column(ratings, notes=notes))
        else:
            # The window is the recency of surveys and tickets: no maximum age on top.
            source = inputs.surveys if spec.source == "survey" else inputs.tickets
            numbers = np.full(n, np.nan)
            for account_id, number in source.get(spec.window_days, {}).items():
                at = position.get(account_id)
                if at is not None:
                    numbers[at] = number
            columns.append(Column(numbers))
    return columns
