"""Two senders, one attempt: a queued task and the scheduled job (or two workers) that find
the same due delivery send it once between them.

Two threads with their own database connections race over the same due deliveries. On SQLite
in memory a concurrent write meets "table is locked" at once: the sender that meets it in
its claim leaves the delivery to the other, as a sender that loses the claim does."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import timezone

from cairn.webhooks import actions, sender
from cairn.webhooks.models import Attempt, Delivery, Status

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERIES = 4


def test_two_senders_racing_over_the_same_due_deliveries_send_each_attempt_once(
    endpoint, receiver, alert
) -> None:  # type: ignore[no-untyped-def]
    made = [actions.emit("health.alert", alert)[0] for _ in range(DELIVERIES)]
    receiver.delay = 0.1  # the winner is still sending while the other reads and claims
    now = timezone.now()
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            start.wait()
            results.append(sender.send_due(now))
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # What one thread left (a locked read) is still due: a later pass sends it, once.
    results.append(sender.send_due(now))
    assert sum(r["delivered"] for r in results) == DELIVERIES
    assert len(receiver.requests) == DELIVERIES
    assert sorted(r.headers["X-Cairn-Delivery"] for r in receiver.requests) == sorted(str(d.uuid) for d in made)
    assert Attempt.objects.count() == DELIVERIES
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Status.DELIVERED, 1)}
