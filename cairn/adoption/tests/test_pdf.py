"""The roadmap and governance PDFs, the KPI chart and the heat map render, and not blank."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

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


def test_the_governance_pdf_is_not_blank(engagement, carol, as_carol):
    kpi = make_kpi(engagement)
    add_readings(kpi, 5)
    add_risks(engagement, 4)
    meeting = actions.hold_governance_meeting(engagement, held_on=dt.date(2026, 9, 10), by=carol,
                                              attendees="Dana, Marcus")
    response = as_carol.get(reverse("adoption_governance_pdf", args=[engagement.pk, meeting.pk]))
    assert response.status_code == 200
    assert_not_blank(first_page_image(response.content))


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
