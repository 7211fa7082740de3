"""Fixtures of the preparation tests: Acme's engagement with two products and an outcome,
and Bolt, a second manufacturer in EMEA looked after by dave, to share a PESTLE with."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement, Outcome


@pytest.fixture
def products(engagement: Engagement) -> list[Product]:
    monitor = Product.objects.create(name="Energy Monitor", sku="EM")
    alerts = Product.objects.create(name="Smart Alerts", sku="SA")
    engagement.products.set([monitor, alerts])
    return [monitor, alerts]


@pytest.fixture
def outcome(engagement: Engagement) -> Outcome:
    return Outcome.objects.create(
        engagement=engagement, name="Energy use per unit", unit="kWh", baseline=Decimal(10),
        target=Decimal(8),
    )


@pytest.fixture
def bolt(dave: Any) -> Account:
    return Account.objects.create(
        name="Bolt Industries", industry="manufacturing", region="emea ", owner=dave,
    )


def make_contacts(account: Account, count: int) -> list[Contact]:
    """A boss and `count - 1` people reporting to her, over three departments."""
    boss = Contact.objects.create(account=account, first_name="Greta", last_name="Boss",
                                  title="Chief Executive", department="Executive")
    people = [boss]
    for i in range(1, count):
        people.append(Contact.objects.create(
            account=account, first_name=f"Person{i}", last_name=f"Number{i}",
            title="Engineer", department=["Operations", "IT", "Finance"][i % 3],
            reports_to=people[(i - 1) // 3],
        ))
    return people
