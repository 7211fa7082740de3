"""Who may call cairn.jobs' pages and API: admins see the scheduled jobs, run one now and switch one
off or on; nobody else, not even a leader. (A row per job exists as soon as the database is
migrated, so the world has one.)"""

from __future__ import annotations

from tests.permissions.rules import ADMIN, Rule

API_RULES: dict[str, Rule] = {
    "GET /jobs": ADMIN,
    "GET /jobs/{job_id}": ADMIN,
    "POST /jobs/{job_id}/run": ADMIN,
    "POST /jobs/{job_id}/switch": ADMIN,
}
PAGE_RULES: dict[str, tuple[Rule, dict[str, str]]] = {
    "jobs": (ADMIN, {}),
    "job_run": (ADMIN, {"pk": "jobs.Job"}),
    "job_switch": (ADMIN, {"pk": "jobs.Job"}),
}
PARAM_MODELS: dict[str, str] = {"job_id": "jobs.Job"}
SEGMENT_MODELS: dict[str, str] = {}
FIELD_MODELS: dict[str, str] = {}
PAGE_KWARGS: dict[str, str] = {}
BODY_FIELDS: dict[str, list[list[str]]] = {}
