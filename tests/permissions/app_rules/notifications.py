"""Who may call cairn.notifications' pages and API.

Everyone logged in reads, opens and marks read their own notifications and sets their own
choices per kind (read-only users too: it changes nothing but their own inbox); another's
notification is not found. Everyone reads the e-mail templates and their history; CS leaders
and admins change them. The unsubscribe link of an e-mail works for anyone who holds it,
logged in or not: its signed token is the permission (the world's token is not one, so every
caller gets the page that says the link does not work).
"""

from __future__ import annotations

from tests.permissions.rules import LEADER, PUBLIC, READ, SELF, Rule

TEMPLATE = "notifications.EmailTemplate"

API_RULES: dict[str, Rule] = {
    "GET /notifications/": SELF,
    "POST /notifications/read": SELF,
    "POST /notifications/read-all": SELF,
    "GET /notifications/preferences": SELF,
    "PUT /notifications/preferences": SELF,
    "GET /notifications/templates": READ,
    "GET /notifications/templates/{template_id}": READ,
    "PATCH /notifications/templates/{template_id}": LEADER,
    "GET /notifications/templates/{template_id}/history": READ,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "notifications": (READ, {}),
    "notification_count": (READ, {}),
    "notification_open": (READ, {"pk": "notifications.Notification"}),
    "notifications_read": (SELF, {}),
    "notifications_read_all": (SELF, {}),
    "notification_preferences": (SELF, {}),
    "notification_unsubscribe": (PUBLIC, {"token": "token"}),
    "notification_templates": (READ, {}),
    "notification_template": (READ, {"pk": TEMPLATE}),
    "notification_template_edit": (LEADER, {"pk": TEMPLATE}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {"notifications/templates": TEMPLATE}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
