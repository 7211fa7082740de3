"""Who may call cairn.expansion's routes: everyone reads; who may change the account works its
opportunities and its contacts' advocacy asks; leaders set the hand-off policy."""

from __future__ import annotations

from tests.permissions.rules import LEADER, OWNER, READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /expansion/opportunities": READ,
    "GET /expansion/opportunities/totals": READ,
    "POST /expansion/opportunities": OWNER,
    "GET /expansion/opportunities/{opportunity_id}": READ,
    "PATCH /expansion/opportunities/{opportunity_id}": OWNER,
    "DELETE /expansion/opportunities/{opportunity_id}": OWNER,
    "POST /expansion/opportunities/{opportunity_id}/hand-off": OWNER,
    "POST /expansion/opportunities/{opportunity_id}/close": OWNER,
    "GET /expansion/opportunities/{opportunity_id}/history": READ,
    "GET /expansion/asks": READ,
    "POST /expansion/asks": OWNER,
    "GET /expansion/asks/{ask_id}": READ,
    "PATCH /expansion/asks/{ask_id}": OWNER,
    "DELETE /expansion/asks/{ask_id}": OWNER,
    "GET /expansion/candidates": READ,
    "GET /expansion/policy": READ,
    "PUT /expansion/policy": LEADER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "opportunities": (READ, {}),
    "opportunities_csv": (READ, {}),
    "opportunity": (READ, {"pk": "expansion.Opportunity"}),
    "opportunity_create": (OWNER, {}),
    "opportunity_edit": (OWNER, {"pk": "expansion.Opportunity?stage=identified"}),
    "opportunity_handoff": (OWNER, {"pk": "expansion.Opportunity?stage=identified"}),
    "opportunity_close": (OWNER, {"pk": "expansion.Opportunity?stage=identified"}),
    "opportunity_delete": (OWNER, {"pk": "expansion.Opportunity"}),
    # Everyone reads the policy; leaders set it.
    "handoff_policy": (LEADER, {}),
    "advocacy": (READ, {}),
    "ask_create": (OWNER, {}),
    "ask_edit": (OWNER, {"pk": "expansion.AdvocacyAsk"}),
    "ask_delete": (OWNER, {"pk": "expansion.AdvocacyAsk"}),
}
PARAM_MODELS: dict[str, str] = {
    "opportunity_id": "expansion.Opportunity?stage=identified",
    "ask_id": "expansion.AdvocacyAsk",
}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
