"""Who may call cairn.reviews' API: everyone reads the programmes and the reviews; who may change
the account (its owner, its engagements' owners and teams, leaders) keeps its programmes,
prepares, edits, records and cancels its reviews. The pages' rules are in reviews_pages.py."""

from __future__ import annotations

from tests.permissions.rules import OWNER, READ, Rule

API_RULES: dict[str, Rule] = {
    "GET /reviews/programs": READ,
    "POST /reviews/programs": OWNER,
    "GET /reviews/programs/{program_id}": READ,
    "PATCH /reviews/programs/{program_id}": OWNER,
    "DELETE /reviews/programs/{program_id}": OWNER,
    "POST /reviews/programs/{program_id}/reviews": OWNER,
    "GET /reviews/reviews": READ,
    "GET /reviews/reviews/{review_id}": READ,
    "PATCH /reviews/reviews/{review_id}": OWNER,
    "DELETE /reviews/reviews/{review_id}": OWNER,
    "POST /reviews/reviews/{review_id}/meeting": OWNER,
    "POST /reviews/reviews/{review_id}/follow-ups": OWNER,
    "POST /reviews/reviews/{review_id}/cancel": OWNER,
    "POST /reviews/reviews/{review_id}/export": OWNER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {
    "reviews/programs": "reviews.Program",
    # A draft, so that editing, recording and cancelling it reach the action.
    "reviews/reviews": "reviews.Review?status=draft",
}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
