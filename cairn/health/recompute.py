"""Scoring the whole book in bulk: read everything in a few queries, score in memory, write
with upserts. Called through `cairn.health.actions.recompute_scores`, which owns the
transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Case, IntegerField, Value, When

from cairn.customers.models import Account
from cairn.health import alerts, encoding, history, upserts
from cairn.health.cards import Cards, load_cards, rank_references
from cairn.health.inputs import MetricValues, columns_for, gather
from cairn.health.models import AccountHealth, ScorecardSnapshot, ScoreDate
from cairn.health.rows import fetch
from cairn.health.scoring import Block, CardSpec, score_block

CHANGE_DAYS = 30


@dataclass(frozen=True)
class Scored:
    """The accounts one scorecard scored: arrays in the same order as the block's rows."""

    card: CardSpec
    snapshot_id: int
    account_ids: np.ndarray  # int64
    owner_ids: list[int | None]
    block: Block

    @property
    def scores(self) -> np.ndarray:
        return np.array([np.nan if s is None else s for s in self.block.weighed.scores])


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    as_of: dt.date
    scored: int
    without_data: int
    alerts_raised: int
    alerts_resolved: int
    seconds: float


def compute(
    as_of: dt.date,
    accounts: Collection[int] | None = None,
    cards: Cards | None = None,
    metrics: MetricValues | None = None,
) -> list[Scored]:
    """Every account's score and explanation on `as_of`, read in a fixed number of queries
    and scored a scorecard at a time (see scoring.score_block). `metrics` replaces the
    latest metric values (see inputs.gather)."""
    cards = cards if cards is not None else load_cards()
    rows = Account.objects.order_by("pk")
    if accounts is not None:
        rows = rows.filter(pk__in=list(accounts))
    table = fetch(rows.values_list("pk", "segment", "owner_id"))
    account_ids = np.array([r[0] for r in table], dtype=np.int64)
    owner_ids = np.array([r[2] for r in table], dtype=object)
    # Segments are few: each distinct one is looked up once and its accounts taken together.
    segments, segment_of = np.unique(np.array([r[1] for r in table], dtype=str), return_inverse=True)
    card_of_segment = [cards.for_segment(str(segment)) for segment in segments]
    groups: dict[int, tuple[CardSpec, np.ndarray, list[int | None]]] = {}
    for card in [c for c in cards.all if any(c is found for found in card_of_segment)]:
        mine = np.isin(segment_of, [k for k, found in enumerate(card_of_segment) if found is card])
        groups[id(card)] = (card, account_ids[mine], owner_ids[mine].tolist())
    inputs = gather([g[0] for g in groups.values()], accounts, as_of, metrics)
    scored: list[Scored] = []
    for card, ids, owners in groups.values():
        # Some accounts, from their latest values: a percentile ranks among the whole book's.
        some = accounts is not None and metrics is None
        ranks = rank_references(card, partial(cards.scope, card), as_of) if some else None
        block = score_block(card, columns_for(card, ids, inputs), as_of, ranks)
        scored.append(Scored(card, snapshot_of(card), ids, owners, block))
    return scored


def snapshot_of(card: CardSpec) -> int:
    """The id of the snapshot of the card as it is now, made the first time it is used."""
    measures = [[m.key, m.name, m.indicator, m.weight] for m in card.measures]
    content = json.dumps([card.id, card.name, measures], sort_keys=True)
    snapshot, _ = ScorecardSnapshot.objects.get_or_create(
        digest=hashlib.sha256(content.encode()).hexdigest(),
        defaults={"scorecard_id": card.id, "name": card.name, "measures": measures},
    )
    return snapshot.pk


