"""Who may call the pages that learn from the data (cairn.health.trust.learn_views): everyone
reads a metric's distribution and the learn page; leaders learn a scorecard and create it."""

from __future__ import annotations

from tests.permissions.rules import LEADER, READ, Rule

API_RULES: dict[str, Rule] = {}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    # A metric's slug: the world's lookup by text finds none (404), which a read may answer.
    "trust_metric": (READ, {"slug": "text"}),
    # Everyone reads the page; a POST learns a scorecard for review.
    "trust_learn": (LEADER, {}),
    "trust_learn_create": (LEADER, {}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
