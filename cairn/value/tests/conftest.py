"""Acme's engagement with what a value plan ties to: an outcome, KPIs with readings (one on
track, one off track), its strategy chain with our product linked, and a customer contact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cairn.adoption import actions as adoption
from cairn.adoption.models import Kpi


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_kpi(engagement: Any, by: Any, name: str, readings: list[tuple[int, str]], *,
             baseline: str = "100", target: str = "80", direction: str = "lower") -> Kpi:
    kpi = adoption.save_item(Kpi(
        engagement=engagement, name=name, unit="kWh", direction=direction,
        baseline_value=Decimal(baseline), baseline_date=days(-100), target_value=Decimal(target),
        target_date=days(100),
    ), engagement, by=by)
    for offset, value in readings:
        adoption.record_reading(kpi, on=days(offset), value=Decimal(value), by=by)
    return kpi


@pytest.fixture
def on_track(engagement: Any, carol: Any) -> Kpi:
    # Half way in time, expected 90: 88 is better.
    return make_kpi(engagement, carol, "Energy per unit", [(-50, "95"), (0, "88")])


@pytest.fixture
def off_track(engagement: Any, carol: Any) -> Kpi:
    # Expected 90 today; 99 is 9 short, beyond 10 % of the 20 distance.
    return make_kpi(engagement, carol, "Peak load", [(0, "99")])


@pytest.fixture
def outcome(engagement: Any) -> Any:
    from cairn.engagements.models import Outcome

    return Outcome.objects.create(engagement=engagement, name="Energy use", unit="%", baseline=0, target=20)


@pytest.fixture
def chain(engagement: Any, acme: Any, carol: Any) -> dict[str, Any]:
    from cairn.customers.models import Product
    from cairn.preparation.models import SolutionLink, StrategyElement

    vision = StrategyElement.objects.create(account=acme, kind="vision", title="Greenest plant in Europe")
    goal = StrategyElement.objects.create(account=acme, kind="goal", title="Energy down 30 %", parent=vision)
    objective = StrategyElement.objects.create(account=acme, kind="objective", title="Energy down 20 % this year",
                                               parent=goal)
    mission = StrategyElement.objects.create(account=acme, kind="mission", title="Make things well")
    strategy = StrategyElement.objects.create(account=acme, kind="strategy", title="Run on data", parent=mission,
                                              serves=goal)
    tactic = StrategyElement.objects.create(account=acme, kind="tactic", title="Monitor every meter",
                                            parent=strategy, serves=objective)
    product = Product.objects.create(name="Energy Monitor")
    engagement.products.add(product)
    SolutionLink.objects.create(engagement=engagement, product=product, element=tactic)
    return {"vision": vision, "goal": goal, "objective": objective, "tactic": tactic, "product": product}


@pytest.fixture
def maria(acme: Any) -> Any:
    from cairn.customers.models import Contact

    return Contact.objects.create(
        account=acme, first_name="Maria", last_name="Jensen", title="COO", email="maria@acme.example",
    )


@pytest.fixture
def item(engagement: Any, carol: Any, on_track: Kpi, off_track: Kpi, outcome: Any, chain: dict[str, Any],
         maria: Any) -> Any:
    from cairn.value import actions
    from cairn.value.models import ValueItem

    return actions.save_item(ValueItem(
        engagement=engagement, commitment="promised", statement="Energy use down 20 % within a year",
        outcome=outcome, element=chain["objective"], measured_by_contact=maria,
        data_source="Meter readings from the plant's historian.", frequency="monthly",
    ), by=carol, kpis=[on_track, off_track])
