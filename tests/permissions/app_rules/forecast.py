"""Who may call cairn.forecast's routes: everyone logged in reads the model card and the
forecasts; CS leaders and admins train a new version."""

from __future__ import annotations

from tests.permissions.rules import LEADER, READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /forecast/models": READ,
    "GET /forecast/models/{number}": READ,
    "GET /forecast/accounts/{account_id}": READ,
    "POST /forecast/models": LEADER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "forecast": (READ, {}),
    "forecast_train": (LEADER, {}),
}
# {number} is a version number (the harness calls it with 1): the world has no version, so
# that read answers 404.
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
