"""Adoption fixtures: a contact at Acme to approve plans, and helpers that fill the tools."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cairn.adoption import actions
from cairn.adoption.models import (
    Challenge,
    Consideration,
    ImpactedGroup,
    ImpactedProcess,
    Kpi,
    KpiMilestone,
    KpiReading,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessWorkshop,
    Risk,
    RoadmapStep,
    WorkPackage,
)


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


def fill(engagement, carol, n: int) -> None:  # type: ignore[no-untyped-def]
    """n of everything, mostly written straight to the tables (the lists only read them)."""
    ImpactedProcess.objects.bulk_create(
        ImpactedProcess(engagement=engagement, name=f"Process {n}-{i}", today="a", after="b") for i in range(n)
    )
    ImpactedGroup.objects.bulk_create(
        ImpactedGroup(engagement=engagement, name=f"Group {n}-{i}", knowledge_gap=i % 4) for i in range(n)
    )
    Consideration.objects.bulk_create(
        Consideration(engagement=engagement, kind="barrier", title=f"Barrier {n}-{i}") for i in range(n)
    )
    add_risks(engagement, n)
    RoadmapStep.objects.bulk_create(
        RoadmapStep(engagement=engagement, title=f"Step {n}-{i}", starts=dt.date(2026, 9, 1 + i % 20),
                    ends=dt.date(2026, 10, 1)) for i in range(n)
    )
    actions.write_outline(engagement, f"# Adoption plan (outline)\n\n## Scope\n\n{n} wards", by=carol)
    WorkPackage.objects.bulk_create(
        WorkPackage(engagement=engagement, title=f"WP {i}", owner="Ruth", deliverables="d") for i in range(n)
    )
    workshop = ReadinessWorkshop.objects.create(engagement=engagement, held_on=dt.date(2026, 9, 3), participants="x")
    ReadinessItem.objects.bulk_create(ReadinessItem(workshop=workshop, item=f"Item {i}") for i in range(n))
    Challenge.objects.bulk_create(
        Challenge(engagement=engagement, challenge=f"C {i}", impact="i", raised_on=dt.date(2026, 9, 1),
                  is_lesson=i % 2 == 0, lesson="L") for i in range(n)
    )
    pilot = Pilot.objects.get_or_create(
        engagement=engagement,
        defaults={"kind": "pov", "scope": "s", "starts": dt.date(2026, 9, 1), "ends": dt.date(2026, 10, 1)},
    )[0]
    PilotCriterion.objects.bulk_create(
        PilotCriterion(pilot=pilot, criterion=f"Criterion {n}-{i}", result="met", evidence="e") for i in range(n)
    )
    for k in range(min(n, 4)):
        kpi = make_kpi(engagement, name=f"KPI {n}-{k}")
        add_readings(kpi, n)
        add_milestone(kpi, dt.date(2026, 6, 1), "100")
    actions.hold_governance_meeting(engagement, held_on=dt.date(2026, 9, 10), by=carol)
