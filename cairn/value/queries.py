"""Reading the value plan: what each item achieved (from its KPIs' readings), promised
against expected against achieved, value along the strategy chain, and what "my work"
shows. Each read is a fixed number of queries, whatever the number of rows.

Achieved value is judged as cairn.adoption judges a KPI (cairn.adoption.measurements): the
latest reading against the value the target path expects on its date, on track, at risk or
off track; progress is how far the latest reading has come from the baseline to the target.
An item is as far as the mean of its KPIs that have a reading, and stands as its worst KPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cairn.adoption.measurements import Assessment, KpiStatus, assess_prefetched
from cairn.adoption.models import Kpi
from cairn.engagements.models import Engagement
from cairn.preparation.queries import strategy_chain
from cairn.value.models import (
    ActivityStatus,
    ChangeStatus,
    Commitment,
    ValueActivity,
    ValueChange,
    ValueItem,
)

# Worst first: an item stands as its worst KPI.
SEVERITY = [KpiStatus.OFF_TRACK, KpiStatus.AT_RISK, KpiStatus.ON_TRACK, KpiStatus.NOT_STARTED]
CSS = {KpiStatus.ON_TRACK: "green", KpiStatus.AT_RISK: "amber", KpiStatus.OFF_TRACK: "red"}


def kpis_with_data() -> QuerySet[Kpi]:
    return Kpi.objects.prefetch_related("milestones", "readings")


def items() -> QuerySet[ValueItem]:
    """Value items with everything their rows show, in a fixed number of queries."""
    return ValueItem.objects.select_related(
        "engagement__account", "outcome", "element", "measured_by_contact", "measured_by_user",
        "perceived_contact",
    ).prefetch_related(Prefetch("kpis", queryset=kpis_with_data().order_by("name", "pk")))


def items_of(engagement: Engagement) -> QuerySet[ValueItem]:
    return items().filter(engagement=engagement)


def progress(kpi: Kpi, assessment: Assessment) -> int | None:
    """How far the latest reading has come from the baseline to the target, 0 to 100."""
    if assessment.latest is None or kpi.target_value == kpi.baseline_value:
        return None
    share = (assessment.latest.value - kpi.baseline_value) / (kpi.target_value - kpi.baseline_value)
    return max(0, min(100, round(share * 100)))


@dataclass
class KpiAchieved:
    kpi: Kpi
    assessment: Assessment
    progress: int | None

    @property
    def status(self) -> KpiStatus:
        return self.assessment.status

    @property
    def css(self) -> str:
        return CSS.get(self.status, "")

    @property
    def reached(self) -> bool:
        """The latest reading is at the target or beyond (not merely rounded up to it)."""
        latest = self.assessment.latest
        if latest is None or self.kpi.target_value == self.kpi.baseline_value:
            return False
        share = (latest.value - self.kpi.baseline_value) / (self.kpi.target_value - self.kpi.baseline_value)
        return share >= 1


@dataclass
class Achieved:
    """What an item achieved: its KPIs' states, its mean progress and its worst state."""

    kpis: list[KpiAchieved]
    progress: int | None
    status: KpiStatus

    @property
    def css(self) -> str:
        return CSS.get(self.status, "")

    @property
    def label(self) -> str:
        if not self.kpis:
            return "No KPI yet"
        return str(self.status.label)

    @property
    def reached(self) -> bool:
        return bool(self.kpis) and all(k.reached for k in self.kpis)


def kpi_achieved(kpi: Kpi) -> KpiAchieved:
    assessment = assess_prefetched(kpi)
    return KpiAchieved(kpi, assessment, progress(kpi, assessment))


def achieved(item: ValueItem) -> Achieved:
    """From the item's prefetched KPIs (see items())."""
    kpis = [kpi_achieved(k) for k in item.kpis.all()]
    measured = [k.progress for k in kpis if k.progress is not None]
    mean = round(sum(measured) / len(measured)) if measured else None
    statuses = {k.status for k in kpis}
    status = next((s for s in SEVERITY if s in statuses), KpiStatus.NOT_STARTED)
    return Achieved(kpis, mean, status)


def with_achieved(rows: list[ValueItem]) -> list[ValueItem]:
    for item in rows:
        item.achieved = achieved(item)  # type: ignore[attr-defined]
    return rows


@dataclass
class Column:
    """Promised, expected, or both: the figures of one column of the comparison."""

    label: str
    items: int = 0
    measured: int = 0  # items with at least one reading
    reached: int = 0  # items whose every KPI reached its target
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    confirmed: int = 0
    disputed: int = 0
    progress_total: int = 0

    @property
    def progress(self) -> int | None:
        return round(self.progress_total / self.measured) if self.measured else None

    def add(self, item: ValueItem) -> None:
        done: Achieved = item.achieved  # type: ignore[attr-defined]
        self.items += 1
        if done.progress is not None:
            self.measured += 1
            self.progress_total += done.progress
        self.reached += done.reached
        self.on_track += done.status == KpiStatus.ON_TRACK
        self.at_risk += done.status == KpiStatus.AT_RISK
        self.off_track += done.status == KpiStatus.OFF_TRACK
        self.confirmed += item.perception == "confirmed"
        self.disputed += item.perception == "disputed"


