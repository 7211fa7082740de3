"""The review's deck and PDF: exported from a prepared and edited review into the engagement's
repository, opened back with python-pptx and pypdfium2, and checked for what a customer
would see (each section, the CSM's words, the figures, real charts) and what must not
break it (no data at all, markup, emoji, endless lines, no engagement)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cairn.reviews import actions, charts, deck
from cairn.reviews.facts import KpiSeries, MetricTrend, ValueColumn
from cairn.reviews.models import SECTIONS, Kind, Program
from cairn.testing_pdf import assert_not_blank, first_page_image, ink_share

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)  # the meeting; the period is the quarter before it
EDITED = "Energy per unit fell by a tenth since September, ahead of the plan we agreed."


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def programme(account: Any, by: Any) -> Program:
    return actions.create_program(Program(
        account=account, kind=Kind.QBR, purpose="Show the energy saved and agree the next quarter.",
        next_date=DAY,
    ), by=by)


def seed_usage(account: Any, days: list[dt.date]) -> None:
    """Two usage metrics of the account on each date, written as the metric engine does."""
    from cairn.metrics.models import MetricDefinition, MetricFill, MetricValue
    from cairn.metrics.store import SERIES_SCHEMA, series_path, write_series_file

    now = timezone.now()
    for slug, name, start, step in (("active-users", "Active users", 120.0, 9.0), ("exports", "Exports", 3000.0, -140.0)):
        metric = MetricDefinition.objects.create(slug=slug, name=name, kind="count")
        for index, day in enumerate(days):
            table = pa.table([[account.pk], [day], [start + step * index]], schema=SERIES_SCHEMA)
            write_series_file(table, series_path(slug, day))
        MetricValue.objects.create(account=account, metric=metric, observed_on=days[-1],
                                   value=start + step * (len(days) - 1), computed_at=now)
    for day in days:
        MetricFill.objects.create(observed_on=day, definitions_fingerprint="t", inputs_fingerprint="t",
                                  engine="test", accounts=1, completed_at=now)


def seed_health(account: Any, scores: list[tuple[dt.date, float]]) -> None:
    from cairn.health import history

    for day, score in scores:
        light = "green" if score >= 70 else "red" if score < 40 else "amber"
        table = history.table_of(np.array([account.pk]), [None], [None], np.array([score]), [light], ["{}"])
        history.record(day, table, None)


@pytest.fixture
def acme_figures(acme: Any, engagement: Any, carol: Any) -> None:
    """A quarter of Acme's data: a measured value item, a ticket, an open risk, a renewal of
    12,000 ARR, an upsell, two usage metrics and weekly health scores."""
    from cairn.adoption import actions as adoption
    from cairn.adoption.models import Kpi, Risk
    from cairn.customers.models import Product, Subscription
    from cairn.expansion.tests.factories import opportunity
    from cairn.renewals.actions import open_renewals
    from cairn.usage.models import SupportTicket
    from cairn.value import actions as value
    from cairn.value.models import ValueItem

    kpi = adoption.save_item(Kpi(
        engagement=engagement, name="Energy per unit", unit="kWh", direction="lower",
        baseline_value=Decimal("14000"), baseline_date=dt.date(2026, 8, 15),
        target_value=Decimal("10000"), target_date=dt.date(2027, 3, 31),
    ), engagement, by=carol)
    for day, reading in ((dt.date(2026, 9, 28), "13800"), (dt.date(2026, 10, 28), "13100"),
                         (dt.date(2026, 11, 27), "12400")):
        adoption.record_reading(kpi, on=day, value=Decimal(reading), by=carol)
    value.save_item(ValueItem(
        engagement=engagement, commitment="promised", statement="Energy use down 20 % within a year",
    ), by=carol, kpis=[kpi])
    SupportTicket.objects.create(
        external_id="T-1", account=acme, subject="Export to the historian fails", priority="high",
        status="open", opened_at=at(dt.date(2026, 10, 5)),
    )
    SupportTicket.objects.create(
        external_id="T-2", account=acme, subject="Password reset", status="solved",
        opened_at=at(dt.date(2026, 9, 10)), closed_at=at(dt.date(2026, 9, 12)),
    )
    adoption.save_item(Risk(
        engagement=engagement, title="The night shift is not trained yet", likelihood=4, impact=4,
        owner="Maria Jensen", mitigation="Two evening sessions in December",
    ), engagement, by=carol)
    product = Product.objects.create(name="Energy Monitor")
    Subscription.objects.create(account=acme, product=product, arr=Decimal("12000"),
                                start_date=dt.date(2026, 3, 1), end_date=dt.date(2027, 2, 28))
    open_renewals(DAY)
    opportunity(acme, carol, amount=Decimal("30000"))
    weeks = [dt.date(2026, 9, 7) + dt.timedelta(weeks=i) for i in range(12)]
    seed_usage(acme, weeks)
    seed_health(acme, [(day, 52.0 + 2 * i) for i, day in enumerate(weeks)])


def exported(account: Any, by: Any, **changes: str) -> Any:
    review = actions.prepare_review(programme(account, by), actions.Prepare(date=DAY), by=by)
    if changes:
        review = actions.update_review(review, changes, by=by)
    return actions.export_review(review, by=by)


def body(document: Any) -> bytes:
    with document.current_version.file.open("rb") as handle:
        return handle.read()


def slides_of(review: Any) -> Any:
    return Presentation(io.BytesIO(body(review.deck))).slides


def titles(slides: Any) -> list[str]:
    return [slide.shapes.title.text for slide in slides if slide.shapes.title is not None]


def texts(slides: Any) -> str:
    found = []
    for slide in slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                found.append(shape.text_frame.text)
            if shape.has_table:
                found += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(found)


def pictures(slides: Any) -> list[Any]:
    return [shape for slide in slides for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_the_deck_shows_each_section_with_the_csms_text_the_figures_and_real_charts(
    acme: Any, carol: Any, acme_figures: None
) -> None:
    review = exported(acme, carol, value_text=EDITED)

    slides = slides_of(review)
    shown = titles(slides)
    for _name, heading in SECTIONS:
        assert heading in shown
    assert "KPIs" in shown and "Agenda" in shown and "Thank you" in shown
    words = texts(slides)
    assert EDITED in words
    assert "Acme Manufacturing" in words
    assert "12,000" in words and "30,000" in words  # the renewal's and the upsell's ARR
    assert "Tickets opened in the period" in words
    assert "The night shift is not trained yet" in words
    found = pictures(slides)
    assert len(found) == 4  # value, the KPI, usage and health
    for picture in found:
        image = Image.open(io.BytesIO(picture.image.blob))
        assert image.format == "PNG"
        assert ink_share(image) > 0.02
    properties = Presentation(io.BytesIO(body(review.deck))).core_properties
    assert properties.author == "Carol Owner"
    assert "Acme Manufacturing" in properties.title

    assert "Next review: around 1 March 2027 (every 3 months)." in words

    pdf = body(review.handout)
    assert_not_blank(first_page_image(pdf))
    assert "Acme Manufacturing" in pdf_text(pdf)
    assert EDITED in pdf_text(pdf)
    assert pdf.count(b"/Subtype /Image") == 4  # the same charts, embedded


def test_the_csms_text_is_shown_not_the_draft(acme: Any, carol: Any, engagement: Any) -> None:
    review = exported(acme, carol, summary="Our own summary, in our own words.")

    words = texts(slides_of(review))
    assert "Our own summary, in our own words." in words
    assert "Quarterly business review of Acme Manufacturing, covering" not in words


def test_a_second_export_adds_version_two_of_both_documents(acme: Any, carol: Any, engagement: Any) -> None:
    review = exported(acme, carol)
    first_deck, first_pdf = review.deck_id, review.handout_id

    again = actions.export_review(review, by=carol)

    assert (again.deck_id, again.handout_id) == (first_deck, first_pdf)
    assert again.deck.current_version.number == 2
    assert again.handout.current_version.number == 2
    assert again.deck.versions.count() == 2 and again.handout.versions.count() == 2
    Presentation(io.BytesIO(body(again.deck)))


def test_a_review_without_any_data_says_so_and_has_no_charts(carol: Any, playbook_version: Any) -> None:
    from cairn.customers.models import Account
    from cairn.engagements.actions import EngagementData, start_engagement

    fresh = Account.objects.create(name="Borealis Freight", owner=carol)
    start_engagement(fresh, EngagementData(
        initiative="Fleet routing", owner=carol, start_date=dt.date(2026, 11, 1),
    ), by=carol, version=playbook_version)

    review = exported(fresh, carol)

    slides = slides_of(review)
    assert pictures(slides) == []
    words = texts(slides)
    assert "No value item is recorded yet, so there is no progress to chart." in words
    assert "No usage figure was measured in the period." in words
    assert "No health score was recorded in the period." in words
    assert "No support ticket was opened in the period" in words
    assert "KPIs" not in titles(slides)
    pdf = body(review.handout)
    assert_not_blank(first_page_image(pdf))
    assert "No health score was recorded in the period." in pdf_text(pdf)
    assert b"/Subtype /Image" not in pdf


def test_markup_emoji_control_characters_and_endless_lines_export_as_typed(
    acme: Any, carol: Any, engagement: Any
) -> None:
    typed = "<script>alert('x')</script> & <b>bold</b> 🚀 done"
    endless = "x" * 3000
    wordy = " ".join(f"word{i}" for i in range(1500))
    review = exported(acme, carol, summary=f"{typed}\n{endless}\n{wordy}\nsecond\x0bline", value_text=wordy)

    slides = slides_of(review)
    words = texts(slides)
    assert typed in words
    assert "secondline" in words
    assert "Summary (continued)" in titles(slides)
    # Too long to share a slide with its chart: the text runs on, the "no data" note follows it.
    assert titles(slides).count("Value delivered (continued)") >= 2
    sizes = {run.font.size.pt for slide in slides for shape in slide.shapes if shape.has_text_frame
             for paragraph in shape.text_frame.paragraphs for run in paragraph.runs if run.font.size}
    assert min(sizes) >= 10  # the footer; no text shrunk below it to squeeze in
    pdf = pdf_text(body(review.handout))
    assert "<script>alert('x')</script>" in pdf
    assert "<b>bold</b>" in pdf


def test_a_kpi_named_with_a_control_character_still_draws_its_chart(
    acme: Any, carol: Any, engagement: Any
) -> None:
    from cairn.adoption import actions as adoption
    from cairn.adoption.models import Kpi

    kpi = adoption.save_item(Kpi(
        engagement=engagement, name="Energy\x01 per unit", unit="kWh", direction="lower",
        baseline_value=Decimal("100"), baseline_date=dt.date(2026, 8, 15),
        target_value=Decimal("80"), target_date=dt.date(2027, 3, 31),
    ), engagement, by=carol)
    adoption.record_reading(kpi, on=dt.date(2026, 10, 28), value=Decimal("90"), by=carol)

    review = exported(acme, carol)

    pictures = [s for slide in slides_of(review) for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert any(p.name.startswith("Energy per unit") or "Energy per unit" in p.name for p in pictures)


def test_an_account_without_an_engagement_cannot_be_exported(carol: Any) -> None:
    from cairn.customers.models import Account

    lonely = Account.objects.create(name="Cirrus Labs", owner=carol)
    review = actions.prepare_review(programme(lonely, carol), actions.Prepare(date=DAY), by=carol)

    with pytest.raises(ValidationError) as refused:
        actions.export_review(review, by=carol)

    assert "engagement" in refused.value.message_dict
    review.refresh_from_db()
    assert review.deck_id is None and review.handout_id is None


def test_long_text_runs_on_over_continuation_slides_and_short_text_takes_one() -> None:
    assert deck.pages(["One short line."], deck.FULL_W, 5.0) == [(20, ["One short line."])]
    many = [f"Point {i}: " + "a sentence of some length " * 6 for i in range(40)]
    slides = deck.pages(many, deck.FULL_W, 5.0)
    assert len(slides) > 1
    assert all(size == deck.RUN_ON_SIZE for size, _ in slides)
    assert sum(len(chunk) for _, chunk in slides) == 40
    assert deck.lines_of("- one\n\n* two\n3. three\n  \n") == ["one", "two", "three"]


# The charts alone ------------------------------------------------------------------------

START = dt.date(2026, 9, 7)


def is_png(data: bytes | None) -> bool:
    return data is not None and data.startswith(b"\x89PNG\r\n\x1a\n") and ink_share(Image.open(io.BytesIO(data))) > 0.02


def test_each_chart_draws_a_png_from_its_figures() -> None:
    kpi = KpiSeries("Cost per order $", "EUR", 12.5, 9.0, dt.date(2027, 1, 31),
                    [(START, 12.0), (START + dt.timedelta(days=30), 11.2)], "On track", 37)
    trends = [MetricTrend(f"Metric {i} 🚀", [(START + dt.timedelta(weeks=w), 1000.0 + 50 * w * i) for w in range(6)],
                          i % 2 == 0) for i in range(4)]

    assert is_png(charts.value_chart([ValueColumn("Promised", 4, 3, 1, 62), ValueColumn("All value", 6, 3, 1, 40)]))
    assert is_png(charts.kpi_chart(kpi))
    assert is_png(charts.usage_chart(trends))
    assert is_png(charts.health_chart([(START, 45.0)], green_from=80, red_below=50))


def test_a_chart_without_data_is_none() -> None:
    unmeasured = KpiSeries("Peak load", "kW", 100, 80, dt.date(2027, 1, 31), [], "Not started", None)

    assert charts.value_chart([]) is None
    assert charts.value_chart([ValueColumn("Promised", 3, 0, 0, None)]) is None
    assert charts.kpi_chart(unmeasured) is None
    assert charts.usage_chart([]) is None
    assert charts.health_chart([]) is None


def test_figures_are_written_with_thousands_separators_and_days_as_people_say_them() -> None:
    assert charts.amount(12000) == "12,000"
    assert charts.amount(3.50, 2) == "3.5"
    assert charts.day_month(dt.date(2026, 3, 12)) == "12 Mar"
    assert charts.plain("Cost in $ 🚀") == r"Cost in \$ "
