"""Scoring the whole book in bulk: read everything in a few queries, score in memory, write
with upserts. Called through `cairn.health.actions.recompute_scores`, which owns the
transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health import alerts
from cairn.health.cards import Cards, load_cards
from cairn.health.inputs import columns_for, gather
from cairn.health.models import AccountHealth, HealthScore, ScorecardSnapshot
from cairn.health.scoring import CardSpec, score_block

CHANGE_DAYS = 30
BATCH = 5000


@dataclass(frozen=True, slots=True)
class Scored:
    account_id: int
    owner_id: int | None
    card: CardSpec
    snapshot_id: int
    score: float | None
    light: str
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    as_of: dt.date
    scored: int
    without_data: int
    alerts_raised: int
    alerts_resolved: int
    seconds: float


def compute(
    as_of: dt.date, accounts: Collection[int] | None = None, cards: Cards | None = None
) -> list[Scored]:
    """Every account's score and explanation on `as_of`, read in a fixed number of queries
    and scored a scorecard at a time (see scoring.score_block)."""
    cards = cards if cards is not None else load_cards()
    rows = Account.objects.order_by("pk")
    if accounts is not None:
        rows = rows.filter(pk__in=list(accounts))
    groups: dict[int, tuple[CardSpec, list[int], list[int | None]]] = {}
    for account_id, segment, owner_id in rows.values_list("pk", "segment", "owner_id").iterator(
        chunk_size=50000
    ):
        card = cards.for_segment(segment)
        if card is None:
            continue
        _, ids, owners = groups.setdefault(id(card), (card, [], []))
        ids.append(account_id)
        owners.append(owner_id)
    inputs = gather([g[0] for g in groups.values()], accounts, as_of)
    scored: list[Scored] = []
    for card, ids, owners in groups.values():
        block = score_block(card, columns_for(card, ids, inputs), as_of)
        snapshot = snapshot_of(card)
        for i, explanation in enumerate(block.as_json()):
            scored.append(
                Scored(
                    ids[i], owners[i], card, snapshot, block.weighed.scores[i], block.lights[i],
                    explanation,
                )
            )
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
) -> dict[int, float | None]:
    """The scores at the start of a period: of the last scoring date on or before `day`, or,
    when the history is shorter than the period, of the first scoring date after it (before
    `as_of`). Scoring runs for the whole book at once, so one date stands for all accounts."""
    dates = HealthScore.objects.filter(scored_on__lte=day).aggregate(last=Max("scored_on"))
    found = dates["last"]
    if found is None:
        found = HealthScore.objects.filter(scored_on__gt=day, scored_on__lt=as_of).aggregate(
            first=Min("scored_on")
        )["first"]
    if found is None:
        return {}
    rows = HealthScore.objects.filter(scored_on=found)
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    return dict(rows.values_list("account_id", "score").iterator(chunk_size=20000))


def write(as_of: dt.date, scored: list[Scored], accounts: Collection[int] | None) -> tuple[int, int]:
    """Upsert the day's scores and each account's latest, then raise and resolve alerts."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value(as_of)
    as_json = ops.adapt_json_value  # looked up once: the connection proxy is slow per row
    _upsert(
        SCORE_UPSERT,
        (
            (s.account_id, day, s.card.id, s.snapshot_id, s.score, s.light,
             as_json(s.explanation, None), now)
            for s in scored
        ),
    )
    latest = AccountHealth.objects.all()
    if accounts is not None:
        latest = latest.filter(account_id__in=list(accounts))
    before = {
        row[0]: row[1:]
        for row in latest.values_list(
            "account_id", "scored_on", "score", "light", "previous_score", "previous_light"
        ).iterator(chunk_size=20000)
    }
    month_ago = scores_at_start(as_of - dt.timedelta(days=CHANGE_DAYS), as_of, accounts)
    periods = {s.card.alert_period_days for s in scored}
    period_ago = {
        p: month_ago if p == CHANGE_DAYS
        else scores_at_start(as_of - dt.timedelta(days=p), as_of, accounts)
        for p in periods
    }
    rows: list[tuple[Any, ...]] = []
    checks: list[alerts.Check] = []
    for s in scored:
        score = s.score
        had = before.get(s.account_id)
        if had is not None and had[0] > as_of:
            continue  # a backfill of an older date: the account's latest stays the later one
        previous, previous_light = (None, "")
        if had is not None:
            previous, previous_light = (had[1], had[2]) if had[0] < as_of else (had[3], had[4])
        change = _minus(score, previous)
        rows.append(
            (s.account_id, day, score, s.light, previous, previous_light or "", change,
             _minus(score, month_ago.get(s.account_id)))
        )
        checks.append(
            alerts.Check(
                s.account_id, s.owner_id, s.card, score, s.light, s.explanation,
                # Today's earlier run is not a previous score; what it replaced is.
                had_previous=had is not None and (had[0] < as_of or had[3] is not None),
                previous_light=previous_light or "",
                reference=_highest(previous, period_ago[s.card.alert_period_days].get(s.account_id)),
            )
        )
    _upsert(LATEST_UPSERT, rows)
    return alerts.evaluate(as_of, checks)


# Upserts as constant statements with bound parameters: the ORM's bulk_create spends most of
# its time compiling SQL per row, which at 100,000 accounts costs seconds. Both PostgreSQL and
# SQLite (3.24+) understand ON CONFLICT ... DO UPDATE.
SCORE_UPSERT = """
INSERT INTO health_healthscore
  (account_id, scored_on, scorecard_id, snapshot_id, score, light, explanation, computed_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id, scored_on) DO UPDATE SET
  scorecard_id = excluded.scorecard_id, snapshot_id = excluded.snapshot_id,
  score = excluded.score, light = excluded.light,
  explanation = excluded.explanation, computed_at = excluded.computed_at
"""
LATEST_UPSERT = """
INSERT INTO health_accounthealth
  (account_id, scored_on, score, light, previous_score, previous_light, change, change_30d)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (account_id) DO UPDATE SET
  scored_on = excluded.scored_on, score = excluded.score, light = excluded.light,
  previous_score = excluded.previous_score, previous_light = excluded.previous_light,
  change = excluded.change, change_30d = excluded.change_30d
"""


def _upsert(sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 1)


def _highest(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def run(as_of: dt.date, accounts: Collection[int] | None = None) -> RecomputeResult:
    started = time.perf_counter()
    scored = compute(as_of, accounts)
    raised, resolved = write(as_of, scored, accounts)
    without = sum(1 for s in scored if s.score is None)
    return RecomputeResult(
        as_of, len(scored), without, raised, resolved, round(time.perf_counter() - started, 3)
    )
