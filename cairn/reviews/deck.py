"""A review's slide deck (PPTX) and its PDF, built from the CSM's edited text and the figures.

Both show the same parts in the same order: a title, the agenda, then each section of the
review with the CSM's text (a bullet a line; a section left blank is left out) and what
shows its figures: the value chart and a slide of KPI charts after it, the usage chart
beside adoption, the health chart beside health, the support figures, the open risks and
the asks as tables. A chart with no data is replaced by a sentence that says so.

Text is fitted, not left to overflow: a section's text takes the largest type size that
fits its box (20 down to 14 points, by an estimate of how the lines wrap); longer text runs
on over "(continued)" slides. python-pptx and matplotlib load with this module, which
actions.export_review imports on the first export only.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from cairn.pdf import render_pdf
from cairn.reviews import charts
from cairn.reviews.facts import Facts, money
from cairn.reviews.models import Review


@dataclass
class Built:
    pptx: bytes
    pdf: bytes


@dataclass
class Chart:
    png: bytes
    alt: str

    @property
    def src(self) -> str:
        """The PNG as a data: URL, for the PDF (which fetches nothing else)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float]  # inches on the slide
    numeric: frozenset[int] = frozenset()  # columns aligned right

    @property
    def shares(self) -> list[int]:
        """Each column's share of the width in per cent, for the PDF's fixed table layout
        (an automatic layout measures every cell's text twice: a third of the PDF's time)."""
        total = sum(self.widths)
        return [round(100 * width / total) for width in self.widths]


@dataclass
class Part:
    """One section as both outputs show it."""

    heading: str
    lines: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""  # in words, what has no chart for want of data
    table: Table | None = None
    # Charts and table beside the text on its slide; else on slides of their own after it.
    beside: bool = True


# The slide, in inches: 16:9.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.6
BODY_TOP, BODY_BOTTOM = 1.45, 6.95
FULL_W = SLIDE_W - 2 * MARGIN
SIDE_W = 5.8  # the text beside a chart
VISUAL_LEFT = MARGIN + SIDE_W + 0.3
BULLET_INDENT = 0.33
SIZES = (20, 18, 16, 14)  # points, largest first: the text takes the first that fits
RUN_ON_SIZE = 16  # text too long for one slide runs on over several at this size
TABLE_SIZE = 12
MAX_CELL = 220  # characters of a table cell; the full text is in the section's lines

