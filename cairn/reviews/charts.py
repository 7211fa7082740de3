"""The review deck's charts as PNG images: value progress, each KPI, usage trends, health.

Drawn with matplotlib's object API (a Figure on its own Agg canvas), never pyplot: pyplot
keeps global state, which two exports at once in a web server would share. Each function
returns the PNG's bytes, or None when there is nothing to draw (the deck then says so in
words). Sizes are in inches as the chart appears on a 16:9 slide (13.3 by 7.5 inches), so
its type sizes are the sizes people read.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
from PIL import Image

from cairn.reviews.facts import KpiSeries, MetricTrend, ValueColumn

# Fine enough for a projector or a printed page, coarse enough to draw and encode a chart in
# tens of milliseconds.
DPI = 130
SIZE = (6.2, 4.5)  # a chart beside the text of a slide, half a slide, or most of an A4 page's width

# Cairn's colours (cairn/static/cairn/print.css), and the traffic lights of the health app.
INK, MUTED, RULE, BRAND, PALE = "#1d2521", "#5d6b64", "#dfe4e1", "#2f6b55", "#e3efe9"
TARGET = "#1f5f8b"
GREEN, AMBER, RED = "#2e7d32", "#e0a100", "#c62828"

# Health bands when the account's scorecard is not known: the defaults of a new scorecard
# (cairn.health.models.Scorecard.green_from and red_below). The deck passes the account's own.
GREEN_FROM, RED_BELOW = 70.0, 40.0

TITLE: dict[str, Any] = {"fontsize": 13, "fontweight": "bold", "color": INK}


def plain(text: str) -> str:
    """User text as matplotlib shows it literally: a "$" would start mathematical text, and
    characters beyond the basic plane (emoji) are missing from the chart font."""
    return "".join(c for c in text if ord(c) <= 0xFFFF).replace("$", r"\$")


def amount(value: float, decimals: int = 0) -> str:
    """A figure with thousands separators and no needless trailing zeros: 12,000 and 3.5."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _decimals(low: float, high: float) -> int:
    span = abs(high - low)
    if span >= 20 or span == 0:
        return 0
    return 1 if span >= 2 else 2


def _figure(size: tuple[float, float]) -> Figure:
    figure = Figure(figsize=size, dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(RULE)
    axes.tick_params(colors=MUTED, labelsize=10, length=3)
    axes.grid(axis="y", color=RULE, linewidth=0.7)
    axes.set_axisbelow(True)


def day_month(day: dt.date) -> str:
    """12 Mar, 1 Apr."""
    return f"{day.day} {day:%b}"


def _day(day: dt.date) -> str:
    return f"{day_month(day)} {day:%Y}"


def _tick(value: float) -> str:
    day = num2date(value)
    # A year's axis shows two "1 Jan"s without it.
    return _day(day) if (day.month, day.day) == (1, 1) else day_month(day)


def _dates(axes: Axes, most: int = 7) -> None:
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=most))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _tick(v)))


def _numbers(axes: Axes, low: float, high: float) -> None:
    decimals = _decimals(low, high)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: amount(v, decimals)))


