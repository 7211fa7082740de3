"""Score history from before scoring started, replayed from the metric series.

A new installation (or a new scorecard) would otherwise draw a chart of one point and wait a
month for "change in 30 days". The metric series in the analytics store already hold every
account's values on each observation date, so each past grid date is scored the way the
trust backtest scores it: metric values as they were that day, CSM ratings, surveys and
tickets as they stood that day, with today's scorecards and segments. Only dates before the
first real scoring date are filled, and existing dates are never touched: the history a
recompute wrote stays exactly what people saw. No alert is raised for the past.

Each date is written in its own transaction, so an interrupted backfill keeps whole dates
and the next run goes on from where it stopped.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from cairn.customers.models import Account
from cairn.health import encoding, history
from cairn.health.cards import Cards, load_cards
from cairn.health.inputs import Latest, MetricValues, metric_ids_of
from cairn.health.recompute import Book, compute, write_history
from cairn.health.trust.series import grid_dates, values_at
from cairn.metrics.models import MetricDefinition


@dataclass(frozen=True, slots=True)
class BackfillResult:
    dates: list[dt.date]
    rows: int
    seconds: float
    # The date the history already started on (None: nothing was scored before).
    history_started: dt.date | None


def dates_to_fill(until: dt.date, since: dt.date | None = None) -> tuple[list[dt.date], dt.date | None]:
    """The complete grid dates up to `until`, before the first scoring date, from `since`."""
    first = history.first_date()
    last = min(until, first - dt.timedelta(days=1)) if first else until
    dates = [d for d in grid_dates(last) if since is None or d >= since]
    return dates, first


def series_values(cards: Cards, day: dt.date, account_ids: np.ndarray) -> MetricValues:
    """Every metric the cards use, on `day`, from the series files: fresh by definition."""
    slugs = dict(
        MetricDefinition.objects.filter(pk__in=metric_ids_of(cards.all)).values_list("pk", "slug")
    )
    fresh = np.zeros(len(account_ids), dtype=np.int64)
    return {
        metric_id: Latest(account_ids, values_at(slug, day, account_ids), fresh)
        for metric_id, slug in slugs.items()
    }


def backfill(until: dt.date, since: dt.date | None = None) -> BackfillResult:
    started = time.perf_counter()
    dates, first = dates_to_fill(until, since)
    cards = load_cards()
    account_ids = np.array(Account.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
    rows = 0
    for day in dates:
        with transaction.atomic():
            groups = compute(day, None, cards, series_values(cards, day, account_ids))
            book = Book.of(groups)
            rows += write_history(
                day, book, [t for g in groups for t in encoding.explanations(g.block)]
            )
    return BackfillResult(dates, rows, round(time.perf_counter() - started, 3), first)
