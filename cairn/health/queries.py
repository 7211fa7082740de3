"""Read-side queries of the health pages, each in a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.cards import card_spec, rank_references, scorecard_scope
from cairn.health.history import StoredScore, account_history, stored
from cairn.health.inputs import columns_for, gather
from cairn.health.models import AccountHealth, HealthAlert, ManualRating, Measure, Scorecard
from cairn.health.scoring import Explanation, explain, score_block

HISTORY_DAYS = 180
PREVIEW_SIZE = 10
# How the overview orders the accounts that fell: by their fall, or by the churn forecast
# (cairn.forecast.AccountForecast, named by its relation so health never imports it).
FALLER_SORTS: dict[str, list[Any]] = {
    "change": ["change_30d"],
    "-risk": [F("account__forecast__probability").desc(nulls_last=True), "change_30d"],
}


def latest_score(account: Account) -> StoredScore | None:
    # The account's latest row names the date (and stays cached on the account for the page).
    health = getattr(account, "health", None)
    return stored(account.pk, health.scored_on) if health else None


def score_lines(score: StoredScore) -> list[dict[str, Any]]:
    """Each measure's line of a stored score (name, value, points, share, contribution)."""
    measures = score.snapshot.measures if score.snapshot else []
    return explain(score.explanation, measures)


def with_metric_kinds(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines, each with the kind of metric its measure reads (`metric_kind`, "" for other
    sources), so the health page shows a utilization as the percentage it is. One query."""
    ids = [int(line["key"]) for line in lines if str(line["key"]).isdigit()]
    kinds = {
        str(pk): kind or ""
        for pk, kind in Measure.objects.filter(pk__in=ids).values_list("pk", "metric__kind")
    } if ids else {}
    for line in lines:
        line["metric_kind"] = kinds.get(str(line["key"]), "")
    return lines


def history(account: Account, days: int = HISTORY_DAYS) -> list[tuple[dt.date, float | None]]:
    since = timezone.localdate() - dt.timedelta(days=days)
    return [(day, score) for day, score, _ in account_history(account.pk, since)]


def current_ratings(account: Account) -> list[ManualRating]:
    """The latest rating per indicator (expired ones included, so the page can say so)."""
    latest: dict[str, ManualRating] = {}
    for rating in ManualRating.objects.filter(account=account).select_related("rated_by"):
        latest.setdefault(rating.indicator, rating)
    return sorted(latest.values(), key=lambda r: r.get_indicator_display())


def rating_history(account: Account, limit: int = 20) -> QuerySet[ManualRating]:
    return ManualRating.objects.filter(account=account).select_related("rated_by")[:limit]


def alerts(account: Account, limit: int = 10) -> QuerySet[HealthAlert]:
    return HealthAlert.objects.filter(account=account).select_related("task")[:limit]


def overview(sort: str = "change") -> dict[str, Any]:
    """Counts per light, the accounts that fell most (or the likeliest to churn of those that
    fell, `sort="-risk"`) and the open alerts."""
    sort = sort if sort in FALLER_SORTS else "change"
    counts = AccountHealth.objects.aggregate(
        green=Count("pk", filter=Q(light="green")),
        amber=Count("pk", filter=Q(light="amber")),
        red=Count("pk", filter=Q(light="red")),
        unknown=Count("pk", filter=Q(score__isnull=True)),
    )
    fallers = (
        AccountHealth.objects.filter(change_30d__lt=0)
        .select_related("account", "account__owner", "account__forecast")
        .order_by(*FALLER_SORTS[sort])[:10]
    )
    open_alerts = (
        HealthAlert.objects.filter(resolved_on__isnull=True)
        .select_related("account", "account__owner", "task")
        .order_by("-raised_on")[:20]
    )
    return {"counts": counts, "fallers": list(fallers), "open_alerts": list(open_alerts),
            "fallers_sort": sort}


def scorecards() -> QuerySet[Scorecard]:
    return Scorecard.objects.select_related("updated_by").annotate(measure_count=Count("measures"))


@dataclass(frozen=True)
class PreviewRow:
    account: Account
    current: float | None
    current_light: str
    explanation: Explanation


def sample_accounts(card: Scorecard, size: int = PREVIEW_SIZE) -> list[Account]:
    """Real accounts the scorecard applies to, spread over the range of current scores."""
    accounts = Account.objects.all()
    if card.segments:
        accounts = accounts.filter(segment__in=card.segments)
    elif card.is_default:
        taken = [s for other in Scorecard.objects.exclude(pk=card.pk or 0) for s in other.segments or []]
        accounts = accounts.exclude(segment__in=taken)
    ids = list(
        accounts.order_by("health__score", "pk").values_list("pk", flat=True)[:2000]
    )
    if len(ids) > size:
        step = len(ids) / size
        ids = [ids[int(i * step)] for i in range(size)]
    return list(Account.objects.filter(pk__in=ids).select_related("health").order_by("name"))


def preview(card: Scorecard, measures: Sequence[Measure]) -> list[PreviewRow]:
    """Score a sample of accounts with an unsaved scorecard: nothing is written."""
    keys = [f"new-{i}" for i in range(len(measures))]
    spec = card_spec(card, measures, keys)
    accounts = sample_accounts(card)
    if not accounts:
        return []
    ids = [a.pk for a in accounts]
    today = timezone.localdate()
    ranks = rank_references(spec, lambda: scorecard_scope(card), today)
    block = score_block(spec, columns_for(spec, ids, gather([spec], ids, today)), today, ranks)
    rows = []
    for i, account in enumerate(accounts):
        health = getattr(account, "health", None)
        rows.append(
            PreviewRow(
                account,
                health.score if health else None,
                health.light if health else "",
                block.explanation(i),
            )
        )
    return rows