def _png(figure: Figure) -> bytes:
    """The figure as an RGB PNG: on white, an alpha channel is dead weight that a PDF would
    carry as a second image (WeasyPrint re-encodes each image, and its alpha mask apart)."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def value_chart(columns: Sequence[ValueColumn], size: tuple[float, float] = SIZE) -> bytes | None:
    """How far promised, expected and all value came from baseline to target, 0 to 100 %:
    a horizontal bar per column with items, when at least one of them is measured."""
    shown = [c for c in columns if c.items]
    if not any(c.progress is not None for c in shown):
        return None
    figure = _figure(size)
    axes = figure.add_axes((0.24, 0.2, 0.7, 0.64))
    _style(axes)
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color=RULE, linewidth=0.7)
    rows = list(reversed(shown))  # the first column at the top
    places = range(len(rows))
    progress = [c.progress or 0 for c in rows]
    axes.barh(places, [100] * len(rows), color=PALE, height=0.56)
    axes.barh(places, progress, color=BRAND, height=0.56)
    for place, column in zip(places, rows, strict=True):
        if column.progress is None:
            label = f"none of {column.items:,} measured yet"
        else:
            label = f"{column.progress} %  ·  {column.measured:,} of {column.items:,} measured"
        inside = (column.progress or 0) >= 55
        axes.text(
            (column.progress or 0) + (-2 if inside else 2), place, label, va="center",
            ha="right" if inside else "left", fontsize=10.5,
            color="white" if inside else INK,
        )
    axes.set_yticks(list(places), [c.label for c in rows], fontsize=11.5, color=INK)
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_locator(MultipleLocator(25))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f} %"))
    axes.set_xlabel("Progress from baseline to target", fontsize=10.5, color=MUTED)
    figure.suptitle("Value: how far it came", x=0.03, ha="left", **TITLE)
    return _png(figure)


def kpi_chart(kpi: KpiSeries, size: tuple[float, float] = SIZE) -> bytes | None:
    """A KPI's readings over time against its baseline (dashed grey) and its target (dashed
    blue), with the target date marked when it is near enough to show."""
    if not kpi.points:
        return None
    figure = _figure(size)
    axes = figure.add_axes((0.14, 0.19, 0.82, 0.66))
    _style(axes)
    days = [day for day, _ in kpi.points]
    values = [value for _, value in kpi.points]
    axes.plot(date2num(days), values, color=BRAND, linewidth=2.2, marker="o", markersize=4.5, zorder=3)
    low = min([*values, kpi.baseline, kpi.target])
    high = max([*values, kpi.baseline, kpi.target])
    unit = f" {plain(kpi.unit)}" if kpi.unit else ""
    exact = _decimals(low, high) + 1  # the labels one decimal finer than the axis
    axes.axhline(
        kpi.baseline, color=MUTED, linestyle=(0, (5, 4)), linewidth=1.4,
        label=f"Baseline {amount(kpi.baseline, exact)}{unit}",
    )
    axes.axhline(
        kpi.target, color=TARGET, linestyle=(0, (5, 4)), linewidth=1.6,
        label=f"Target {amount(kpi.target, exact)}{unit} by {_day(kpi.target_date)}",
    )
    first, last = min(days), max(days)
    span = max((last - first).days, 30)
    end = last
    # The target date joins the axis unless it would squeeze the readings into a corner.
    if first <= kpi.target_date <= last + dt.timedelta(days=span):
        end = max(last, kpi.target_date)
        axes.axvline(date2num(kpi.target_date), color=TARGET, linestyle=":", linewidth=1.4)
        # Half way between the baseline and target lines, clear of both.
        axes.annotate(
            f"target date\n{day_month(kpi.target_date)}",
            (date2num(kpi.target_date), (kpi.baseline + kpi.target) / 2),
            xytext=(-4, 0), textcoords="offset points", ha="right", va="center", fontsize=9, color=TARGET,
        )
    pad = dt.timedelta(days=max(3, round((end - first).days * 0.04)))
    axes.set_xlim(date2num(first - pad), date2num(end + pad))
    _dates(axes)
    margin = (high - low) * 0.12 or max(abs(high) * 0.1, 1.0)
    axes.set_ylim(low - margin, high + margin)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
    _numbers(axes, low, high)
    if kpi.unit:
        axes.set_ylabel(plain(kpi.unit), fontsize=10.5, color=MUTED)
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.45, -0.1), ncols=2, frameon=False, fontsize=9.5,
        labelcolor=INK, handlelength=2.2, columnspacing=1.5,
    )
    title = plain(kpi.name)
    if len(title) > 48:
        title = title[:47] + "…"
    figure.suptitle(title, x=0.03, y=0.97, ha="left", **TITLE)
    status = f"{kpi.status}" + (f", {kpi.progress} % of the way" if kpi.progress is not None else "")
    figure.text(0.03, 0.885, status, ha="left", va="bottom", fontsize=10, color=MUTED)
    return _png(figure)


def _grid(count: int) -> tuple[int, int]:
    if count <= 2:
        return 1, count
    return math.ceil(count / 2), 2


def usage_chart(trends: Sequence[MetricTrend], size: tuple[float, float] = SIZE) -> bytes | None:
    """Small multiples: one panel per usage metric over the period, green when it moved the
    good way, red when the bad way."""
    if not trends:
        return None
    figure = _figure(size)
    rows, cols = _grid(len(trends))
    figure.subplots_adjust(left=0.1, right=0.97, top=0.84, bottom=0.08, hspace=0.7, wspace=0.3)
    for index, trend in enumerate(trends):
        axes = figure.add_subplot(rows, cols, index + 1)
        _style(axes)
        days = [day for day, _ in trend.points]
        values = [value for _, value in trend.points]
        moved = trend.change
        good = moved is None or moved == 0 or (moved > 0) == trend.higher_is_better
        colour = BRAND if good else RED
        axes.plot(date2num(days), values, color=colour, linewidth=2, marker="o", markersize=3)
        # The first, middle and last day: a panel is narrow, and fixed ticks draw fastest.
        ticks = sorted({days[0], days[len(days) // 2], days[-1]})
        axes.set_xticks([date2num(d) for d in ticks], [day_month(d) for d in ticks])
        axes.yaxis.set_major_locator(MaxNLocator(nbins=3))
        axes.tick_params(labelsize=8.5)
        low, high = min(values), max(values)
        if trend.as_percent:  # a share stored as a fraction: 0.88 reads 88 %
            if low == high:
                axes.set_ylim(low - 0.05, high + 0.05)
            exact = _decimals(low * 100, high * 100)
            axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos, d=exact: f"{amount(v * 100, d)} %"))
        else:
            if low == high:
                axes.set_ylim(low - max(abs(low) * 0.1, 1), high + max(abs(high) * 0.1, 1))
            _numbers(axes, low, high)
        limit = 22 if cols == 2 else 40
        name = plain(trend.name)
        axes.set_title(
            name if len(name) <= limit else name[: limit - 1] + "…", loc="left", fontsize=10, color=INK,
            fontweight="bold",
        )
        axes.set_title(trend.change_text, loc="right", fontsize=10, color=colour, fontweight="bold")
    figure.suptitle("Usage over the period", x=0.03, ha="left", **TITLE)
    return _png(figure)


def health_chart(
    points: Sequence[tuple[dt.date, float]], *, green_from: float = GREEN_FROM,
    red_below: float = RED_BELOW, size: tuple[float, float] = SIZE,
) -> bytes | None:
    """The health score over the period on a 0-100 axis, over lightly shaded red, amber and
    green bands."""
    if not points:
        return None
    figure = _figure(size)
    axes = figure.add_axes((0.11, 0.13, 0.79, 0.72))
    _style(axes)
    axes.grid(axis="y", visible=False)
    axes.axhspan(0, red_below, color=RED, alpha=0.08, linewidth=0)
    axes.axhspan(red_below, green_from, color=AMBER, alpha=0.1, linewidth=0)
    axes.axhspan(green_from, 100, color=GREEN, alpha=0.08, linewidth=0)
    days = [day for day, _ in points]
    scores = [score for _, score in points]
    dots = "o" if len(points) <= 31 else None  # a daily score over a quarter is a line
    axes.plot(date2num(days), scores, color=INK, linewidth=2, marker=dots, markersize=3.5)
    first, last = min(days), max(days)
    pad = dt.timedelta(days=max(2, round((last - first).days * 0.03)))
    axes.set_xlim(date2num(first - pad), date2num(last + pad))
    _dates(axes)
    axes.set_ylim(0, 100)
    axes.yaxis.set_major_locator(MultipleLocator(20))
    axes.set_ylabel("Health score", fontsize=10.5, color=MUTED)
    for low, high, name, colour in (
        (0, red_below, "red", RED), (red_below, green_from, "amber", AMBER), (green_from, 100, "green", GREEN)
    ):
        if high - low >= 8:  # the band's name in the margin to its right, clear of the line
            axes.text(
                1.01, (low + high) / 200, name, transform=axes.transAxes, ha="left", va="center",
                fontsize=9, color=colour,
            )
    axes.annotate(
        f"{scores[-1]:.0f}", (date2num(days[-1]), scores[-1]), xytext=(-2, 7), textcoords="offset points",
        ha="right", fontsize=11, fontweight="bold", color=INK,
    )
    figure.suptitle(
        "Health score over the period", x=0.03, ha="left", **TITLE
    )
    return _png(figure)
