"""Who may call cairn.jobs' pages: admins see the scheduled jobs, run one now and switch one
off or on; nobody else, not even a leader. (A row per job exists as soon as the database is
migrated, so the world has one.)"""

from __future__ import annotations

from tests.permissions.rules import ADMIN, Rule

API_RULES: dict[str, Rule] = {}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "jobs": (ADMIN, {}),
    "job_run": (ADMIN, {"pk": "jobs.Job"}),
    "job_switch": (ADMIN, {"pk": "jobs.Job"}),
}
PARAM_MODELS: dict[str, str] = {}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
