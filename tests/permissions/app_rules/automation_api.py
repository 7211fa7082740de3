"""Who may call cairn.automation's API: everyone reads rules, their preview, firings and history,
plays and flags; CS leaders and admins build, change, switch and delete rules and keep the
plays; who may change an account flags it and clears its flags. The pages' rules are in
automation_pages.py."""

from __future__ import annotations

from tests.permissions.rules import LEADER, OWNER, READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /automation/rules": READ,
    "POST /automation/rules": LEADER,
    "GET /automation/rules/{rule_id}": READ,
    "PATCH /automation/rules/{rule_id}": LEADER,
    "DELETE /automation/rules/{rule_id}": LEADER,
    "GET /automation/rules/{rule_id}/preview": READ,
    "POST /automation/rules/{rule_id}/switch": LEADER,
    "GET /automation/rules/{rule_id}/firings": READ,
    "GET /automation/rules/{rule_id}/history": READ,
    "GET /automation/plays": READ,
    "POST /automation/plays": LEADER,
    "GET /automation/plays/{play_id}": READ,
    "PATCH /automation/plays/{play_id}": LEADER,
    "DELETE /automation/plays/{play_id}": LEADER,
    "GET /automation/flags": READ,
    "POST /automation/flags": OWNER,
    "POST /automation/flags/{flag_id}/clear": OWNER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {
    "automation/rules": "automation.Rule",
    "automation/plays": "automation.Play",
    "automation/flags": "automation.AccountFlag",
}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
