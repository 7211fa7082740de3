"""Everything that changes health data: scorecards, manual ratings and recomputes.

Each action owns its transaction; views and the API only parse, check permission and call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health import backfill, recompute
from cairn.health.models import Indicator, ManualRating, Measure, Method, Scorecard, Source
from cairn.metrics.models import MetricDefinition, MetricKind
from cairn.people.models import User
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind

RecomputeResult = recompute.RecomputeResult


# Sent once the scores of today are recomputed and committed, with `as_of`.
scores_recomputed = Signal()


@transaction.atomic
def recompute_scores(
    as_of: dt.date | None = None, *, accounts: Collection[int] | None = None
) -> recompute.RecomputeResult:
    """Score every account (or the given ones) on `as_of` (today by default), keep the
    history, update each account's latest score and raise or resolve alerts.

    Running it again for the same day replaces that day's scores and raises nothing twice.
    Manual ratings are only read, never written.
    """
    today = timezone.localdate()
    result = recompute.run(as_of or today, accounts)
    # Rules act on what the new scores show (cairn.automation listens); a score of a past
    # date is history being filled, not news.
    if (as_of or today) == today:
        transaction.on_commit(lambda: scores_recomputed.send(sender=recompute_scores, as_of=today))
    return result


def backfill_history(
    until: dt.date | None = None, since: dt.date | None = None
) -> backfill.BackfillResult:
    """Score the past observation dates before the first scoring date from the metric
    series (see cairn.health.backfill); each date commits on its own."""
    return backfill.backfill(until or timezone.localdate() - dt.timedelta(days=1), since)


@transaction.atomic
def rate_account(
    account: Account,
    *,
    indicator: str,
    rating: str,
    comment: str,
    expires_on: dt.date,
    by: User,
) -> ManualRating:
    """Record a CSM's rating as a new row (the older ones stay as history) and rescore the
    account today, so the page shows its effect at once."""
    today = timezone.localdate()
    if not comment.strip():
        raise ValidationError({"comment": "Say why: a rating without a reason cannot be trusted."})
    if expires_on < today:
        raise ValidationError({"expires_on": "The expiry must be today or later."})
    rating_row = ManualRating(
        account=account, indicator=indicator, rating=rating, comment=comment.strip(),
        rated_on=today, expires_on=expires_on, rated_by=by,
    )
    rating_row.full_clean()
    rating_row.save()
    record(
        account, EntryKind.NOTE,
        f"Health rating: {rating_row.get_indicator_display()} rated {rating_row.get_rating_display()}",
        body=rating_row.comment, author=by, link=f"/health/accounts/{account.pk}/",
    )
    recompute.run(today, [account.pk])
    return rating_row


def _check_segments(card: Scorecard) -> None:
    taken = {
        segment: other.name
        for other in Scorecard.objects.exclude(pk=card.pk).only("name", "segments")
        for segment in other.segments or []
    }
    clash = [s for s in card.segments or [] if s in taken]
    if clash:
        raise ValidationError(
            {"segments": f"Segment {clash[0]} already has a scorecard: {taken[clash[0]]}."}
        )
    if card.is_default and card.segments:
        raise ValidationError(
            {"segments": "The default scorecard applies to every other account: leave segments empty."}
        )


@transaction.atomic
def save_scorecard(
    card: Scorecard, measures: Sequence[Measure], *, by: User | None, deleted: Sequence[Measure] = ()
) -> Scorecard:
    """Save a scorecard with its measures, all or nothing; the history records who (no one
    for an operator's `cairn scorecards import` without --user)."""
    _check_segments(card)
    if not measures:
        raise ValidationError({"measures": "A scorecard needs at least one measure."})
    card.updated_by = by
    card._history_user = by  # type: ignore[attr-defined]
    card.full_clean()
    card.save()
    for measure in deleted:
        if measure.pk:
            measure._history_user = by  # type: ignore[attr-defined]
            measure.delete()
    for position, measure in enumerate(measures):
        measure.scorecard = card
        measure.position = position
        measure._history_user = by  # type: ignore[attr-defined]
        measure.full_clean()
        measure.save()
    return card


@transaction.atomic
def delete_scorecard(card: Scorecard, *, by: User) -> None:
    if card.is_default:
        raise ValidationError({"is_default": "The default scorecard cannot be deleted."})
    card._history_user = by  # type: ignore[attr-defined]
    card.delete()


def _metric(kind: str) -> MetricDefinition | None:
    return MetricDefinition.objects.filter(kind=kind, active=True).order_by("pk").first()


@transaction.atomic
def ensure_default_scorecard(by: User | None = None) -> Scorecard:
    """The default scorecard, created with the framework's indicators if there is none.

    Product-utilization measures use the seat-utilization and days-since-last metrics when
    they are defined; otherwise the indicator is rated by the CSM.
    """
    existing = Scorecard.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    card = Scorecard.objects.create(
        name="Standard health",
        description="The framework's seven indicators. Edit the weights and thresholds to fit your team.",
        is_default=True, updated_by=by,
    )
    manual = Source.MANUAL
    lines: list[Measure] = [
        Measure(name="Executive sponsorship", indicator=Indicator.SPONSORSHIP, weight=15, source=manual),
        Measure(name="Customer advocacy", indicator=Indicator.ADVOCACY, weight=10, source=manual),
        Measure(name="Relationship sentiment", indicator=Indicator.SENTIMENT, weight=15, source=manual),
        Measure(
            name="Open high-priority tickets", indicator=Indicator.SUPPORT, weight=10,
            source=Source.TICKETS, bad_value=5, good_value=0, window_days=30,
        ),
        Measure(name="Company health", indicator=Indicator.COMPANY, weight=10, source=manual),
        Measure(
            name="Net promoter score", indicator=Indicator.NPS, weight=15, source=Source.SURVEY,
            bad_value=-20, good_value=50, window_days=180,
        ),
    ]
    seats = _metric(MetricKind.SEAT_UTILIZATION)
    idle = _metric(MetricKind.DAYS_SINCE_LAST)
    if seats is not None:
        lines.append(
            Measure(
                name=seats.name, indicator=Indicator.PRODUCT, weight=20, source=Source.METRIC,
                metric=seats, bad_value=0.2, good_value=0.8,
            )
        )
    if idle is not None:
        lines.append(
            Measure(
                name=idle.name, indicator=Indicator.PRODUCT, weight=10, source=Source.METRIC,
                metric=idle, method=Method.BANDS,
                bands=[{"from": None, "to": 3, "points": 100}, {"from": 3, "to": 14, "points": 60},
                       {"from": 14, "to": 30, "points": 25}, {"from": 30, "to": None, "points": 0}],
            )
        )
    if seats is None and idle is None:
        lines.append(
            Measure(name="Product adoption", indicator=Indicator.PRODUCT, weight=25, source=manual)
        )
    for position, measure in enumerate(lines):
        measure.scorecard = card
        measure.position = position
        measure.full_clean()
        measure.save()
    return card
