"""API schemas of outbound webhooks: endpoints, their deliveries and attempts, the events
Cairn sends and the endpoints' history.

Every name starts with Webhook: the OpenAPI document names each schema by its class name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Field, Schema

from cairn.validation import NO_NUL, Name
from cairn.webhooks.models import URL_CHARS

# The events an endpoint may subscribe to (cairn.webhooks.events.SUBSCRIBABLE).
WebhookEventValue = Literal["rule.fired", "health.alert"]
WebhookStatusValue = Literal["pending", "delivered", "failed"]
Url = Annotated[str, MaxLen(URL_CHARS), NO_NUL]
Events = Annotated[list[WebhookEventValue], Field(min_length=1, max_length=10)]


class WebhookEndpointOut(Schema):
    id: int
    name: str
    url: str
    events: list[str] = Field(description="The events it receives.")
    active: bool = Field(description="Switched off, it receives no new events.")
    secret: str = Field(description="Signs every delivery (X-Cairn-Signature).")
    secret_rotated_at: dt.datetime | None
    created_by: int | None = Field(alias="created_by_id")
    created_at: dt.datetime


class WebhookEndpointIn(Schema):
    name: Name = Field(min_length=1)
    url: Url = Field(min_length=1, description="http:// or https://; each event is POSTed to it.")
    events: Events
    active: bool = True


class WebhookEndpointPatch(Schema):
    name: Name | None = Field(None, min_length=1)
    url: Url | None = Field(None, min_length=1)
    events: Events | None = Field(None, description="Replaces the list.")
    active: bool | None = None


class WebhookDeliveryOut(Schema):
    id: int
    uuid: str = Field(description="The id the receiver sees (the envelope's id, X-Cairn-Delivery).")
    endpoint: int = Field(alias="endpoint_id")
    event: str
    status: str = Field(description="pending, delivered or failed.")
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_response: str = Field(description="The first characters of the last answer's body.")
    last_error: str = Field(description="Why the last attempt got no answer, if it got none.")
    replay_of: int | None = Field(alias="replay_of_id")
    requested_by: int | None = Field(alias="requested_by_id")

    @staticmethod
    def resolve_uuid(obj: Any) -> str:
        return str(obj.uuid)


class WebhookAttemptOut(Schema):
    number: int
    attempted_at: dt.datetime
    status_code: int | None
    response: str = Field(description="The first characters of the answer's body.")
    error: str
    duration_ms: int


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    payload: dict[str, Any] = Field(description="The envelope's data, by the event's schema.")
    attempt_log: list[WebhookAttemptOut] = Field(description="Each attempt, the first first.")

    @staticmethod
    def resolve_attempt_log(obj: Any) -> list[Any]:
        return list(obj.attempt_log.order_by("number"))


class WebhookDeliveryFilter(Schema):
    status: WebhookStatusValue | None = None
    event: Literal["rule.fired", "health.alert", "ping"] | None = None


class WebhookEventOut(Schema):
    key: str
    label: str
    description: str
    subscribable: bool = Field(description="Whether an endpoint may subscribe to it (ping: no).")
    data_schema: dict[str, Any] = Field(description="The JSON schema of the envelope's data.")
    example: dict[str, Any] = Field(description="A whole envelope, as a receiver gets it.")


class WebhookChangeOut(Schema):
    field: str
    old: str
    new: str


class WebhookHistoryOut(Schema):
    when: dt.datetime
    who: int | None
    who_name: str
    action: str = Field(description="created, changed or deleted.")
    endpoint: int
    endpoint_name: str
    changes: list[WebhookChangeOut]


class WebhookHistoryFilter(Schema):
    endpoint: int | None = Field(None, description="Only this endpoint's, deleted or not.")
    limit: int = Field(50, ge=1, le=200)
