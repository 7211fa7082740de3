"""Who may call the churn definition's routes (cairn.customers.churn): everyone reads it,
leaders set its grace period."""

from __future__ import annotations

from tests.permissions.rules import LEADER, READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /customers/churn-policy": READ,
    "PUT /customers/churn-policy": LEADER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    # Everyone reads the definition; leaders set the grace period.
    "churn_definition": (LEADER, {}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