def comparison(rows: list[ValueItem]) -> list[Column]:
    """Promised against expected against achieved: items, how far they came, how they stand."""
    columns = {Commitment.PROMISED: Column("Promised"), Commitment.EXPECTED: Column("Expected")}
    total = Column("All value")
    for item in rows:
        columns[Commitment(item.commitment)].add(item)
        total.add(item)
    return [*columns.values(), total]


@dataclass
class Link:
    """One link of a chain: a product or a strategy element, with the value items there."""

    kind: str
    title: str
    items: list[ValueItem] = field(default_factory=list)


def chain(engagement: Engagement, rows: list[ValueItem]) -> dict[str, Any]:
    """Value along the chain from our product to the customer's vision: each solution link's
    path (product → tactic → strategy → objective → goal → vision) with the items that serve
    each of its elements; items on elements no solution link reaches, with their own path up;
    and the items tied to no element."""
    strategy = strategy_chain(engagement)
    by_element: dict[int, list[ValueItem]] = {}
    for item in rows:
        if item.element_id:
            by_element.setdefault(item.element_id, []).append(item)
    placed: set[int] = set()
    paths = []
    for entry in strategy.paths:
        product = entry["product"]
        links = [Link("Product", product.name if product else "Our solution")]
        for element in entry["path"]:
            links.append(Link(element.get_kind_display(), element.title, by_element.get(element.pk, [])))
            placed.add(element.pk)
        paths.append({"note": entry["link"].note, "links": links})
    known = {e.pk: e for e in strategy.elements}
    loose = []
    for element_id in by_element:
        if element_id in placed or element_id not in known:
            continue
        path = strategy.path_up(known[element_id])
        links = [Link(e.get_kind_display(), e.title, by_element.get(e.pk, []) if e.pk == element_id else [])
                 for e in path]
        loose.append({"links": links})
    unplaced = [item for item in rows if not item.element_id]
    return {"paths": paths, "loose": loose, "unplaced": unplaced}


def changes_of(engagement: Engagement) -> QuerySet[ValueChange]:
    return ValueChange.objects.filter(engagement=engagement).select_related("owner")


def activities_of(engagement: Engagement) -> QuerySet[ValueActivity]:
    return ValueActivity.objects.filter(engagement=engagement).select_related("owner")


# --- The engagement page's panel and "my work" -----------------------------------------------


def panel(engagement: Engagement) -> dict[str, Any]:
    """The engagement page's value card: how promised and expected value stand, and how
    many changes and activities are open."""
    rows = with_achieved(list(items_of(engagement)))
    today = timezone.localdate()
    return {
        "columns": comparison(rows)[:2],
        "has_items": bool(rows),
        "open_changes": ValueChange.objects.filter(engagement=engagement)
        .exclude(status=ChangeStatus.RESOLVED).count(),
        "overdue_activities": ValueActivity.objects.filter(
            engagement=engagement, status=ActivityStatus.PLANNED, due_date__lt=today
        ).count(),
    }


def my_work(request: Any, user: Any) -> dict[str, Any]:
    """For "my work": the off-track KPIs behind value items of the engagements the user owns,
    the value activities and the responses to changes past their due date that are theirs
    (or nobody's, in an engagement they own). Four queries, whatever the rows."""
    today = timezone.localdate()
    open_engagements = Q(engagement__owner=user.pk) & ~Q(engagement__status="closed")
    kpis = (
        kpis_with_data()
        .filter(Q(value_items__engagement__owner=user.pk) & ~Q(value_items__engagement__status="closed"))
        .select_related("engagement__account")
        .distinct()
        .order_by("engagement__account__name", "name", "pk")
    )
    off_track = [k for k in kpis if assess_prefetched(k).status == KpiStatus.OFF_TRACK]
    mine = Q(owner=user.pk) | (Q(owner__isnull=True) & open_engagements)
    activities = (
        ValueActivity.objects.filter(mine, status=ActivityStatus.PLANNED, due_date__lt=today)
        .exclude(engagement__status="closed")
        .select_related("engagement__account").order_by("due_date", "pk")
    )
    changes = (
        ValueChange.objects.filter(mine, due_date__lt=today)
        .exclude(status=ChangeStatus.RESOLVED).exclude(engagement__status="closed")
        .select_related("engagement__account").order_by("due_date", "pk")
    )
    return {
        "value_kpis_off_track": off_track,
        "value_activities_overdue": list(activities),
        "value_changes_overdue": list(changes),
    }
