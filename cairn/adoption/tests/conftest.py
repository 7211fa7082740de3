"""Adoption fixtures: a contact at Acme to approve plans, and helpers that fill the tools."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cairn.adoption.models import Kpi, KpiMilestone, KpiReading, Risk


@pytest.fixture
def derek(acme):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Contact

    return Contact.objects.create(account=acme, first_name="Derek", last_name="Shaw", title="VP Operations")


def make_kpi(engagement, **overrides) -> Kpi:  # type: ignore[no-untyped-def]
    values = {
        "name": "Restoration time", "unit": "min", "direction": "lower",
        "baseline_value": Decimal("124"), "baseline_date": dt.date(2026, 1, 1),
        "target_value": Decimal("90"), "target_date": dt.date(2026, 12, 31),
    }
    values.update(overrides)
    return Kpi.objects.create(engagement=engagement, **values)


def add_readings(kpi: Kpi, count: int, start: dt.date = dt.date(2026, 1, 8)) -> None:
    KpiReading.objects.bulk_create(
        KpiReading(kpi=kpi, date=start + dt.timedelta(days=7 * i), value=Decimal(120 - i % 10))
        for i in range(count)
    )


def add_milestone(kpi: Kpi, day: dt.date, expected: str) -> KpiMilestone:
    return KpiMilestone.objects.create(kpi=kpi, date=day, expected=Decimal(expected))


def add_risks(engagement, count: int) -> None:  # type: ignore[no-untyped-def]
    Risk.objects.bulk_create(
        Risk(engagement=engagement, title=f"Risk {i}", likelihood=i % 5 + 1, impact=(i * 3) % 5 + 1)
        for i in range(count)
    )
