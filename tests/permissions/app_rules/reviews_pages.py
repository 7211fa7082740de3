"""Who may call cairn.reviews' pages: everyone reads the programmes and the reviews; who may
change the account (its owner, its engagements' owners and teams, leaders) sets up its
programmes, prepares, edits, builds, records, cancels and deletes its reviews. The API's
rules are in reviews_api.py."""

from __future__ import annotations

from tests.permissions.rules import OWNER, READ, Rule

# A draft where the page changes one: editing, gathering again, building, recording and
# cancelling it reach the action. A follow-up goes on a held review, as it mostly does.
DRAFT = "reviews.Review?status=draft"

API_RULES: dict[str, Rule] = {}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "reviews": (READ, {}),
    "review_program_create": (OWNER, {}),
    "review_program": (READ, {"pk": "reviews.Program"}),
    "review_program_edit": (OWNER, {"pk": "reviews.Program"}),
    "review_program_delete": (OWNER, {"pk": "reviews.Program"}),
    "review_prepare": (OWNER, {"pk": "reviews.Program"}),
    "review": (READ, {"pk": "reviews.Review"}),
    "review_edit": (OWNER, {"pk": DRAFT}),
    "review_refresh": (OWNER, {"pk": DRAFT}),
    "review_export": (OWNER, {"pk": DRAFT}),
    "review_meeting": (OWNER, {"pk": DRAFT}),
    "review_follow_up": (OWNER, {"pk": "reviews.Review?status=held"}),
    "review_cancel": (OWNER, {"pk": DRAFT}),
    "review_delete": (OWNER, {"pk": "reviews.Review"}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
