"""Customer-facing texts written from the plan: milestone reports and the sign-off summary.

They are Markdown, stored as document versions in the central repository, so what the
customer read is kept exactly, and rendered to PDF from there.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from cairn.onboarding.models import Milestone, OnboardingPlan, PlanActivity
from cairn.onboarding.queries import PlanView, plan_view


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def _who(activity: PlanActivity) -> str:
    person = activity.responsible
    return f", {person}" if person else ""


def _activity_lines(view: PlanView, *, done: bool) -> list[str]:
    lines = []
    for progress in view.phases:
        for a in progress.activities:
            if a.is_done != done:
                continue
            if done:
                when = f"done {a.completed_on:%d %b %Y}" if a.completed_on else "done"
            else:
                when = f"{a.get_status_display().lower()}, due {a.end_date:%d %b %Y}"
            lines.append(f"- {a.name} ({progress.phase.name}{_who(a)}; {when})")
    return lines


def _milestone_lines(view: PlanView) -> list[str]:
    return [
        f"- {'✓' if m.is_done else '○'} {m.name}: "
        + (f"reached {m.done_on:%d %b %Y}" if m.done_on else f"due {m.due_date:%d %b %Y}")
        for m in view.milestones
    ]


def _head(plan: OnboardingPlan, view: PlanView) -> list[str]:
    engagement = plan.engagement
    share = f" ({view.percent} %)" if view.percent is not None else ""
    return [
        f"**{engagement.account}** · {engagement.initiative}",
        "",
        f"Onboarding from {plan.start_date:%d %b %Y} to {plan.deadline:%d %b %Y}. "
        f"{view.done} of {view.total} activities done{share}.",
        "",
    ]


def milestone_markdown(milestone: Milestone, *, next_steps: str = "", include_hours: bool = False) -> str:
    plan = milestone.plan
    view = plan_view(plan)
    state = (
        f"reached on {milestone.done_on:%d %b %Y}" if milestone.done_on
        else f"due on {milestone.due_date:%d %b %Y}, not reached yet"
    )
    lines = [f"# Milestone report: {milestone.name}", "", *_head(plan, view)]
    lines += [f"The milestone was {state}. Report of {timezone.localdate():%d %b %Y}.", ""]
    lines += ["## Progress by phase", ""]
    for p in view.phases:
        share = f"{p.percent} %" if p.percent is not None else "no activities"
        lines.append(f"- {p.phase.name} ({p.phase.start_date:%d %b} to {p.phase.end_date:%d %b}): "
                     f"{p.done} of {p.total} done, {share}")
    lines += ["", "## Done", "", *(_activity_lines(view, done=True) or ["- Nothing yet."]), ""]
    lines += ["## Still open", "", *(_activity_lines(view, done=False) or ["- Nothing: all done."]), ""]
    lines += ["## Milestones", "", *_milestone_lines(view), ""]
    if include_hours:
        total = plan.engagement.time_entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)
        lines += ["## Time spent", "", f"Our team has spent {_hours(total)} hours on this engagement.", ""]
    lines += ["## Next steps", ""]
    if next_steps.strip():
        lines.append(next_steps.strip())
    else:
        upcoming = sorted((a for a in view.activities if not a.is_done), key=lambda a: a.start_date)[:5]
        lines += [f"- {a.name}, from {a.start_date:%d %b %Y}{_who(a)}" for a in upcoming] or [
            "- Onboarding is complete; we move on to adoption planning together."
        ]
    return "\n".join(lines) + "\n"


def signoff_markdown(plan: OnboardingPlan) -> str:
    """What the customer stakeholder reads and signs off: the onboarding, done, in one page."""
    view = plan_view(plan)
    lines = [f"# Onboarding sign-off: {plan.engagement.initiative}", "", *_head(plan, view)]
    lines += ["## Agreed scope", "", plan.scope.strip() or "—", ""]
    lines += ["## Phases, outputs and outcomes", ""]
    for p in view.phases:
        lines.append(f"### {p.phase.name}")
        lines.append("")
        lines.append(f"{p.done} of {p.total} activities done.")
        if p.phase.outputs.strip():
            lines += ["", f"Outputs: {p.phase.outputs.strip()}"]
        if p.phase.outcomes.strip():
            lines += ["", f"Outcomes: {p.phase.outcomes.strip()}"]
        lines.append("")
    lines += ["## Milestones", "", *(_milestone_lines(view) or ["- None planned."]), ""]
    open_lines = _activity_lines(view, done=False)
    if open_lines:
        lines += ["## Not done at sign-off", "", *open_lines, ""]
    lines += [
        "## Sign-off",
        "",
        "By accepting, you confirm that the onboarding described above is complete and that "
        "we can move on to planning adoption together.",
    ]
    return "\n".join(lines) + "\n"
