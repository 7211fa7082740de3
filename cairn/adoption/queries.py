"""What the adoption pages and reports read, in a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, QuerySet

from cairn.adoption.charts import heat_map, kpi_chart
from cairn.adoption.measurements import Assessment, Point, assess_prefetched, target_path
from cairn.adoption.models import (
    AdoptionPlan,
    Challenge,
    Kpi,
    KpiMilestone,
    KpiReading,
    Risk,
    RiskStatus,
    WorkPackage,
)
from cairn.adoption.writing import GovernanceData
from cairn.engagements.models import Engagement


def plan_of(engagement: Engagement) -> AdoptionPlan | None:
    return (
        AdoptionPlan.objects.filter(engagement=engagement)
        .select_related(
            "outline__current_version", "detailed__current_version", "roadmap__current_version",
            "approved_by", "approval_recorded_by",
        )
        .first()
    )


def risks_by_score(engagement: Engagement) -> QuerySet[Risk]:
    """Highest score first: the register reads from what needs attention."""
    return engagement.risks.alias(risk_score=F("likelihood") * F("impact")).order_by(
        "-risk_score", "title", "pk"
    )


def risk_heat_map(engagement: Engagement) -> object:
    """The heat map of the risks still open or being mitigated, from one grouped query."""
    counts = (
        engagement.risks.exclude(status=RiskStatus.CLOSED)
        .values_list("likelihood", "impact")
        .annotate(n=Count("id"))
        .order_by()
    )
    return heat_map(counts)


def kpis_with_data(engagement: Engagement) -> QuerySet[Kpi]:
    return engagement.kpis.select_related("outcome").prefetch_related(
        Prefetch("milestones", queryset=KpiMilestone.objects.order_by("date")),
        Prefetch("readings", queryset=KpiReading.objects.order_by("date")),
    )


def kpi_card(kpi: Kpi) -> dict[str, object]:
    """A KPI with its status and chart, from its prefetched milestones and readings."""
    assessment = assess_prefetched(kpi)
    path = target_path(kpi, kpi.milestones.all())
    readings = [Point(r.date, r.value) for r in kpi.readings.all()]
    return {
        "kpi": kpi,
        "assessment": assessment,
        "chart": kpi_chart(kpi.name, kpi.unit, path, readings, assessment),
        "reading_count": len(readings),
    }


def assessed(engagement: Engagement) -> list[tuple[Kpi, Assessment]]:
    return [(kpi, assess_prefetched(kpi)) for kpi in kpis_with_data(engagement)]


def governance_data(
    engagement: Engagement, held_on: dt.date, attendees: str, decisions: str
) -> GovernanceData:
    return GovernanceData(
        account=engagement.account.name,
        initiative=engagement.initiative,
        held_on=held_on,
        attendees=attendees,
        decisions=decisions,
        kpis=assessed(engagement),
        work_packages=list(WorkPackage.objects.filter(engagement=engagement).order_by("due_date", "title")),
        risks=list(risks_by_score(engagement).exclude(status=RiskStatus.CLOSED)),
        challenges=list(Challenge.objects.filter(engagement=engagement).order_by("-raised_on", "-pk")[:30]),
    )
