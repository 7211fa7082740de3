"""The worker evaluates the rules on its own: every few minutes for what people and
integrations do (tickets, answers, links, tasks), and after every recompute of today's
scores for what health shows (see apps.py)."""

from __future__ import annotations

from typing import Any

from cairn.jobs.registry import JobSpec, register
from cairn.jobs.schedules import Every

EVERY_MINUTES = 10


def evaluate_rules() -> dict[str, Any]:
    from cairn.automation.engine import evaluate_all

    return evaluate_all()


def register_all() -> None:
    register(JobSpec(
        name="rules",
        label="Automation rules",
        description="Evaluates every rule that is switched on against what happened since its last "
        "run, and acts on each new situation once. Rules on health also run after each recompute.",
        run=evaluate_rules,
        schedule=Every(EVERY_MINUTES),
    ))
