"""What the adoption pages and reports read, in a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet

from cairn.adoption.charts import heat_map, kpi_chart
from cairn.adoption.measurements import Assessment, KpiStatus, Point, assess_prefetched, target_path
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


def kpi_snapshot(kpi: Kpi, assessment: Assessment) -> dict[str, object]:
    """What a KPI's chart needs, from its prefetched milestones and readings, as JSON."""
    path = target_path(kpi, kpi.milestones.all())
    return {
        "kpi": kpi.pk, "name": kpi.name, "unit": kpi.unit, "status": assessment.status.value,
        "path": [[p.date.isoformat(), str(p.value)] for p in path],
        "readings": [[r.date.isoformat(), str(r.value)] for r in kpi.readings.all()],
    }


def _points(pairs: list[list[str]]) -> list[Point]:
    return [Point(dt.date.fromisoformat(day), Decimal(value)) for day, value in pairs]


def snapshot_charts(snapshot: list[dict[str, Any]]) -> list[dict[str, object]]:
    """The chart of each KPI in a snapshot: the same drawing as the measurements page."""
    charts = []
    for item in snapshot:
        assessment = Assessment(KpiStatus(item["status"]))
        charts.append({
            "name": item["name"], "assessment": assessment,
            "chart": kpi_chart(item["name"], item["unit"], _points(item["path"]), _points(item["readings"]),
                               assessment),
        })
    return charts


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
