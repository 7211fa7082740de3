"""Scorecards as the scoring sees them: database rows turned into plain CardSpecs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cairn.health.models import Measure, Scorecard
from cairn.health.scoring import Band, CardSpec, MeasureSpec


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


def load_cards() -> Cards:
    return Cards(
        (card_spec(card, list(card.measures.all())), list(card.segments or []), card.is_default)
        for card in Scorecard.objects.prefetch_related("measures")
    )
