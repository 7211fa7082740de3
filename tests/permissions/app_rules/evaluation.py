"""Who may call cairn.evaluation's routes.

Rounds are their engagement's (OWNER). Lessons belong to the team: every writer adds one,
gathering from a challenge log is for who may change that engagement, and a lesson is changed
by its author and leaders; in the world no persona wrote one (the demo's CSMs did), so only
leaders pass (LEADER). Development plans are private: read and changed only by their owner
and leaders. Everyone starts and keeps their own (WRITER: not read-only users); the world's
plans, items and reviews are the demo CSMs', so for them only leaders pass (LEADER). Reads of
a plan answer 404 to anyone else: the pages and API GETs marked READ below find nothing for
them (proved per persona in cairn/evaluation/tests).
"""

from __future__ import annotations

from tests.permissions.rules import (  # noqa: F401
    ADMIN,
    LEADER,
    OPEN,
    OWNER,
    PUBLIC,
    READ,
    SELF,
    WRITER,
    Rule,
)

API_RULES: dict[str, Rule] = {
    "GET /evaluation/rounds": READ,
    "GET /evaluation/rounds/{round_id}": READ,
    "POST /evaluation/engagements/{engagement_id}/rounds": OWNER,
    "POST /evaluation/rounds/{round_id}/close": OWNER,
    "POST /evaluation/rounds/{round_id}/customer-values": OWNER,
    "PATCH /evaluation/customer-values/{value_id}": OWNER,
    "DELETE /evaluation/customer-values/{value_id}": OWNER,
    "POST /evaluation/rounds/{round_id}/company-values": OWNER,
    "GET /evaluation/lessons": READ,
    "GET /evaluation/lessons/{lesson_id}": READ,
    "POST /evaluation/lessons": WRITER,
    "PATCH /evaluation/lessons/{lesson_id}": LEADER,
    "DELETE /evaluation/lessons/{lesson_id}": LEADER,
    "POST /evaluation/engagements/{engagement_id}/lessons": OWNER,
    "GET /evaluation/tags": READ,
    "GET /evaluation/templates": READ,
    "POST /evaluation/documents/{document_id}/promote": OWNER,
    "GET /evaluation/plans": READ,
    "GET /evaluation/plans/mine": SELF,
    "PUT /evaluation/plans/mine": WRITER,
    "GET /evaluation/plans/{plan_id}": READ,
    "POST /evaluation/plans/{plan_id}/items": LEADER,
    "PATCH /evaluation/plan-items/{item_id}": LEADER,
    "DELETE /evaluation/plan-items/{item_id}": LEADER,
    "POST /evaluation/plans/{plan_id}/reviews": LEADER,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "evaluation_round": (READ, {"pk": "engagements.Evaluation"}),
    "customer_value_add": (OWNER, {"pk": "engagements.Evaluation"}),
    "customer_value_edit": (OWNER, {"pk": "evaluation.CustomerValue"}),
    "customer_value_delete": (OWNER, {"pk": "evaluation.CustomerValue"}),
    "company_value_set": (OWNER, {"pk": "engagements.Evaluation"}),
    "lessons": (READ, {}),
    "lesson_create": (WRITER, {}),
    "lesson": (READ, {"pk": "evaluation.Lesson"}),
    "lesson_edit": (LEADER, {"pk": "evaluation.Lesson"}),
    "lesson_delete": (LEADER, {"pk": "evaluation.Lesson"}),
    "lessons_gather": (OWNER, {"engagement_pk": "engagements.Engagement"}),
    "development_plan": (WRITER, {}),
    "development_plans": (READ, {}),
    "development_plan_detail": (READ, {"pk": "evaluation.DevelopmentPlan"}),
    "plan_item_add": (LEADER, {"pk": "evaluation.DevelopmentPlan"}),
    "plan_review_add": (LEADER, {"pk": "evaluation.DevelopmentPlan"}),
    "plan_item_edit": (LEADER, {"pk": "evaluation.PlanItem"}),
    "plan_item_delete": (LEADER, {"pk": "evaluation.PlanItem"}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {
    "evaluation/rounds": "engagements.Evaluation",
    "evaluation/customer-values": "evaluation.CustomerValue",
    "evaluation/lessons": "evaluation.Lesson",
    "evaluation/documents": "documents.Document?is_template=False",
    "evaluation/plans": "evaluation.DevelopmentPlan",
    "evaluation/plan-items": "evaluation.PlanItem",
}
FIELD_MODELS: dict[str, str] = {"reviewer": "people.User"}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
