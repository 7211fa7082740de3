"""The onboarding plan as a Gantt chart: geometry worked out here, SVG drawn by a template.

One row per phase (its span, darker) followed by one row per activity, bars coloured by
status; milestones are diamonds on their own row, with a dashed line down the chart; month
ticks along the top and a red line for today when it falls inside the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from cairn.onboarding.models import ActivityStatus, Milestone, PlanActivity, PlanPhase

WIDTH = 960
LABEL_WIDTH = 250
ROW = 24
TOP = 34  # room for the month labels
RIGHT_PAD = 12

COLOURS = {
    "phase": "#2f6b55",
    ActivityStatus.PLANNED: "#9fb3aa",
    ActivityStatus.IN_PROGRESS: "#2358a8",
    ActivityStatus.BLOCKED: "#b3261e",
    ActivityStatus.DONE: "#1e7a46",
}


@dataclass(frozen=True, slots=True)
class Row:
    kind: str  # "phase" or "activity"
    label: str
    y: float
    x: float
    width: float
    colour: str
    title: str
    status: str = ""

    @property
    def short_label(self) -> str:
        limit = 34 if self.kind == "phase" else 38
        return self.label if len(self.label) <= limit else self.label[: limit - 1] + "…"

    @property
    def text_y(self) -> float:
        return self.y + ROW / 2 + 4

    @property
    def bar_y(self) -> float:
        return self.y + (8 if self.kind == "phase" else 5)

    @property
    def bar_height(self) -> int:
        return 8 if self.kind == "phase" else 14

    @property
    def label_x(self) -> int:
        return 8 if self.kind == "phase" else 20


@dataclass(frozen=True, slots=True)
class Diamond:
    label: str
    x: float
    points: str
    done: bool

    @property
    def text_x(self) -> float:
        return self.x + 10

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= 24 else self.label[:23] + "…"


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str

    @property
    def text_x(self) -> float:
        return self.x + 3


@dataclass
class Gantt:
    width: int
    height: int
    label_width: int
    chart_top: int
    rows: list[Row] = field(default_factory=list)
    milestones: list[Diamond] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    today_x: float | None = None
    milestone_y: float = 0.0
    milestone_text_y: float = 0.0
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.milestones


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    day = first.replace(day=1)
    if day < first:
        day = (day + dt.timedelta(days=32)).replace(day=1)
    months = []
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def gantt(
    start: dt.date,
    end: dt.date,
    phases: Sequence[tuple[PlanPhase, Sequence[PlanActivity]]],
    milestones: Sequence[Milestone],
    *,
    today: dt.date,
) -> Gantt:
    """Lay out the plan between `start` and `end` (the plan's dates, inclusive)."""
    left, right = float(LABEL_WIDTH), float(WIDTH - RIGHT_PAD)
    span = max(1, (end - start).days + 1)

    def x(day: dt.date) -> float:
        return round(left + (right - left) * (day - start).days / span, 1)

    def bar(first: dt.date, last: dt.date) -> tuple[float, float]:
        x0 = x(max(first, start))
        x1 = x(min(last, end) + dt.timedelta(days=1))
        return x0, max(2.0, round(x1 - x0, 1))

    chart = Gantt(WIDTH, 0, LABEL_WIDTH, TOP)
    y = float(TOP)
    if milestones:
        chart.milestone_y = y + ROW / 2
        chart.milestone_text_y = chart.milestone_y + 4
        for m in milestones:
            mx, my = x(m.due_date) + 0.0, chart.milestone_y
            points = f"{mx},{my - 7} {mx + 7},{my} {mx},{my + 7} {mx - 7},{my}"
            chart.milestones.append(Diamond(m.name, mx, points, m.is_done))
        y += ROW
    for phase, activities in phases:
        x0, w = bar(phase.start_date, phase.end_date)
        chart.rows.append(Row(
            "phase", phase.name, y, x0, w, COLOURS["phase"],
            f"{phase.name}: {phase.start_date:%d %b} to {phase.end_date:%d %b %Y}",
        ))
        y += ROW
        for activity in activities:
            x0, w = bar(activity.start_date, activity.end_date)
            chart.rows.append(Row(
                "activity", activity.name, y, x0, w, COLOURS[activity.status],
                f"{activity.name} ({activity.get_status_display().lower()}): "
                f"{activity.start_date:%d %b} to {activity.end_date:%d %b %Y}",
                activity.status,
            ))
            y += ROW
    chart.height = int(y + 8)
    chart.ticks = [Tick(x(month), f"{month:%b %Y}" if month.month == 1 or not i else f"{month:%b}")
                   for i, month in enumerate(_months(start, end))]
    if start <= today <= end:
        chart.today_x = x(today)
    chart.legend = [
        (COLOURS[s], label) for s, label in ActivityStatus.choices
    ]
    return chart
