"""The roadmap and governance PDFs, the KPI chart and the heat map render, and not blank."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from PIL import Image, ImageChops

from cairn.adoption import actions, queries
from cairn.adoption.models import RoadmapStep
from cairn.adoption.tests.conftest import add_milestone, add_readings, add_risks, make_kpi
from cairn.testing_pdf import assert_not_blank, first_page_image, svg_not_blank

pytestmark = pytest.mark.django_db


def test_the_roadmap_pdf_is_not_blank(engagement, carol, as_rita):
    actions.save_roadmap_summary(engagement, "From October, beds are found on one board.", by=carol)
    for n, title in enumerate(["Awareness", "Training", "Go-live"]):
        RoadmapStep.objects.create(engagement=engagement, title=title, starts=dt.date(2026, 10, 1 + n * 10),
                                   ends=dt.date(2026, 10, 8 + n * 10), audience="All nurses")
    response = as_rita.get(reverse("adoption_roadmap_pdf", args=[engagement.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(response.content))


# The colour of the actual line in a KPI chart (charts.py): nothing else in a PDF is this blue.
ACTUAL_BLUE = (0x2A, 0x6F, 0x97)


def _share_of(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 24) -> float:
    """The share of pixels within `tolerance` of the colour on every channel."""
    difference = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, rgb))
    red, green, blue = difference.split()
    furthest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    near = furthest.point(lambda v: 255 if v <= tolerance else 0).histogram()[255]
    return near / (image.width * image.height)


def test_the_governance_pdf_draws_each_kpi_chart(engagement, carol, as_carol):
    kpi = make_kpi(engagement)
    add_milestone(kpi, dt.date(2026, 4, 1), "110")
    add_readings(kpi, 8)
    add_risks(engagement, 2)
    meeting = actions.hold_governance_meeting(engagement, held_on=dt.date(2026, 3, 10), by=carol,
                                              attendees="Dana, Marcus")
    response = as_carol.get(reverse("adoption_governance_pdf", args=[engagement.pk, meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page = first_page_image(response.content, scale=2)
    assert_not_blank(page)
    # The legend's short line alone inks about 0.01 %; the readings' line and dots add more.
    assert _share_of(page, ACTUAL_BLUE) > 0.0003


def test_a_governance_pdf_without_kpis_has_no_chart(engagement, carol, as_carol):
    meeting = actions.hold_governance_meeting(engagement, held_on=dt.date(2026, 3, 10), by=carol)
    response = as_carol.get(reverse("adoption_governance_pdf", args=[engagement.pk, meeting.pk]))
    page = first_page_image(response.content, scale=2)
    assert_not_blank(page)
    assert _share_of(page, ACTUAL_BLUE) == 0


def test_the_kpi_chart_draws_target_and_actual(engagement):
    kpi = make_kpi(engagement)
    add_milestone(kpi, dt.date(2026, 6, 30), "110")
    add_readings(kpi, 12)
    card = queries.kpi_card(queries.kpis_with_data(engagement).get())
    svg = str(card["chart"])
    assert 'class="target-path"' in svg and 'class="actual"' in svg and svg.count('class="reading"') == 12
    assert svg_not_blank(svg)


def test_a_kpi_chart_without_readings_still_shows_the_target_path(engagement):
    make_kpi(engagement)
    svg = str(queries.kpi_card(queries.kpis_with_data(engagement).get())["chart"])
    assert 'class="actual"' not in svg
    assert svg_not_blank(svg)


def test_the_heat_map_is_not_blank(engagement):
    add_risks(engagement, 12)
    assert svg_not_blank(str(queries.risk_heat_map(engagement)))
