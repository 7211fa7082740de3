"""Scorecards as the scoring sees them: database rows turned into plain CardSpecs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from django.db.models import Q

from cairn.customers.models import Account
from cairn.health.models import Measure, Scorecard
from cairn.health.scoring import Band, CardSpec, MeasureSpec
from cairn.metrics.models import MetricValue


def bands_of(raw: Any) -> tuple[Band, ...]:
    """Bands from their JSON form, [{"from": 0, "to": 10, "points": 20}, ...]."""
    bands = []
    for item in raw or []:
        low, high = item.get("from"), item.get("to")
        bands.append(
            Band(
                low=None if low is None else float(low),
                high=None if high is None else float(high),
                points=float(item["points"]),
            )
        )
    return tuple(bands)


def measure_spec(measure: Measure, key: str | None = None) -> MeasureSpec:
    return MeasureSpec(
        key=key or str(measure.pk),
        name=measure.name,
        indicator=measure.indicator,
        weight=float(measure.weight),
        source=measure.source,
        method=measure.method,
        bad=measure.bad_value,
        good=measure.good_value,
        bands=bands_of(measure.bands),
        metric_id=measure.metric_id,
        window_days=measure.window_days,
    )


def card_spec(card: Scorecard, measures: Sequence[Measure], keys: Sequence[str] = ()) -> CardSpec:
    """The spec of a scorecard and its measures; `keys` names unsaved measures (previews)."""
    return CardSpec(
        id=card.pk,
        name=card.name,
        measures=tuple(
            measure_spec(m, keys[i] if i < len(keys) else None) for i, m in enumerate(measures)
        ),
        green_from=card.green_from,
        red_below=card.red_below,
        max_age_days=card.max_age_days,
        alert_drop_points=card.alert_drop_points,
        alert_period_days=card.alert_period_days,
    )


class Cards:
    """Every scorecard, and which one scores an account of a given segment: the first
    naming the segment, else the default (None when there is no default)."""

    def __init__(self, rows: Iterable[tuple[CardSpec, list[str], bool]]) -> None:
        self.all: list[CardSpec] = []
        self._by_segment: dict[str, CardSpec] = {}
        self.default: CardSpec | None = None
        for spec, segments, is_default in rows:
            self.all.append(spec)
            for segment in segments:
                self._by_segment.setdefault(segment, spec)
            if is_default and self.default is None:
                self.default = spec

    def for_segment(self, segment: str) -> CardSpec | None:
        return self._by_segment.get(segment, self.default)

    def scope(self, card: CardSpec) -> Q:
        """The accounts `card` scores, as a filter on accounts (the rule of `for_segment`)."""
        if card is self.default:
            return ~Q(segment__in=[s for s, c in self._by_segment.items() if c is not card])
        return Q(segment__in=[s for s, c in self._by_segment.items() if c is card])


def scorecard_scope(card: Scorecard) -> Q:
    """The accounts a scorecard, saved or not, scores or would score, as a filter: its
    segments', the default's every segment no other scorecard names, and for a scorecard of
    neither (it scores nobody yet) every account, as the editor's preview samples them."""
    if card.segments:
        return Q(segment__in=card.segments)
    if not card.is_default:
        return Q()
    taken = [s for other in Scorecard.objects.exclude(pk=card.pk or 0) for s in other.segments or []]
    return ~Q(segment__in=taken)


def rank_references(card: CardSpec, scope: Callable[[], Q], as_of: dt.date) -> dict[str, np.ndarray]:
    """For each percentile measure of the card, the fresh latest values of its metric among
    the accounts `scope()` names: what a run scoring only some of them (a CSM's rating rescores
    one account, the editor previews ten) ranks their values among, so a value ranks as it
    does in the whole book's run. One query per percentile measure, none without one."""
    fresh_from = as_of - dt.timedelta(days=card.max_age_days)
    out: dict[str, np.ndarray] = {}
    accounts: Q | None = None
    for m in card.measures:
        if m.method != "percentile" or m.source != "metric" or m.metric_id is None:
            continue
        accounts = scope() if accounts is None else accounts
        values = MetricValue.objects.filter(
            metric_id=m.metric_id, observed_on__gte=fresh_from, value__isnull=False,
            account__in=Account.objects.filter(accounts).values("pk"),
        ).values_list("value", flat=True)
        out[m.key] = np.sort(np.fromiter(values.iterator(chunk_size=20000), dtype=float))
    return out


def load_cards() -> Cards:
    return Cards(
        (card_spec(card, list(card.measures.all())), list(card.segments or []), card.is_default)
        for card in Scorecard.objects.prefetch_related("measures")
    )
