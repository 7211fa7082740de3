"""A contact at Acme to send the proposal to, and outcomes to put in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def maria(acme: Any) -> Any:
    from cairn.customers.models import Contact

    return Contact.objects.create(
        account=acme, first_name="Maria", last_name="Jensen", title="COO", email="maria@acme.example"
    )


@pytest.fixture
def outcomes(engagement: Any) -> list[Any]:
    from cairn.engagements.models import Outcome

    return [
        Outcome.objects.create(engagement=engagement, name="Energy per unit", unit="kWh",
                               baseline=Decimal("12.5"), target=Decimal("10"), due_date=dt.date(2027, 6, 30)),
        Outcome.objects.create(engagement=engagement, name="Plants monitored", target=Decimal("4")),
    ]