INK, MUTED, BRAND, PALE, WHITE = (
    RGBColor(0x1D, 0x25, 0x21), RGBColor(0x5D, 0x6B, 0x64), RGBColor(0x2F, 0x6B, 0x55),
    RGBColor(0xE3, 0xEF, 0xE9), RGBColor(0xFF, 0xFF, 0xFF),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MARKER = re.compile(r"^(?:[-*•–]|\d{1,2}[.)])\s+")


def clean(text: str) -> str:
    """Text as XML may hold it: no control characters (a slide file with one is corrupt)."""
    return _CONTROL.sub("", text.replace("\t", " "))


def lines_of(text: str) -> list[str]:
    """A bullet per line of the CSM's text; a bullet or number they typed is not doubled."""
    found = (_MARKER.sub("", line.strip()) for line in clean(text).splitlines())
    return [line for line in found if line]


def _cut(text: str, limit: int = MAX_CELL) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- What is shown -------------------------------------------------------------------


def _bands(review: Review) -> tuple[float, float]:
    """The account's scorecard's lights, from its latest score; the default ones without."""
    from cairn.health.queries import latest_score

    latest = latest_score(review.program.account)
    card = latest.scorecard if latest else None
    if card is None:
        return charts.GREEN_FROM, charts.RED_BELOW
    return float(card.green_from), float(card.red_below)


def _support_table(facts: Facts) -> Table | None:
    s = facts.support
    if not (s.opened or s.open_now):
        return None
    median = "—" if s.median_days is None else f"{s.median_days:,.1f} days"
    return Table(
        ["Support", "Figure"],
        [
            ["Tickets opened in the period", f"{s.opened:,}"],
            ["Solved in the period", f"{s.solved:,}"],
            ["Median time to solve", median],
            ["Open at the end of the period", f"{s.open_now:,}"],
            ["Open now, high or urgent", f"{s.urgent_open:,}"],
        ],
        [4.3, 1.9], frozenset({1}),
    )


def _risks_table(facts: Facts) -> Table | None:
    if not facts.risks:
        return None
    return Table(
        ["Risk or challenge", "Kind", "Level", "Response", "Owner"],
        [[_cut(r.title, 140), r.source, r.level, _cut(r.response) or "—", _cut(r.owner, 60) or "—"]
         for r in facts.risks],
        [3.3, 1.8, 1.2, 4.2, 1.6],
    )


def _asks_table(facts: Facts) -> Table | None:
    if not facts.asks:
        return None
    return Table(
        ["Ask", "What", "ARR"],
        [[a.kind, _cut(a.text), money(a.amount) if a.amount else "—"] for a in facts.asks],
        [2.4, 7.4, 2.3], frozenset({2}),
    )


def parts(review: Review, facts: Facts) -> list[Part]:
    """The sections as shown, in the deck's order, with their charts and tables."""
    shown: list[Part] = []
    for name, heading, text in review.sections():
        lines = lines_of(text)
        if not lines:
            continue  # the CSM emptied the section: it is not shown
        part = Part(heading, lines)
        shown.append(part)
        if name == "value_text":
            png = charts.value_chart(facts.columns)
            if png:
                part.charts.append(Chart(png, "Progress of promised, expected and all value"))
            elif facts.value:
                part.note = "No value item has a KPI reading yet, so there is no progress to chart."
            else:
                part.note = "No value item is recorded yet, so there is no progress to chart."
            kpis = _kpis_part(facts)
            if kpis is not None:
                shown.append(kpis)
        elif name == "adoption_text":
            png = charts.usage_chart(facts.usage)
            if png:
                part.charts.append(Chart(png, "Usage metrics over the period"))
            else:
                part.note = "No usage figure was measured in the period."
        elif name == "health_text":
            green_from, red_below = _bands(review) if facts.health.points else (0.0, 0.0)
            png = charts.health_chart(facts.health.points, green_from=green_from, red_below=red_below)
            if png:
                part.charts.append(Chart(png, "Health score over the period"))
            else:
                part.note = "No health score was recorded in the period."
        elif name == "support_text":
            part.table = _support_table(facts)
            if part.table is None:
                part.note = "No support ticket was opened in the period, and none is open."
        elif name == "risks_text":
            part.table, part.beside = _risks_table(facts), False
        elif name == "asks_text":
            part.table, part.beside = _asks_table(facts), False
    return shown


def _kpis_part(facts: Facts) -> Part | None:
    if not facts.kpis:
        return None
    part = Part("KPIs", beside=False)
    for kpi in facts.kpis:
        png = charts.kpi_chart(kpi)
        if png:
            part.charts.append(Chart(png, f"{kpi.name}: readings against baseline and target"))
    waiting = [k.name for k in facts.kpis if not k.points]
    if waiting:
        names = ", ".join(_cut(name, 80) for name in waiting)
        part.note = f"No reading yet, so no chart: {names}." if part.charts else (
            f"No KPI has a reading yet, so there is no chart: {names}."
        )
    return part


# --- Fitting text ----------------------------------------------------------------------


def _per_line(width: float, size: float) -> int:
    # An average character of English text is 0.40 of the type size wide in Calibri (the
    # deck's face), 0.44 in Arial and 0.50 in DejaVu Sans (LibreOffice's fallback); 0.47,
    # with the lines' generous spacing, errs towards a smaller size, not towards overflow.
    return max(8, int(width * 72 / (size * 0.47)))


def _wrapped(text: str, width: float, size: float) -> list[str]:
    return textwrap.wrap(text, _per_line(width, size), break_long_words=True, break_on_hyphens=False) or [""]


def _height(lines: Sequence[str], width: float, size: float) -> float:
    """Inches the bullets take at `size` points in a box `width` inches wide."""
    rows = sum(len(_wrapped(line, width - BULLET_INDENT, size)) for line in lines)
    return (rows * size * 1.2 + len(lines) * size * 0.45) / 72 + 0.15


def pages(lines: Sequence[str], width: float, height: float) -> list[tuple[int, list[str]]]:
    """(type size, bullets) of each slide the text takes: one slide at the largest size
    that fits, else slides at RUN_ON_SIZE, a bullet too long for one slide cut between
    words."""
    for size in SIZES:
        if _height(lines, width, size) <= height:
            return [(size, list(lines))]
    size = RUN_ON_SIZE
    pieces: list[str] = []
    per_slide = max(1, int((height - 0.15) * 72 / (size * 1.2)) - 1)
    for line in lines:
        rows = _wrapped(line, width - BULLET_INDENT, size)
        pieces += [" ".join(rows[i:i + per_slide]) for i in range(0, len(rows), per_slide)]
    result: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for piece in pieces:
        if current and _height([*current, piece], width, size) > height:
            result.append((size, current))
            current = []
        current.append(piece)
    if current:
        result.append((size, current))
    return result


def _row_height(row: Sequence[str], widths: Sequence[float], size: float) -> float:
    tallest = max(len(_wrapped(cell, max(0.4, w - 0.2), size)) for cell, w in zip(row, widths, strict=True))
    return tallest * size * 1.2 / 72 + 0.12


def table_pages(table: Table, height: float, size: float = TABLE_SIZE) -> list[list[list[str]]]:
    """The rows of each slide the table takes, its header repeated on each."""
    room = height - _row_height(table.headers, table.widths, size)
    result: list[list[list[str]]] = []
    current: list[list[str]] = []
    used = 0.0
    for row in table.rows:
        need = _row_height(row, table.widths, size)
        if current and used + need > room:
            result.append(current)
            current, used = [], 0.0
        current.append(row)
        used += need
    if current:
        result.append(current)
    return result


# --- The deck ------------------------------------------------------------------------


class _Deck:
    def __init__(self, review: Review, facts: Facts) -> None:
        self.review, self.facts = review, facts
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        self.footer = f"{_cut(facts.account, 80)} · {facts.short} {_short_day(facts.date)}"

    def slide(self, title: str) -> Any:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = (
            Inches(MARGIN), Inches(0.35), Inches(FULL_W), Inches(0.95)
        )
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = _cut(title, 90)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, BRAND
        rule = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(MARGIN), Inches(1.33), Inches(1.2), Inches(0.05)
        )
        rule.fill.solid()
        rule.fill.fore_color.rgb = BRAND
        rule.line.fill.background()
        number = len(self.prs.slides)
        self.text(slide, self.footer, MARGIN, 7.05, FULL_W - 1, 0.3, size=10, colour=MUTED)
        self.text(slide, f"{number}", SLIDE_W - MARGIN - 1, 7.05, 1, 0.3, size=10, colour=MUTED,
                  align=PP_ALIGN.RIGHT)
        return slide

    def text(
        self, slide: Any, text: str, left: float, top: float, width: float, height: float, *,
        size: float, colour: RGBColor = INK, bold: bool = False, align: Any = PP_ALIGN.LEFT,
    ) -> Any:
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for index, line in enumerate(clean(text).splitlines() or [""]):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = align
            run = paragraph.add_run()
            run.text = line
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, colour
        return box

    def bullets(
        self, slide: Any, lines: Sequence[str], left: float, width: float, size: int, *,
        numbered: bool = False, height: float = BODY_BOTTOM - BODY_TOP,
    ) -> None:
        box = slide.shapes.add_textbox(Inches(left), Inches(BODY_TOP), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        # Our estimate fits the text; PowerPoint and LibreOffice shrink it further if a face
        # runs wider than estimated.
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(size * 0.45)
            properties = paragraph._p.get_or_add_pPr()
            properties.set("marL", str(Emu(Inches(BULLET_INDENT))))
            properties.set("indent", str(-Emu(Inches(BULLET_INDENT))))
            if numbered:
                properties.append(properties.makeelement(qn("a:buAutoNum"), {"type": "arabicPeriod"}))
            else:
                properties.append(properties.makeelement(qn("a:buFont"), {"typeface": "Arial"}))
                properties.append(properties.makeelement(qn("a:buChar"), {"char": "•"}))
            run = paragraph.add_run()
            run.text = line
            run.font.size, run.font.color.rgb = Pt(size), INK

    def picture(self, slide: Any, chart: Chart, left: float, top: float, width: float, height: float) -> None:
        """The chart as large as fits the box, keeping its proportions."""
        ratio = charts.SIZE[1] / charts.SIZE[0]
        shown_w = min(width, height / ratio)
        picture = slide.shapes.add_picture(
            io.BytesIO(chart.png), Inches(left + (width - shown_w) / 2), Inches(top), width=Inches(shown_w)
        )
        alt = clean(chart.alt)  # a KPI's name may hold characters XML cannot
        picture.name = alt[:100]
        # The alternative text screen readers announce.
        picture._element.nvPicPr.cNvPr.set("descr", alt)

    def table(self, slide: Any, table: Table, rows: list[list[str]], left: float, top: float,
              size: int = TABLE_SIZE) -> None:
        heights = [_row_height(row, table.widths, size) for row in [table.headers, *rows]]
        shape = slide.shapes.add_table(
            len(rows) + 1, len(table.headers), Inches(left), Inches(top), Inches(sum(table.widths)),
            Inches(sum(heights)),
        )
        grid = shape.table
        for index, inches in enumerate(table.widths):
            grid.columns[index].width = Inches(inches)
        for index, inches in enumerate(heights):
            grid.rows[index].height = Inches(inches)
        for r, values in enumerate([table.headers, *rows]):
            for c, value in enumerate(values):
                cell = grid.cell(r, c)
                cell.fill.solid()
                cell.fill.fore_color.rgb = PALE if r == 0 else WHITE
                cell.text = clean(value)
                for paragraph in cell.text_frame.paragraphs:
                    paragraph.alignment = PP_ALIGN.RIGHT if c in table.numeric else PP_ALIGN.LEFT
                    for run in paragraph.runs:
                        run.font.size, run.font.color.rgb, run.font.bold = Pt(size), INK, r == 0

    def note(self, slide: Any, text: str, left: float, top: float, width: float) -> None:
        self.text(slide, text, left, top, width, 0.8, size=16, colour=MUTED)

    # Slides ---------------------------------------------------------------------------

    def title_slide(self) -> None:
        facts = self.facts
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.35), Inches(SLIDE_H))
        band.fill.solid()
        band.fill.fore_color.rgb = BRAND
        band.line.fill.background()
        self.text(slide, facts.kind.upper(), 1.0, 1.6, 11, 0.5, size=16, colour=MUTED, bold=True)
        name = clean(facts.account)
        size = 44 if len(name) <= 34 else 34 if len(name) <= 60 else 26
        self.text(slide, _cut(name, 150), 1.0, 2.15, 11.3, 1.9, size=size, colour=BRAND, bold=True)
        details = [
            _day(facts.date),
            f"Covers {_short_day(facts.period_start)} to {_short_day(facts.period_end)}",
        ]
        if facts.engagement:
            details.append(_cut(facts.engagement, 120))
        author = _author(self.review)
        if author:
            details.append(f"Prepared by {author}")
        self.text(slide, "\n".join(details), 1.0, 4.2, 11.3, 2.4, size=20, colour=INK)

    def agenda_slide(self) -> None:
        items = lines_of(self.review.agenda)
        if not items:
            return
        for index, (size, chunk) in enumerate(pages(items, FULL_W, BODY_BOTTOM - BODY_TOP)):
            slide = self.slide("Agenda" if index == 0 else "Agenda (continued)")
            self.bullets(slide, chunk, MARGIN, FULL_W, size, numbered=True)

    def part(self, part: Part) -> None:
        body = BODY_BOTTOM - BODY_TOP
        visual = part.beside and bool(part.charts or part.table or part.note)
        if visual:
            side = pages(part.lines, SIDE_W, body)
            if len(side) == 1:
                slide = self.slide(part.heading)
                self.bullets(slide, side[0][1], MARGIN, SIDE_W, side[0][0])
                self.visual(slide, part, VISUAL_LEFT, SLIDE_W - MARGIN + 0.2 - VISUAL_LEFT)
                return
        if part.table is not None and not visual and self.stacked(part, part.table):
            return
        for index, (size, chunk) in enumerate(pages(part.lines, FULL_W, body)):
            slide = self.slide(part.heading if index == 0 else f"{part.heading} (continued)")
            self.bullets(slide, chunk, MARGIN, FULL_W, size)
        if visual:
            slide = self.slide(f"{part.heading} (continued)")
            self.visual(slide, part, MARGIN + 2.5, FULL_W - 5.0)
        elif part.table is not None:
            self.table_slides(part.heading, part.table)

    def stacked(self, part: Part, table: Table) -> bool:
        """The text with the whole table below it on one slide, when both fit."""
        gap = 0.25
        if len(table_pages(table, BODY_BOTTOM - BODY_TOP - gap)) > 1:
            return False
        tall = _row_height(table.headers, table.widths, TABLE_SIZE) + sum(
            _row_height(row, table.widths, TABLE_SIZE) for row in table.rows
        )
        room = BODY_BOTTOM - BODY_TOP - tall - gap
        fitted = pages(part.lines, FULL_W, room) if room >= 1.0 else []
        if len(fitted) != 1:
            return False
        size, lines = fitted[0]
        slide = self.slide(part.heading)
        self.bullets(slide, lines, MARGIN, FULL_W, size, height=room)
        self.table(slide, table, table.rows, MARGIN, BODY_TOP + room + gap)
        return True

    def visual(self, slide: Any, part: Part, left: float, width: float) -> None:
        top = BODY_TOP + 0.05
        for chart in part.charts:
            self.picture(slide, chart, left, top, width, BODY_BOTTOM - top)
        if part.table is not None:
            self.table(slide, part.table, part.table.rows, left, top + 0.1, size=16)
        if part.note:
            self.note(slide, part.note, left, top + 0.1, width)

    def table_slides(self, heading: str, table: Table) -> None:
        """The table after its section's text, over as many slides as it takes."""
        for rows in table_pages(table, BODY_BOTTOM - BODY_TOP - 0.1):
            slide = self.slide(f"{heading} (continued)")
            self.table(slide, table, rows, MARGIN, BODY_TOP + 0.1)

    def charts_part(self, part: Part) -> None:
        """KPI charts, two a slide."""
        width = (FULL_W - 0.4) / 2
        height = width * charts.SIZE[1] / charts.SIZE[0]
        groups = [part.charts[i:i + 2] for i in range(0, len(part.charts), 2)] or [[]]
        for index, group in enumerate(groups):
            slide = self.slide(part.heading if index == 0 else f"{part.heading} (continued)")
            for place, chart in enumerate(group):
                self.picture(slide, chart, MARGIN + place * (width + 0.4), BODY_TOP + 0.1, width, height)
            if part.note and index == len(groups) - 1:
                top = BODY_TOP + 0.2 + (height if group else 0)
                self.note(slide, _cut(part.note, 400), MARGIN, top, FULL_W)

    def closing_slide(self) -> None:
        slide = self.slide("Thank you")
        lines = ["Questions, and the next steps we agree today."]
        program = self.review.program
        if program.next_date and program.next_date > self.facts.date:
            lines.append(f"Next review: {_day(program.next_date)}.")
        else:
            months = program.cadence_months
            following = self.facts.date + relativedelta(months=months)
            every = "every month" if months == 1 else f"every {months} months"
            lines.append(f"Next review: around {_day(following)} ({every}).")
        author, email = _author(self.review), getattr(self.review.prepared_by, "email", "")
        if author:
            lines.append(f"Your contact: {author}" + (f", {email}" if email else "") + ".")
        self.bullets(slide, lines, MARGIN, FULL_W, 24)

    def properties(self) -> None:
        facts, now = self.facts, timezone.now()
        core = self.prs.core_properties
        # The file's properties hold 255 characters at most.
        core.title = _cut(f"{facts.short} {facts.account}, {_short_day(facts.date)}", 255)
        core.subject = _cut(f"{facts.kind} of {facts.account}, covering {facts.period}", 255)
        core.author = core.last_modified_by = _cut(_author(self.review), 255)
        core.category = "Business review"
        core.keywords = facts.short
        core.created = core.modified = now.replace(tzinfo=None)  # python-pptx writes it as UTC
        core.revision = 1

    def build(self, shown: list[Part]) -> bytes:
        self.title_slide()
        self.agenda_slide()
        for part in shown:
            if part.lines:
                self.part(part)
            else:
                self.charts_part(part)
        self.closing_slide()
        self.properties()
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def _author(review: Review) -> str:
    user = review.prepared_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- The PDF -------------------------------------------------------------------------


def _pdf(review: Review, facts: Facts, shown: list[Part]) -> bytes:
    return render_pdf("reviews/review_pdf.html", {
        "title": facts.kind,
        "account": facts.account,
        "date": facts.date,
        "facts": facts,
        "author": _author(review),
        "agenda": lines_of(review.agenda),
        "parts": shown,
    })


def render(review: Review, facts: Facts) -> Built:
    """The deck and the PDF of the review: its edited text, with the figures of `facts`."""
    shown = parts(review, facts)
    return Built(pptx=_Deck(review, facts).build(shown), pdf=_pdf(review, facts, shown))

