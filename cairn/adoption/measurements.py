"""Where a KPI stands: its target path and the status of its latest reading.

The target path runs from the baseline through the milestones to the target, straight
between each pair of points. The latest reading is compared with the value the path expects
on that reading's date:

- on track: the reading is at the expected value or better (in the KPI's direction);
- at risk: it falls short by no more than TOLERANCE of the whole baseline-to-target
  distance (10 %: for a baseline of 124 minutes and a target of 90, up to 3.4 minutes);
- off track: it falls short by more;
- not started: no reading yet, only the baseline.

Before the baseline date the path expects the baseline; after the target date, the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.db import models

from cairn.adoption.models import Direction, Kpi, KpiMilestone, KpiReading

TOLERANCE = Decimal("0.10")


class KpiStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


@dataclass(frozen=True)
class Point:
    date: dt.date
    value: Decimal


@dataclass(frozen=True)
class Assessment:
    status: KpiStatus
    latest: Point | None = None
    expected: Decimal | None = None
    shortfall: Decimal | None = None  # how far worse than expected; negative is ahead

    @property
    def css(self) -> str:
        return {
            KpiStatus.ON_TRACK: "green", KpiStatus.AT_RISK: "amber", KpiStatus.OFF_TRACK: "red",
        }.get(self.status, "")


def target_path(kpi: Kpi, milestones: Iterable[KpiMilestone]) -> list[Point]:
    inner = sorted(
        (Point(m.date, m.expected) for m in milestones
         if kpi.baseline_date < m.date < kpi.target_date),
        key=lambda p: p.date,
    )
    return [Point(kpi.baseline_date, kpi.baseline_value), *inner, Point(kpi.target_date, kpi.target_value)]


def expected_at(path: list[Point], day: dt.date) -> Decimal:
    """The value the path expects on `day`, interpolated between its points."""
    if day <= path[0].date:
        return path[0].value
    for before, after in pairwise(path):
        if day <= after.date:
            share = Decimal((day - before.date).days) / Decimal((after.date - before.date).days)
            return before.value + (after.value - before.value) * share
    return path[-1].value


def assess(kpi: Kpi, milestones: Iterable[KpiMilestone], readings: Iterable[KpiReading]) -> Assessment:
    ordered = sorted(readings, key=lambda r: r.date)
    if not ordered:
        return Assessment(KpiStatus.NOT_STARTED)
    last = ordered[-1]
    latest = Point(last.date, last.value)
    expected = expected_at(target_path(kpi, milestones), latest.date)
    gap = expected - latest.value
    shortfall = gap if kpi.direction == Direction.HIGHER else -gap
    tolerance = abs(kpi.target_value - kpi.baseline_value) * TOLERANCE
    if shortfall <= 0:
        status = KpiStatus.ON_TRACK
    elif shortfall <= tolerance:
        status = KpiStatus.AT_RISK
    else:
        status = KpiStatus.OFF_TRACK
    return Assessment(status, latest, expected, shortfall)


def assess_prefetched(kpi: Kpi) -> Assessment:
    """The assessment of a KPI whose milestones and readings were prefetched."""
    return assess(kpi, kpi.milestones.all(), kpi.readings.all())


def number(value: Decimal | None) -> str:
    """A measured value as people write it: 90, 3.5, not 90.0000."""
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.01')).normalize():f}"
