"""Outbound webhooks in the API: the endpoints (with their secret), each endpoint's deliveries,
a delivery with its attempts, a replay, a test delivery, the secret rotated, the endpoints'
history, and the events Cairn sends with their schemas.

The same rules as the pages: admins only, but for the events' documentation, which anyone
building a receiver reads. Writes go through cairn.webhooks.actions.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, user_of
from cairn.people import access
from cairn.people.models import User
from cairn.resources import tagged
from cairn.webhooks import actions, events, queries
from cairn.webhooks.actions import REFUSAL
from cairn.webhooks.models import Delivery, Endpoint
from cairn.webhooks.schemas import (
    WebhookDeliveryDetailOut,
    WebhookDeliveryFilter,
    WebhookDeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEventOut,
    WebhookHistoryFilter,
    WebhookHistoryOut,
)

router = Router(tags=["webhooks"])


def _admin(request: HttpRequest) -> User:
    return access.admin(user_of(request), REFUSAL)


def _endpoint(request: HttpRequest, endpoint_id: int) -> tuple[Endpoint, User]:
    user = _admin(request)
    return get_object_or_404(Endpoint, pk=endpoint_id), user


def _delivery(request: HttpRequest, delivery_id: int) -> tuple[Delivery, User]:
    user = _admin(request)
    return get_object_or_404(queries.deliveries(), pk=delivery_id), user


def _detail(delivery_id: int) -> Delivery:
    return queries.deliveries().get(pk=delivery_id)


@router.get("/events", response=list[WebhookEventOut],
            summary="The events Cairn sends, each with the schema of its data and an example")
def list_events(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"key": kind.key, "label": kind.label, "description": kind.description,
         "subscribable": kind.subscribable, "data_schema": kind.schema(),
         "example": events.example_envelope(kind)}
        for kind in events.EVENTS.values()
    ]


@router.get("/endpoints", response=list[WebhookEndpointOut], summary="List webhook endpoints by name")
@paginate(Pagination)
def list_endpoints(request: HttpRequest) -> QuerySet[Endpoint]:
    _admin(request)
    return Endpoint.objects.order_by("name", "pk")


@router.post("/endpoints", response={201: WebhookEndpointOut, **WRITE_ERRORS},
             summary="Add a webhook endpoint; its secret is in the answer")
def create_endpoint(request: HttpRequest, payload: WebhookEndpointIn) -> tuple[int, Endpoint]:
    user = _admin(request)
    endpoint = Endpoint(**payload.model_dump())
    tagged(Endpoint, lambda: actions.create_endpoint(endpoint, by=user))
    return 201, endpoint


@router.get("/endpoints/{int:endpoint_id}", response={200: WebhookEndpointOut, **READ_ERRORS},
            summary="Read a webhook endpoint, with its secret")
def get_endpoint(request: HttpRequest, endpoint_id: int) -> Endpoint:
    endpoint, _ = _endpoint(request, endpoint_id)
    return endpoint


@router.patch("/endpoints/{int:endpoint_id}", response={200: WebhookEndpointOut, **WRITE_ERRORS},
              summary="Change a webhook endpoint: its name, URL, events, or switch it off or on")
def update_endpoint(request: HttpRequest, endpoint_id: int, payload: WebhookEndpointPatch) -> Endpoint:
    endpoint, user = _endpoint(request, endpoint_id)
    data = payload.model_dump(exclude_unset=True)
    nulled = sorted(name for name, value in data.items() if value is None)
    if nulled:
        raise ValidationError({name: "This field cannot be null." for name in nulled})
    return tagged(Endpoint, lambda: actions.update_endpoint(endpoint, data, by=user))  # type: ignore[no-any-return]


@router.delete("/endpoints/{int:endpoint_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a webhook endpoint with its deliveries; its history stays")
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> tuple[int, None]:
    endpoint, user = _endpoint(request, endpoint_id)
    actions.delete_endpoint(endpoint, by=user)
    return 204, None


@router.post("/endpoints/{int:endpoint_id}/rotate-secret", response={200: WebhookEndpointOut, **WRITE_ERRORS},
             summary="Give a webhook endpoint a new secret, which signs every attempt from now on")
def rotate_secret(request: HttpRequest, endpoint_id: int) -> Endpoint:
    endpoint, user = _endpoint(request, endpoint_id)
    return actions.rotate_secret(endpoint, by=user)


@router.post("/endpoints/{int:endpoint_id}/ping", response={201: WebhookDeliveryDetailOut, **WRITE_ERRORS},
             summary="Send a test delivery (event ping) to a webhook endpoint")
def ping(request: HttpRequest, endpoint_id: int) -> tuple[int, Delivery]:
    endpoint, user = _endpoint(request, endpoint_id)
    delivery = tagged(Delivery, lambda: actions.ping(endpoint, by=user))
    return 201, _detail(delivery.pk)


@router.get("/endpoints/{int:endpoint_id}/deliveries", response=list[WebhookDeliveryOut],
            summary="List a webhook endpoint's deliveries, the newest first")
@paginate(Pagination)
def list_deliveries(
    request: HttpRequest, endpoint_id: int, filters: Query[WebhookDeliveryFilter]
) -> QuerySet[Delivery]:
    endpoint, _ = _endpoint(request, endpoint_id)
    found = queries.log(endpoint)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.event is not None:
        found = found.filter(event=filters.event)
    return found


@router.get("/deliveries/{int:delivery_id}", response={200: WebhookDeliveryDetailOut, **READ_ERRORS},
            summary="Read a delivery: its payload and each attempt with the answer")
def get_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    delivery, _ = _delivery(request, delivery_id)
    return delivery


@router.post("/deliveries/{int:delivery_id}/replay", response={201: WebhookDeliveryDetailOut, **WRITE_ERRORS},
             summary="Send a delivered or failed delivery's event again, as a new delivery")
def replay(request: HttpRequest, delivery_id: int) -> tuple[int, Delivery]:
    delivery, user = _delivery(request, delivery_id)
    again = tagged(Delivery, lambda: actions.replay(delivery, by=user))
    return 201, _detail(again.pk)


@router.get("/history", response=list[WebhookHistoryOut],
            summary="Who added, changed, rotated the secret of or deleted which endpoint, newest first")
def history(request: HttpRequest, filters: Query[WebhookHistoryFilter]) -> list[dict[str, Any]]:
    _admin(request)
    return [
        {"when": row.when, "who": row.who.pk if row.who else None, "who_name": str(row.who or "system"),
         "action": row.action, "endpoint": row.endpoint_id, "endpoint_name": row.endpoint_name,
         "changes": [
             {"field": c.field, "old": ", ".join(c.removed) if c.is_set else c.old,
              "new": ", ".join(c.added) if c.is_set else c.new}
             for c in row.changes
         ]}
        for row in queries.history(filters.endpoint, filters.limit)
    ]