def scores_at_start(
    day: dt.date, as_of: dt.date, accounts: Collection[int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The scores at the start of a period, as (account ids sorted, scores with NaN for
    none): of the last scoring date on or before `day`, or, when the history is shorter than
    the period, of the first scoring date after it (before `as_of`). Scoring runs for the
    whole book at once, so one date stands for all accounts."""
    committed = ScoreDate.objects.exclude(file="")
    found = committed.filter(scored_on__lte=day).order_by("-scored_on").first() or (
        committed.filter(scored_on__gt=day, scored_on__lt=as_of).order_by("scored_on").first()
    )
    if found is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return history.scores_on(found, accounts)


def _align(keys: np.ndarray, values: np.ndarray, ids: np.ndarray, missing: Any) -> np.ndarray:
    """values[k] where keys[k] == id, for each of ids; `missing` where there is none.
    `keys` must be sorted."""
    if not len(keys):
        return np.full(len(ids), missing, dtype=values.dtype)
    at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    return np.where(keys[at] == ids, values[at], missing)


@dataclass(frozen=True)
class Book:
    """The scored accounts of every scorecard, concatenated."""

    ids: np.ndarray
    scores: np.ndarray  # NaN: no score
    lights: np.ndarray  # str objects
    card_of: np.ndarray  # index into `groups`
    row_of: np.ndarray  # row in the group's block
    groups: list[Scored]

    @classmethod
    def of(cls, groups: list[Scored]) -> Book:
        def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        return cls(
            ids=cat([g.account_ids for g in groups], np.int64),
            scores=cat([g.scores for g in groups], float),
            lights=cat([np.array(g.block.lights, dtype=object) for g in groups], object),
            card_of=cat([np.full(len(g.account_ids), k) for k, g in enumerate(groups)], np.int64),
            row_of=cat([np.arange(len(g.account_ids)) for g in groups], np.int64),
            groups=groups,
        )


def write(as_of: dt.date, groups: list[Scored], accounts: Collection[int] | None) -> tuple[int, int]:
    """Write the day's scores (the history) and each account's latest, then raise and
    resolve alerts; (raised, resolved)."""
    book = Book.of(groups)
    # The explanations are encoded in a second thread while this one reads and writes the
    # latest scores and the alerts: the encoding is mostly Arrow kernels and the database
    # work mostly SQLite's or the server's, neither holding the GIL, so on two cores most of
    # the encoding is hidden. The thread touches no database connection.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cairn-explain") as pool:
        encoded = pool.submit(lambda: [t for g in groups for t in encoding.explanations(g.block)])
        raised_resolved = write_latest(as_of, book, accounts)
        texts = encoded.result()
    write_history(as_of, book, texts, accounts)
    return raised_resolved


def write_latest(as_of: dt.date, book: Book, accounts: Collection[int] | None) -> tuple[int, int]:
    """Upsert each account's latest score, then raise and resolve alerts."""
    groups = book.groups
    before = _latest_before(as_of, book.ids, accounts)
    month_ago = _align(*scores_at_start(as_of - dt.timedelta(days=CHANGE_DAYS), as_of, accounts),
                       book.ids, np.nan)
    period_ago = np.full(len(book.ids), np.nan)
    for k, group in enumerate(groups):
        days = group.card.alert_period_days
        mine = book.card_of == k
        if days == CHANGE_DAYS:
            period_ago[mine] = month_ago[mine]
        else:
            start = scores_at_start(as_of - dt.timedelta(days=days), as_of, accounts)
            period_ago[mine] = _align(*start, book.ids[mine], np.nan)
    # A backfill of an older date: the account's latest stays the later one.
    kept = ~(before.had & (before.when > 0))
    older = before.had & (before.when < 0)
    # Today's earlier run is not a previous score; what it replaced is.
    previous = np.where(older, before.score, before.previous_score)
    previous_light = np.where(older, before.light, before.previous_light)
    change = np.round(book.scores - previous, 1)
    change_30d = np.round(book.scores - month_ago, 1)
    new_rows = (book.scores, book.lights, previous, previous_light, change, change_30d)
    old_rows = (before.score, before.light, before.previous_score, before.previous_light,
                before.change, before.change_30d)
    same = before.had & (before.when == 0)
    for new, old in zip(new_rows, old_rows, strict=True):
        same &= _same(new, old)
    changed = np.flatnonzero(kept & ~same)
    # In account order: the scorecards' blocks interleave, and the table's key index takes
    # sorted rows as appends.
    changed = changed[np.argsort(book.ids[changed], kind="stable")]
    upserts.upsert(
        upserts.LATEST,
        [connection.ops.adapt_datefield_value(as_of)],
        [book.ids[changed].tolist(), _nullable(book.scores[changed]),
         book.lights[changed].tolist(), _nullable(previous[changed]),
         previous_light[changed].tolist(), _nullable(change[changed]),
         _nullable(change_30d[changed])],
    )
    had_previous = before.had & (older | ~np.isnan(before.previous_score))
    reference = np.fmax(previous, period_ago)
    drop = np.array([g.card.alert_drop_points for g in groups], dtype=float)[book.card_of] \
        if groups else np.zeros(0)
    open_alerts = alerts.open_alerts()
    flagged = np.isin(book.ids, np.array([a for _, a, _ in open_alerts], dtype=np.int64))
    # Only these accounts can raise an alert (alerts.condition and alerts._is_new, for the
    # whole book at once) or hold an open one; the others need no Python object at all.
    with np.errstate(invalid="ignore"):
        turned_red = (book.lights == "red") & had_previous & (previous_light != "red")
        alarming = turned_red | (reference - book.scores > drop)
    checks = []
    for i in np.flatnonzero(kept & (alarming | flagged)).tolist():
        group = groups[book.card_of[i]]
        row = int(book.row_of[i])
        checks.append(
            alerts.Check(
                int(book.ids[i]), group.owner_ids[row], group.card, _maybe(book.scores[i]),
                str(book.lights[i]), group.block.explanation(row), had_previous=bool(had_previous[i]),
                previous_light=str(previous_light[i] or ""), reference=_maybe(reference[i]),
            )
        )
    return alerts.evaluate(as_of, checks, open_alerts)


def write_history(
    as_of: dt.date, book: Book, texts: list[str], accounts: Collection[int] | None = None
) -> int:
    """Record the day's scores (the history), one row per scored account, in the analytics
    store; with `accounts`, the date's other rows stay as they were."""
    cards = np.array([g.card.id for g in book.groups], dtype=object)
    snapshots = np.array([g.snapshot_id for g in book.groups], dtype=object)
    table = history.table_of(
        book.ids, cards[book.card_of].tolist(), snapshots[book.card_of].tolist(), book.scores,
        book.lights.tolist(), texts,
    )
    return history.record(as_of, table, accounts)


@dataclass(frozen=True)
class Before:
    """Each scored account's latest row before this run, aligned with the book."""

    had: np.ndarray
    when: np.ndarray  # -1: scored on an earlier day, 0: today, 1: a later day
    score: np.ndarray
    light: np.ndarray
    previous_score: np.ndarray
    previous_light: np.ndarray
    change: np.ndarray
    change_30d: np.ndarray


def _latest_before(as_of: dt.date, ids: np.ndarray, accounts: Collection[int] | None) -> Before:
    latest = AccountHealth.objects.order_by("account_id")
    if accounts is not None:
        latest = latest.filter(account_id__in=list(accounts))
    n = len(ids)
    if not latest.filter(scored_on__gte=as_of).exists():
        # The usual day: every latest row is of an earlier day, and only its score and light
        # matter (they become the previous ones). Reading 3 columns instead of 8 halves the
        # read.
        rows = fetch(latest.values_list("account_id", "score", "light"))
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        had = _align(keys, np.ones(len(keys), dtype=bool), ids, False)
        return Before(
            had=had,
            when=np.where(had, -1.0, 0.0),
            score=_align(keys, np.array([r[1] for r in rows], dtype=float), ids, np.nan),
            light=_align(keys, np.array([r[2] for r in rows], dtype=object), ids, ""),
            previous_score=np.full(n, np.nan),
            previous_light=np.full(n, "", dtype=object),
            change=np.full(n, np.nan),
            change_30d=np.full(n, np.nan),
        )
    # Where the day falls, not the day: dates are slow to turn into Python objects.
    when = Case(
        When(scored_on__lt=as_of, then=Value(-1)), When(scored_on=as_of, then=Value(0)),
        default=Value(1), output_field=IntegerField(),
    )
    rows = fetch(
        latest.annotate(when=when).values_list(
            "account_id", "when", "score", "previous_score", "change", "change_30d", "light",
            "previous_light",
        )
    )
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    numbers = np.array([r[1:6] for r in rows], dtype=float).reshape(-1, 5)
    texts = np.array([r[6:] for r in rows], dtype=object).reshape(-1, 2)

    def column(values: np.ndarray, missing: Any) -> np.ndarray:
        return _align(keys, values, ids, missing)

    return Before(
        had=column(np.ones(len(keys), dtype=bool), False),
        when=column(numbers[:, 0], 0.0),
        score=column(numbers[:, 1], np.nan),
        previous_score=column(numbers[:, 2], np.nan),
        change=column(numbers[:, 3], np.nan),
        change_30d=column(numbers[:, 4], np.nan),
        light=column(texts[:, 0], ""),
        previous_light=column(texts[:, 1], ""),
    )


def _same(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    if new.dtype.kind == "f":
        return (new == old) | (np.isnan(new) & np.isnan(old))
    return np.asarray(new == old, dtype=bool)


def _nullable(numbers: np.ndarray) -> list[float | None]:
    """Floats for the database, None for NaN."""
    out = numbers.astype(object)
    out[np.isnan(numbers)] = None
    return out.tolist()  # type: ignore[no-any-return]


def _maybe(number: float) -> float | None:
    return None if math.isnan(number) else float(number)


def run(as_of: dt.date, accounts: Collection[int] | None = None) -> RecomputeResult:
    started = time.perf_counter()
    groups = compute(as_of, accounts)
    raised, resolved = write(as_of, groups, accounts)
    scored = sum(len(g.account_ids) for g in groups)
    without = sum(int(np.isnan(g.scores).sum()) for g in groups)
    return RecomputeResult(
        as_of, scored, without, raised, resolved, round(time.perf_counter() - started, 3)
    )
