"""What the onboarding pages read: the plan with its progress, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from cairn.onboarding.gantt import Gantt, gantt
from cairn.onboarding.models import Milestone, OnboardingPlan, PlanActivity, PlanPhase


def percent(done: int, total: int) -> int | None:
    return round(100 * done / total) if total else None


@dataclass
class PhaseProgress:
    phase: PlanPhase
    activities: list[PlanActivity] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for a in self.activities if a.is_done)

    @property
    def total(self) -> int:
        return len(self.activities)

    @property
    def percent(self) -> int | None:
        return percent(self.done, self.total)


@dataclass
class PlanView:
    plan: OnboardingPlan
    phases: list[PhaseProgress]
    milestones: list[Milestone]
    hours: dict[int, Decimal]
    total_hours: Decimal

    @property
    def activities(self) -> list[PlanActivity]:
        return [a for p in self.phases for a in p.activities]

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def percent(self) -> int | None:
        return percent(self.done, self.total)

    def chart(self, today: dt.date) -> Gantt:
        return gantt(
            self.plan.start_date, self.plan.deadline,
            [(p.phase, p.activities) for p in self.phases], self.milestones, today=today,
        )


def plan_view(plan: OnboardingPlan) -> PlanView:
    """Phases with their activities, milestones and hours booked per activity: four queries."""
    phases = [PhaseProgress(p) for p in plan.phases.all()]
    by_pk = {p.phase.pk: p for p in phases}
    activities = PlanActivity.objects.filter(phase__plan=plan).select_related(
        "responsible_user", "responsible_contact"
    )
    for activity in activities:
        by_pk[activity.phase_id].activities.append(activity)
    milestones = list(plan.milestones.select_related("phase", "report"))
    hours = {
        row["plan_activity"]: row["hours"]
        for row in plan.engagement.time_entries.filter(plan_activity__phase__plan=plan)
        .values("plan_activity").annotate(hours=Sum("hours"))
    }
    for progress in phases:
        for activity in progress.activities:
            activity.booked_hours = hours.get(activity.pk)  # type: ignore[attr-defined]
    return PlanView(plan, phases, milestones, hours, sum(hours.values(), Decimal(0)))
