"""Scoring the whole book in bulk: read everything in a few queries, score in memory, write
with upserts. Called through `cairn.health.actions.recompute_scores`, which owns the
transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health import alerts
from cairn.health.cards import Cards, load_cards
from cairn.health.inputs import gather, observations_for
from cairn.health.models import AccountHealth, HealthScore
from cairn.health.scoring import CardSpec, Explanation, score_account

CHANGE_DAYS = 30
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Scored:
    account_id: int
    owner_id: int | None
    card: CardSpec
    explanation: Explanation


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
    """Every account's explanation on `as_of`, read in a fixed number of queries."""
    cards = cards if cards is not None else load_cards()
    rows = Account.objects.order_by("pk")
    if accounts is not None:
        rows = rows.filter(pk__in=list(accounts))
    metrics, ratings = gather(cards.all, accounts, as_of)
    scored: list[Scored] = []
    for account_id, segment, owner_id in rows.values_list("pk", "segment", "owner_id").iterator(
        chunk_size=20000
    ):
        card = cards.for_segment(segment)
        if card is None:
            continue
        seen = observations_for(card, account_id, metrics, ratings)
        scored.append(Scored(account_id, owner_id, card, score_account(card, seen, as_of)))
    return scored


def scores_on_or_before(day: dt.date, accounts: Collection[int] | None) -> dict[int, float | None]:
    """The scores of the last scoring date on or before `day` (scoring runs for the whole
    book at once, so one date stands for all accounts; an account missing there has none)."""
    found = HealthScore.objects.filter(scored_on__lte=day).aggregate(last=Max("scored_on"))["last"]
    if found is None:
        return {}
    rows = HealthScore.objects.filter(scored_on=found)
    if accounts is not None:
        rows = rows.filter(account_id__in=list(accounts))
    return dict(rows.values_list("account_id", "score").iterator(chunk_size=20000))


def write(as_of: dt.date, scored: list[Scored], accounts: Collection[int] | None) -> tuple[int, int]:
    """Upsert the day's scores and each account's latest, then raise and resolve alerts."""
    now = timezone.now()
    HealthScore.objects.bulk_create(
        (
            HealthScore(
                account_id=s.account_id, scored_on=as_of, scorecard_id=s.card.id,
                score=s.explanation.score, light=s.explanation.light,
                explanation=s.explanation.as_json(), computed_at=now,
            )
            for s in scored
        ),
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["account", "scored_on"],
        update_fields=["scorecard", "score", "light", "explanation", "computed_at"],
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
    month_ago = scores_on_or_before(as_of - dt.timedelta(days=CHANGE_DAYS), accounts)
    periods = {s.card.alert_period_days for s in scored}
    period_ago = {
        p: month_ago if p == CHANGE_DAYS else scores_on_or_before(as_of - dt.timedelta(days=p), accounts)
        for p in periods
    }
    rows: list[AccountHealth] = []
    checks: list[alerts.Check] = []
    for s in scored:
        score = s.explanation.score
        had = before.get(s.account_id)
        if had is not None and had[0] > as_of:
            continue  # a backfill of an older date: the account's latest stays the later one
        previous, previous_light = (None, None)
        if had is not None:
            previous, previous_light = (had[1], had[2]) if had[0] < as_of else (had[3], had[4])
        then = month_ago.get(s.account_id)
        rows.append(
            AccountHealth(
                account_id=s.account_id, scored_on=as_of, score=score, light=s.explanation.light,
                previous_score=previous, previous_light=previous_light or "",
                change=_minus(score, previous), change_30d=_minus(score, then),
            )
        )
        checks.append(
            alerts.Check(
                s.account_id, s.owner_id, s.card, s.explanation,
                had_previous=had is not None, previous_light=previous_light or "",
                reference=_highest(previous, period_ago[s.card.alert_period_days].get(s.account_id)),
            )
        )
    AccountHealth.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=[
            "scored_on", "score", "light", "previous_score", "previous_light", "change", "change_30d",
        ],
    )
    return alerts.evaluate(as_of, checks)


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 1)


def _highest(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def run(as_of: dt.date, accounts: Collection[int] | None = None) -> RecomputeResult:
    started = time.perf_counter()
    scored = compute(as_of, accounts)
    raised, resolved = write(as_of, scored, accounts)
    without = sum(1 for s in scored if s.explanation.score is None)
    return RecomputeResult(
        as_of, len(scored), without, raised, resolved, round(time.perf_counter() - started, 3)
    )
