"""What the engagement page reads, in a fixed number of queries whatever the checklist size."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from cairn.engagements.models import ActivityStatus, Engagement
from cairn.engagements.tools import tools_for
from cairn.playbooks.models import Phase
from cairn.timeline.models import TaskStatus


def _state(phase: Phase, current: Phase) -> str:
    if phase.pk == current.pk:
        return "current"
    if phase.position < current.position and not phase.periodic:
        return "done"
    return "ahead"


def phase_progress(engagement: Engagement, phase: Phase) -> dict[str, Any]:
    """One phase's step in the stepper: how many of its activities are done or skipped."""
    counts = engagement.activities.filter(activity__phase=phase).aggregate(
        total=Count("id"), finished=Count("id", filter=~Q(status=ActivityStatus.OPEN))
    )
    return {"phase": phase, "state": _state(phase, engagement.current_phase), **counts}


def engagement_page(engagement: Engagement) -> dict[str, Any]:
    phases = list(engagement.playbook_version.phases.all())
    activities = list(
        engagement.activities.select_related("activity", "assignee").order_by(
            "activity__phase__position", "activity__position"
        )
    )
    outputs = list(
        engagement.outputs.select_related("output", "document").order_by(
            "output__phase__position", "output__position"
        )
    )
    current = engagement.current_phase
    open_evaluation = next((e for e in engagement.evaluations.all() if e.is_open), None)
    by_phase = []
    for phase in phases:
        items = [a for a in activities if a.activity.phase_id == phase.pk]
        finished = sum(1 for a in items if a.status != ActivityStatus.OPEN)
        by_phase.append(
            {
                "phase": phase,
                "activities": items,
                "outputs": [o for o in outputs if o.output.phase_id == phase.pk],
                "finished": finished,
                "total": len(items),
                "state": _state(phase, current),
                "tools": [
                    {"label": t.label, "description": t.description, "url": t.url(engagement.pk)}
                    for t in tools_for(phase.key)
                ],
            }
        )
    return {
        "phases": by_phase,
        "phase_count": len(phases),
        "team": list(engagement.team.all()),
        "outcomes": list(engagement.outcomes.all()),
        "moves": list(
            engagement.moves.select_related("from_phase", "to_phase", "moved_by")[:50]
        ),
        "open_evaluation": open_evaluation,
        "has_evaluation_phase": any(p.periodic for p in phases),
        "open_tasks": list(
            engagement.tasks.filter(status=TaskStatus.OPEN).select_related("assignee", "account")
        ),
    }
