"""Server-drawn SVG: a KPI's readings against its target path, and the risk heat map.

Every text that comes from data is escaped; numbers are formatted here, so the markup is
safe to put in a page or a PDF as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cairn.adoption.measurements import Assessment, Point, number
from cairn.adoption.models import RiskLevel, risk_level

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 18, 40
STATUS_COLOURS = {"green": "#1f7a4d", "amber": "#b7791f", "red": "#c0392b", "": "#5b6b63"}
LEVEL_COLOURS = {
    RiskLevel.LOW: "#d5efe0",
    RiskLevel.MEDIUM: "#fbe7b0",
    RiskLevel.HIGH: "#f7c08f",
    RiskLevel.CRITICAL: "#ee9a90",
}


def _date_ticks(start: dt.date, end: dt.date, count: int = 5) -> list[dt.date]:
    span = (end - start).days
    return [start + dt.timedelta(days=round(span * i / count)) for i in range(count + 1)]


def _value_ticks(low: Decimal, high: Decimal, count: int = 4) -> list[Decimal]:
    return [low + (high - low) * Decimal(i) / Decimal(count) for i in range(count + 1)]


def kpi_chart(
    name: str, unit: str, path: list[Point], readings: list[Point], assessment: Assessment
) -> SafeString:
    """Actual readings (solid, with dots) against the target path (dashed), dates along x."""
    dates = [p.date for p in path] + [r.date for r in readings]
    values = [p.value for p in path] + [r.value for r in readings]
    first, last = min(dates), max(dates)
    if first == last:
        last = first + dt.timedelta(days=1)
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.1") or Decimal(1)
    # A scale of counts or shares should not dip below zero just for the margin.
    low, high = (max(low - pad, Decimal(0)) if low >= 0 else low - pad), high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = (last - first).days

    def x(day: dt.date) -> float:
        return LEFT + plot_w * (day - first).days / days

    def y(value: Decimal) -> float:
        return TOP + plot_h * float((high - value) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" class="kpi-chart" font-family="sans-serif" font-size="11">',
        f"<title>{escape(name)}: actual against target ({escape(assessment.status.label)})</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in _value_ticks(low, high):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#e3e8e5"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#5b6b63">'
            f"{escape(number(tick))}</text>"
        )
    short = days < 120
    ticks = _date_ticks(first, last)
    for n, day in enumerate(ticks):
        tx = x(day)
        label = day.strftime("%d %b") if short else day.strftime("%b %Y")
        anchor = "start" if n == 0 else "end" if n == len(ticks) - 1 else "middle"
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#f0f3f1"/>'
            f'<text x="{tx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}" fill="#5b6b63">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="#9aa8a1"/>'
    )
    target_points = " ".join(f"{x(p.date):.1f},{y(p.value):.1f}" for p in path)
    parts.append(
        f'<polyline class="target-path" points="{target_points}" fill="none" stroke="#7b8a83" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    for p in path[1:-1]:
        parts.append(
            f'<circle class="milestone" cx="{x(p.date):.1f}" cy="{y(p.value):.1f}" r="4" '
            f'fill="#ffffff" stroke="#7b8a83" stroke-width="2"><title>Milestone {p.date:%d %b %Y}: '
            f"{escape(number(p.value))}</title></circle>"
        )
    colour = STATUS_COLOURS[assessment.css]
    if readings:
        actual = " ".join(f"{x(r.date):.1f},{y(r.value):.1f}" for r in readings)
        parts.append(
            f'<polyline class="actual" points="{actual}" fill="none" stroke="#2a6f97" stroke-width="2.5"/>'
        )
        for n, r in enumerate(readings):
            fill = colour if n == len(readings) - 1 else "#2a6f97"
            parts.append(
                f'<circle class="reading" cx="{x(r.date):.1f}" cy="{y(r.value):.1f}" r="4.5" '
                f'fill="{fill}"><title>{r.date:%d %b %Y}: {escape(number(r.value))} '
                f"{escape(unit)}</title></circle>"
            )
    legend_y = HEIGHT - 8
    unit_label = f" ({escape(unit)})" if unit else ""
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="#7b8a83" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 30}" y="{legend_y}" fill="#36443d">Target path</text>'
        f'<line x1="{LEFT + 120}" x2="{LEFT + 144}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="#2a6f97" stroke-width="2.5"/>'
        f'<text x="{LEFT + 150}" y="{legend_y}" fill="#36443d">Actual{unit_label}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every data text above is escaped


CELL = 54
HEAT_LEFT, HEAT_TOP = 70, 12


def heat_map(counts: Iterable[tuple[int, int, int]]) -> SafeString:
    """A 5 x 5 grid, likelihood up and impact across, each cell coloured by its risk level
    and showing how many risks sit in it. `counts` holds (likelihood, impact, count)."""
    grid = {(likelihood, impact): n for likelihood, impact, n in counts}
    size = CELL * 5
    width, height = HEAT_LEFT + size + 12, HEAT_TOP + size + 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" class="heat-map" font-family="sans-serif" font-size="12">',
        "<title>Risk heat map: number of risks by likelihood and impact</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            cx = HEAT_LEFT + (impact - 1) * CELL
            cy = HEAT_TOP + (5 - likelihood) * CELL
            level = risk_level(likelihood * impact)
            n = grid.get((likelihood, impact), 0)
            parts.append(
                f'<rect class="cell {level.value}" data-likelihood="{likelihood}" data-impact="{impact}" '
                f'x="{cx}" y="{cy}" width="{CELL}" height="{CELL}" fill="{LEVEL_COLOURS[level]}" '
                f'stroke="#ffffff" stroke-width="2"><title>Likelihood {likelihood} x impact {impact} '
                f"= {likelihood * impact} ({level.label}): {n} risk{'s' if n != 1 else ''}</title></rect>"
            )
            if n:
                parts.append(
                    f'<text x="{cx + CELL / 2}" y="{cy + CELL / 2 + 6}" text-anchor="middle" '
                    f'font-size="18" font-weight="bold" fill="#1d2a24">{n}</text>'
                )
        ly = HEAT_TOP + (5 - likelihood) * CELL + CELL / 2 + 4
        parts.append(
            f'<text x="{HEAT_LEFT - 8}" y="{ly}" text-anchor="end" fill="#5b6b63">{likelihood}</text>'
        )
    for impact in range(1, 6):
        ix = HEAT_LEFT + (impact - 1) * CELL + CELL / 2
        parts.append(
            f'<text x="{ix}" y="{HEAT_TOP + size + 16}" text-anchor="middle" fill="#5b6b63">{impact}</text>'
        )
    parts.append(
        f'<text x="{HEAT_LEFT + size / 2}" y="{HEAT_TOP + size + 36}" text-anchor="middle" '
        f'fill="#36443d">Impact</text>'
        f'<text x="16" y="{HEAT_TOP + size / 2}" text-anchor="middle" fill="#36443d" '
        f'transform="rotate(-90 16 {HEAT_TOP + size / 2})">Likelihood</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # only numbers and fixed labels above
