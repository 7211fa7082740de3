"""What changes webhooks: an admin keeps the endpoints (each change in their history), and
other apps hand events over to be delivered.

`emit` and `deliver` only write delivery rows, inside the caller's transaction; sending
happens after it commits (a queued task), and retries on the scheduled job
(cairn.webhooks.sender). A rolled-back transaction therefore sends nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.fields import NAME
from cairn.people.models import User
from cairn.webhooks import events, tasks
from cairn.webhooks.models import Delivery, Endpoint, Status, new_secret

REFUSAL = "Only admins see and change the webhooks."
EDITABLE = frozenset({"name", "url", "events", "active"})
SWITCHED_OFF = "Not sent: the endpoint is switched off."


def _saved(endpoint: Endpoint, by: User) -> Endpoint:
    endpoint.full_clean()
    endpoint._history_user = by  # type: ignore[attr-defined]
    endpoint.save()
    return endpoint


@transaction.atomic
def create_endpoint(endpoint: Endpoint, *, by: User) -> Endpoint:
    endpoint.created_by = by
    return _saved(endpoint, by)


@transaction.atomic
def update_endpoint(endpoint: Endpoint, changes: Mapping[str, Any], *, by: User) -> Endpoint:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in sorted(unknown)})
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    return _saved(endpoint, by)


@transaction.atomic
def delete_endpoint(endpoint: Endpoint, *, by: User) -> None:
    """Its deliveries and their attempts go with it; its history stays."""
    endpoint._history_user = by  # type: ignore[attr-defined]
    endpoint.delete()


@transaction.atomic
def rotate_secret(endpoint: Endpoint, *, by: User) -> Endpoint:
    """A new secret signs every attempt from now on, retries of older deliveries included.
    The history records when, not the secret."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = timezone.now()
    endpoint._history_user = by  # type: ignore[attr-defined]
    endpoint.save()
    return endpoint


def _enqueue(ids: list[int]) -> None:
    tasks.send_deliveries.enqueue(ids)


def _send_after_commit(deliveries: list[Delivery]) -> None:
    ids = [d.pk for d in deliveries if d.status == Status.PENDING]
    if ids:
        # robust: a queue that cannot take the task must not undo the caller's commit; the
        # scheduled job sends what is due all the same.
        transaction.on_commit(functools.partial(_enqueue, ids), robust=True)


def _pending(endpoint: Endpoint, event: str, data: dict[str, Any], **extra: Any) -> Delivery:
    now = timezone.now()
    return Delivery(
        endpoint=endpoint, event=event, payload=data, created_at=now, next_attempt_at=now, **extra
    )


@transaction.atomic
def emit(event: str, payload: Mapping[str, Any]) -> list[Delivery]:
    """One delivery of the event to each switched-on endpoint subscribed to it. The payload
    must fit the event's schema (cairn.webhooks.events): a ValueError says where it does not."""
    data = events.checked(event, payload)
    # A handful of endpoints at most; JSON containment is not a lookup SQLite has.
    subscribed = [e for e in Endpoint.objects.filter(active=True).order_by("pk") if event in e.events]
    made = Delivery.objects.bulk_create([_pending(endpoint, event, data) for endpoint in subscribed])
    _send_after_commit(made)
    return made


@transaction.atomic
def deliver(endpoint: Endpoint, event: str, payload: Mapping[str, Any]) -> Delivery:
    """The event to this endpoint, subscribed or not (an automation rule names it). To an
    endpoint switched off, the delivery is logged as failed without an attempt."""
    data = events.checked(event, payload)
    delivery = _pending(endpoint, event, data)
    if not endpoint.active:
        delivery.status, delivery.next_attempt_at, delivery.last_error = Status.FAILED, None, SWITCHED_OFF
    delivery.save()
    _send_after_commit([delivery])
    return delivery


def _switched_on(endpoint: Endpoint) -> None:
    if not endpoint.active:
        raise ValidationError(f"{endpoint.name} is switched off: switch it on first.")


@transaction.atomic
def replay(delivery: Delivery, by: User) -> Delivery:
    """Send the same event and payload again, as a new delivery (a new id) that names the
    one it replays."""
    _switched_on(delivery.endpoint)
    if delivery.status == Status.PENDING:
        raise ValidationError("It is still being tried: replay it once it is delivered or has failed.")
    again = _pending(delivery.endpoint, delivery.event, delivery.payload, replay_of=delivery, requested_by=by)
    again.save()
    _send_after_commit([again])
    return again


@transaction.atomic
def ping(endpoint: Endpoint, by: User) -> Delivery:
    """A test delivery, to see the receiver answer and check the signature."""
    _switched_on(endpoint)
    data = events.checked("ping", {
        "message": "A test delivery from Cairn.",
        "endpoint": {"id": endpoint.pk, "name": endpoint.name},
        "requested_by": str(by)[:NAME],
    })
    delivery = _pending(endpoint, "ping", data, requested_by=by)
    delivery.save()
    _send_after_commit([delivery])
    return delivery
