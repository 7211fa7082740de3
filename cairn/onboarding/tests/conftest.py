"""Onboarding fixtures: Acme's people and subscriptions, and a plan to work on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

TODAY = dt.date.today()


@pytest.fixture
def contact(acme):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Contact

    return Contact.objects.create(
        account=acme, first_name="Olga", last_name="Berg", title="COO", email="olga@acme.example"
    )


@pytest.fixture
def other_contact(db, alice):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Account, Contact

    other = Account.objects.create(name="Globex", owner=alice)
    return Contact.objects.create(account=other, first_name="Hank", last_name="Scorpio")


@pytest.fixture
def subscription(acme):  # type: ignore[no-untyped-def]
    from cairn.customers.models import Product, Subscription

    product = Product.objects.create(name="Energy Monitor", description="Metering and alerts")
    return Subscription.objects.create(
        account=acme, product=product, quantity=400, arr=Decimal("48000"),
        start_date=TODAY - dt.timedelta(days=30), end_date=TODAY + dt.timedelta(days=335),
    )


@pytest.fixture
def plan(engagement, carol):  # type: ignore[no-untyped-def]
    from cairn.onboarding.actions import save_plan
    from cairn.onboarding.models import OnboardingPlan

    return save_plan(
        OnboardingPlan(
            engagement=engagement, scope="Set-up, pilot and roll-out for 400 users",
            start_date=TODAY - dt.timedelta(days=20), deadline=TODAY + dt.timedelta(days=70),
        ),
        by=carol,
    )


@pytest.fixture
def phase(plan, carol):  # type: ignore[no-untyped-def]
    from cairn.onboarding.actions import save_phase
    from cairn.onboarding.models import PlanPhase

    return save_phase(
        PlanPhase(plan=plan, name="Set-up", start_date=plan.start_date,
                  end_date=plan.start_date + dt.timedelta(days=40), outputs="Tenant live"),
        by=carol,
    )


def add_activity(phase, by, name: str = "Connect the meters", status: str = "planned", **extra):  # type: ignore[no-untyped-def]
    from cairn.onboarding.actions import save_activity
    from cairn.onboarding.models import PlanActivity

    activity = PlanActivity(
        phase=phase, name=name, start_date=phase.start_date, end_date=phase.end_date, status=status,
        **extra,
    )
    return save_activity(activity, by=by)


def queries_of(client, url: str) -> int:  # type: ignore[no-untyped-def]
    """How many queries one GET runs.

    The connection keeps the last 9,000 queries only; a long test session fills that log, and
    a capture taken on a full log counts nothing. Clearing it first keeps the count honest.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def assert_queries(django_assert_num_queries):  # type: ignore[no-untyped-def]
    """Assert a page runs exactly `expected` queries (on a cleared log, see queries_of)."""
    from django.db import connection

    def check(client, url: str, expected: int) -> None:  # type: ignore[no-untyped-def]
        connection.queries_log.clear()
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200

    return check
