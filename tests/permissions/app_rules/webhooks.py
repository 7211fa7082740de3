"""Who may call cairn.webhooks' pages and API: admins keep the endpoints (their secrets, the
delivery log, tests, replays, the history); nobody else, not even a leader. The events page
and the events' schemas document what receivers get, for everyone logged in. The demo makes
the endpoints and the deliveries the routes act on."""

from __future__ import annotations

from tests.permissions.rules import ADMIN, READ, Rule

ENDPOINT = "webhooks.Endpoint"
DELIVERY = "webhooks.Delivery"

API_RULES: dict[str, Rule] = {
    "GET /webhooks/events": READ,
    "GET /webhooks/endpoints": ADMIN,
    "POST /webhooks/endpoints": ADMIN,
    "GET /webhooks/endpoints/{endpoint_id}": ADMIN,
    "PATCH /webhooks/endpoints/{endpoint_id}": ADMIN,
    "DELETE /webhooks/endpoints/{endpoint_id}": ADMIN,
    "POST /webhooks/endpoints/{endpoint_id}/rotate-secret": ADMIN,
    "POST /webhooks/endpoints/{endpoint_id}/ping": ADMIN,
    "GET /webhooks/endpoints/{endpoint_id}/deliveries": ADMIN,
    "GET /webhooks/deliveries/{delivery_id}": ADMIN,
    "POST /webhooks/deliveries/{delivery_id}/replay": ADMIN,
    "GET /webhooks/history": ADMIN,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "webhooks": (ADMIN, {}),
    "webhook_create": (ADMIN, {}),
    "webhook_events": (READ, {}),
    "webhook_history": (ADMIN, {}),
    "webhook_endpoint": (ADMIN, {"pk": ENDPOINT}),
    "webhook_edit": (ADMIN, {"pk": ENDPOINT}),
    "webhook_delete": (ADMIN, {"pk": ENDPOINT}),
    "webhook_rotate": (ADMIN, {"pk": ENDPOINT}),
    "webhook_ping": (ADMIN, {"pk": ENDPOINT}),
    "webhook_delivery": (ADMIN, {"pk": DELIVERY}),
    "webhook_replay": (ADMIN, {"pk": DELIVERY}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {
    "webhooks/endpoints": ENDPOINT,
    "webhooks/deliveries": DELIVERY,
}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
