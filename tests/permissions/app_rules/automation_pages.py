"""Who may call cairn.automation's pages: everyone reads the rules, their preview and log, and
the plays; CS leaders and admins build, edit, switch and delete rules and keep the plays; who
may change an account (its owner, its engagements' owners and teams, leaders) flags it and
clears its flags. The API's rules are in automation_api.py."""

from __future__ import annotations

from tests.permissions.rules import LEADER, OWNER, READ, Rule

RULE = "automation.Rule"
PLAY = "automation.Play"

API_RULES: dict[str, Rule] = {}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "automation": (READ, {}),
    "automation_rule_new": (LEADER, {}),
    "automation_rule": (READ, {"pk": RULE}),
    "automation_rule_edit": (LEADER, {"pk": RULE}),
    "automation_rule_preview": (READ, {"pk": RULE}),
    "automation_rule_switch": (LEADER, {"pk": RULE}),
    "automation_rule_delete": (LEADER, {"pk": RULE}),
    "automation_log": (READ, {}),
    "automation_plays": (READ, {}),
    "automation_play_new": (LEADER, {}),
    # Everyone reads a play on its page; leaders edit it there.
    "automation_play_edit": (LEADER, {"pk": PLAY}),
    "automation_play_delete": (LEADER, {"pk": PLAY}),
    "account_flag_new": (OWNER, {"pk": "customers.Account"}),
    "account_flag_clear": (OWNER, {"pk": "automation.AccountFlag"}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
