"""New usage refreshes metrics and health in the background, through the task queue."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cairn.customers.models import Account, Product, Subscription
from cairn.health.actions import ensure_default_scorecard
from cairn.health.models import AccountHealth
from cairn.metrics.actions import load_standard
from cairn.metrics.models import MetricValue
from cairn.people.models import ApiToken


@pytest.fixture
def feed(alice) -> Client:  # type: ignore[no-untyped-def]
    _token, key = ApiToken.issue(alice, "product feed", ingest=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def send(client: Client, events: list[dict[str, object]], key: str = "") -> dict[str, object]:
    response = client.post(
        "/api/v1/usage/events", json.dumps({"events": events, "key": key}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_events_sent_to_the_api_are_scored_by_the_worker(feed, carol) -> None:  # type: ignore[no-untyped-def]
    load_standard()
    ensure_default_scorecard()
    today = timezone.localdate()
    acme = Account.objects.create(name="Acme", external_id="acme-1", owner=carol)
    product = Product.objects.create(name="Monitor")
    Subscription.objects.create(account=acme, product=product, quantity=10,
                                start_date=today - dt.timedelta(days=200),
                                end_date=today + dt.timedelta(days=165))
    now = timezone.now()
    events = [
        {"account_external_id": "acme-1", "user_id": f"u{i % 4}", "event_type": "login",
         "timestamp": (now - dt.timedelta(days=i)).isoformat()}
        for i in range(1, 20)
    ]
    send(feed, events, key="first")
    send(feed, events[:5], key="second")
    # Two batches, one refresh waiting: a burst of data ends in one run.
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert MetricValue.objects.filter(account=acme).exists()
    assert AccountHealth.objects.filter(account=acme).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_sent_again_queues_nothing(feed, carol) -> None:  # type: ignore[no-untyped-def]
    Account.objects.create(name="Acme", external_id="acme-1", owner=carol)
    event = {"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
             "timestamp": timezone.now().isoformat()}
    send(feed, [event], key="k")
    call_command("worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    send(feed, [event], key="k")
    assert not DBTaskResult.objects.filter(status="READY").exists()
