"""The stakeholder management matrix as geometry for an SVG template.

Interest runs left to right and power bottom to top, each scored 1 to 10. The quadrant lines
(between 5 and 6) are the middle of each axis; vertically, each half keeps a band under its
quadrants' titles free of dots.
Stakeholders with the same scores are spread on a small circle so every dot stays visible.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from cairn.commitment.models import (
    HIGH_FROM,
    QUADRANT_STRATEGIES,
    SCALE_MAX,
    Attitude,
    Quadrant,
    Stakeholder,
)

WIDTH = 640
HEIGHT = 520
LEFT = 44
TOP = 12
RIGHT = WIDTH - 12
BOTTOM = HEIGHT - 78
SPREAD = 11
BAND = 44  # room for a quadrant's title and strategy above its dots

# Dark enough for white text beside them and distinct for the common colour blindnesses.
ATTITUDE_COLOURS: dict[str, str] = {
    Attitude.CHAMPION: "#1e7a46",
    Attitude.SUPPORTER: "#5aa469",
    Attitude.NEUTRAL: "#7b8682",
    Attitude.SCEPTIC: "#c98a00",
    Attitude.OPPONENT: "#b3261e",
}


@dataclass(frozen=True)
class Dot:
    stakeholder_id: int
    x: int
    y: int
    label: str
    title: str
    colour: str
    category: bool
    anchor: str


@dataclass(frozen=True)
class Region:
    x: int
    y: int
    width: int
    height: int
    label: str
    strategy: list[str]
    fill: str


@dataclass(frozen=True)
class LegendItem:
    x: int
    label: str
    colour: str


@dataclass(frozen=True)
class Matrix:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    mid_x: int
    mid_y: int
    regions: list[Region]
    dots: list[Dot]
    legend: list[LegendItem]
    legend_y: int


def _x(interest: float) -> int:
    return round(LEFT + (interest - 0.5) / SCALE_MAX * (RIGHT - LEFT))


def _y(power: float) -> int:
    """Each half keeps a band under its quadrant's title free of dots."""
    half = (BOTTOM - TOP) / 2
    room = half - BAND
    if power >= HIGH_FROM:
        return round(TOP + half - (power - HIGH_FROM + 0.5) / (SCALE_MAX - HIGH_FROM + 1) * room)
    return round(BOTTOM - (power - 0.5) / (HIGH_FROM - 1) * room)


def _wrap(text: str) -> list[str]:
    """A strategy on at most two lines that fit a quadrant's width."""
    return textwrap.wrap(text, width=52, max_lines=2, placeholder="…")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def matrix(stakeholders: list[Stakeholder]) -> Matrix:
    mid_x, mid_y = _x(HIGH_FROM - 0.5), round(TOP + (BOTTOM - TOP) / 2)
    half_w, half_h = mid_x - LEFT, BOTTOM - mid_y
    regions = [
        Region(LEFT, TOP, half_w, mid_y - TOP, Quadrant.KEEP_SATISFIED.label,
               _wrap(QUADRANT_STRATEGIES[Quadrant.KEEP_SATISFIED]), "#fff4d6"),
        Region(mid_x, TOP, RIGHT - mid_x, mid_y - TOP, Quadrant.MANAGE_CLOSELY.label,
               _wrap(QUADRANT_STRATEGIES[Quadrant.MANAGE_CLOSELY]), "#e3efe9"),
        Region(LEFT, mid_y, half_w, half_h, Quadrant.MONITOR.label,
               _wrap(QUADRANT_STRATEGIES[Quadrant.MONITOR]), "#f1f3f2"),
        Region(mid_x, mid_y, RIGHT - mid_x, half_h, Quadrant.KEEP_INFORMED.label,
               _wrap(QUADRANT_STRATEGIES[Quadrant.KEEP_INFORMED]), "#e6eefb"),
    ]
    groups: dict[tuple[int, int], list[Stakeholder]] = {}
    for s in stakeholders:
        groups.setdefault((s.power, s.interest), []).append(s)
    dots = []
    for (power, interest), members in groups.items():
        cx, cy = _x(interest), _y(power)
        for index, s in enumerate(members):
            if len(members) == 1:
                x, y = cx, cy
            else:
                angle = 2 * math.pi * index / len(members) - math.pi / 2
                x, y = round(cx + SPREAD * math.cos(angle)), round(cy + SPREAD * math.sin(angle))
            # Labels point inwards near the right edge so they stay inside the drawing.
            anchor = "end" if interest >= 8 else "start"
            dots.append(
                Dot(
                    stakeholder_id=s.pk, x=x, y=y, label=_short(s.name),
                    title=f"{s.name}: power {s.power}, interest {s.interest}, "
                    f"{s.get_attitude_display().lower()} ({s.quadrant.label.lower()})",
                    colour=ATTITUDE_COLOURS[s.attitude], category=s.is_category, anchor=anchor,
                )
            )
    step = (RIGHT - LEFT) / len(Attitude.choices)
    legend = [
        LegendItem(x=round(LEFT + i * step), label=label, colour=ATTITUDE_COLOURS[value])
        for i, (value, label) in enumerate(Attitude.choices)
    ]
    return Matrix(
        width=WIDTH, height=HEIGHT, left=LEFT, top=TOP, right=RIGHT, bottom=BOTTOM,
        mid_x=mid_x, mid_y=mid_y, regions=regions, dots=dots, legend=legend,
        legend_y=HEIGHT - 22,
    )
