"""Who may call cairn.retention's routes: everyone logged in reads the figures."""

from __future__ import annotations

from tests.permissions.rules import READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /retention/": READ,
    "GET /retention/breakdown": READ,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    # Everyone reads the book's retention figures and their CSV.
    "retention": (READ, {}),
    "retention_csv": (READ, {}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
