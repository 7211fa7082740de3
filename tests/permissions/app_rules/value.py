"""Who may call cairn.value's routes: everyone reads the value plan; who may change the
engagement (its owner, its team, leaders) writes it and sends statements for confirmation."""

from __future__ import annotations

from tests.permissions.rules import (  # noqa: F401
    ADMIN,
    LEADER,
    OPEN,
    OWNER,
    PUBLIC,
    READ,
    SELF,
    WRITER,
    Rule,
)

API_RULES: dict[str, Rule] = {
    "GET /value/items": READ,
    "POST /value/items": OWNER,
    "GET /value/items/{item_id}": READ,
    "PATCH /value/items/{item_id}": OWNER,
    "DELETE /value/items/{item_id}": OWNER,
    "POST /value/items/{item_id}/send": OWNER,
    "GET /value/items/{item_id}/confirmation": READ,
    "GET /value/changes": READ,
    "POST /value/changes": OWNER,
    "GET /value/changes/{change_id}": READ,
    "PATCH /value/changes/{change_id}": OWNER,
    "DELETE /value/changes/{change_id}": OWNER,
    "GET /value/activities": READ,
    "POST /value/activities": OWNER,
    "GET /value/activities/{activity_id}": READ,
    "PATCH /value/activities/{activity_id}": OWNER,
    "DELETE /value/activities/{activity_id}": OWNER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "value_plan": (READ, {}),
    "value_item_new": (OWNER, {}),
    "value_item_edit": (OWNER, {"pk": "value.ValueItem"}),
    "value_item_delete": (OWNER, {"pk": "value.ValueItem"}),
    "value_item_send": (OWNER, {"pk": "value.ValueItem"}),
    "value_track": (READ, {}),
    "value_change_new": (OWNER, {}),
    "value_change_edit": (OWNER, {"pk": "value.ValueChange"}),
    "value_change_delete": (OWNER, {"pk": "value.ValueChange"}),
    "value_activity_new": (OWNER, {}),
    "value_activity_edit": (OWNER, {"pk": "value.ValueActivity"}),
    "value_activity_delete": (OWNER, {"pk": "value.ValueActivity"}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {
    "value/items": "value.ValueItem",
    "value/changes": "value.ValueChange",
    "value/activities": "value.ValueActivity",
}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
