"""The adoption pages through the HTTP client: who may read and write, validation shown by
the field, and a constant number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.adoption import actions
from cairn.adoption.models import (
    GovernanceMeeting,
    ImpactedGroup,
    KpiReading,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessWorkshop,
    Risk,
)
from cairn.adoption.tests.conftest import add_milestone, add_readings, fill, make_kpi

pytestmark = pytest.mark.django_db

PAGES = [
    "adoption_impact", "adoption_risks", "adoption_plan", "adoption_pilot", "adoption_roadmap",
    "adoption_work_packages", "adoption_readiness", "adoption_measurements", "adoption_challenges",
    "adoption_governance", "adoption_lessons",
]


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_every_page_keeps_a_constant_number_of_queries(engagement, carol, as_carol):
    fill(engagement, carol, 2)
    before = {name: _count(as_carol, reverse(name, args=[engagement.pk])) for name in PAGES}
    fill(engagement, carol, 30)
    after = {name: _count(as_carol, reverse(name, args=[engagement.pk])) for name in PAGES}
    assert after == before


def test_the_kpi_page_keeps_a_constant_number_of_queries(engagement, as_carol):
    kpi = make_kpi(engagement)
    add_readings(kpi, 2)
    add_milestone(kpi, dt.date(2026, 2, 1), "120")
    url = reverse("adoption_kpi", args=[engagement.pk, kpi.pk])
    before = _count(as_carol, url)
    add_readings(kpi, 40, start=dt.date(2026, 3, 1))
    for month in range(3, 12):
        add_milestone(kpi, dt.date(2026, month, 15), str(120 - month))
    assert _count(as_carol, url) == before


def test_long_lists_are_paged(engagement, carol, as_carol):
    fill(engagement, carol, 51)
    lists = [
        ("adoption_impact", "groups"), ("adoption_impact", "processes"), ("adoption_impact", "considerations"),
        ("adoption_plan", "steps"), ("adoption_risks", "page"), ("adoption_work_packages", "page"),
        ("adoption_readiness", "page"), ("adoption_challenges", "page"), ("adoption_lessons", "page"),
    ]
    for name, param in lists:
        url = reverse(name, args=[engagement.pk])
        assert f'href="?{param}=2"' in as_carol.get(url).content.decode(), (name, param)
        assert 'rel="prev"' in as_carol.get(url, {param: 2}).content.decode(), (name, param)


@pytest.mark.parametrize("persona", ["as_rita", "as_dave"])
def test_everyone_signed_in_reads_the_pages_without_edit_controls(engagement, carol, persona, request):
    fill(engagement, carol, 1)
    client = request.getfixturevalue(persona)
    for name in PAGES:
        page = client.get(reverse(name, args=[engagement.pk])).content.decode()
        assert "Add impacted group" not in page and "Record reading" not in page


@pytest.mark.parametrize("persona", ["as_rita", "as_dave"])
def test_readers_and_outsiders_cannot_write(engagement, persona, request):
    client = request.getfixturevalue(persona)
    posts = [
        ("adoption_group_new", {"name": "Nurses", "impact": "direct", "knowledge_gap": 1, "skills_gap": 1,
                                "attitude_gap": 1}),
        ("adoption_risk_new", {"title": "x", "likelihood": 3, "impact": 3, "status": "open"}),
        ("adoption_outline", {"section_0": "x"}),
        ("adoption_challenge_new", {"challenge": "x", "impact": "y", "raised_on": "2026-09-01"}),
        ("adoption_governance_new", {"held_on": "2026-09-01"}),
    ]
    for name, data in posts:
        assert client.post(reverse(name, args=[engagement.pk]), data).status_code == 403, name
    assert not ImpactedGroup.objects.exists() and not Risk.objects.exists()
    assert not GovernanceMeeting.objects.exists()


def test_adding_an_impacted_group_with_ksa_gaps(engagement, as_carol):
    url = reverse("adoption_group_new", args=[engagement.pk])
    assert "Add impacted group" in as_carol.get(reverse("adoption_impact", args=[engagement.pk])).content.decode()
    response = as_carol.post(url, {
        "name": "Ward nurses", "impact": "direct", "size": "380", "location": "All wards",
        "knowledge_gap": "2", "knowledge_note": "New bed states", "skills_gap": "1", "attitude_gap": "3",
        "attitude_note": "Fear of more screen time", "training_needs": "Ward sessions of 45 minutes",
    })
    assert response.status_code == 302
    group = ImpactedGroup.objects.get()
    assert (group.knowledge_gap, group.skills_gap, group.attitude_gap, group.largest_gap) == (2, 1, 3, 3)
    page = as_carol.get(reverse("adoption_impact", args=[engagement.pk])).content.decode()
    assert "Ward nurses" in page and "Attitude: high" in page


def test_a_duplicate_group_name_is_named_on_the_field_and_nothing_saved(engagement, as_carol):
    ImpactedGroup.objects.create(engagement=engagement, name="Porters")
    response = as_carol.post(reverse("adoption_group_new", args=[engagement.pk]), {
        "name": "porters", "impact": "direct", "knowledge_gap": "0", "skills_gap": "0", "attitude_gap": "0",
    })
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert ImpactedGroup.objects.count() == 1


def test_a_risk_out_of_scale_is_refused_by_the_field(engagement, as_carol):
    response = as_carol.post(reverse("adoption_risk_new", args=[engagement.pk]),
                             {"title": "Union objects", "likelihood": "7", "impact": "3", "status": "open"})
    assert 'id="id_likelihood_error"' in response.content.decode()
    assert not Risk.objects.exists()


def test_the_risk_register_lists_by_score_with_levels(engagement, as_carol):
    Risk.objects.create(engagement=engagement, title="Low one", likelihood=1, impact=2)
    Risk.objects.create(engagement=engagement, title="Critical one", likelihood=5, impact=4)
    page = as_carol.get(reverse("adoption_risks", args=[engagement.pk])).content.decode()
    assert page.index("Critical one") < page.index("Low one")
    assert "risk-critical" in page and 'class="heat-map"' in page
    assert 'data-likelihood="5" data-impact="4"' in page


def test_the_plan_flow_on_the_pages(engagement, as_carol, derek):
    detailed_url = reverse("adoption_detailed", args=[engagement.pk])
    blocked = as_carol.post(detailed_url, {"section_0": "Too early"})
    assert "approved the outline" in blocked.content.decode()
    outline = as_carol.get(reverse("adoption_outline", args=[engagement.pk])).content.decode()
    assert "Objectives and scope" in outline
    assert as_carol.post(reverse("adoption_outline", args=[engagement.pk]),
                         {"section_0": "Beds found faster", "section_4": "Floor walkers"}).status_code == 302
    approval = as_carol.post(reverse("adoption_approve", args=[engagement.pk]),
                             {"approved_by": derek.pk, "approved_on": "2026-09-02", "note": "Steering group"})
    assert approval.status_code == 302
    form = as_carol.get(detailed_url).content.decode()
    assert "Training plan per impacted group" in form and "Beds found faster" in form
    assert as_carol.post(detailed_url, {"section_0": "Beds found faster", "base_version": ""}).status_code == 302
    page = as_carol.get(reverse("adoption_plan", args=[engagement.pk])).content.decode()
    assert "Derek Shaw" in page and "Detailed plan" in page


def test_recording_a_reading_and_a_bad_one(engagement, as_carol):
    kpi = make_kpi(engagement)
    url = reverse("adoption_reading_new", args=[engagement.pk, kpi.pk])
    page = as_carol.get(reverse("adoption_kpi", args=[engagement.pk, kpi.pk])).content.decode()
    assert 'id="record-reading"' in page and "Not started" in page
    early = as_carol.post(url, {"date": "2025-06-01", "value": "120"})
    assert 'id="id_date_error"' in early.content.decode()
    assert as_carol.post(url, {"date": "2026-07-01", "value": "100"}).status_code == 302
    reading = KpiReading.objects.get()
    assert reading.recorded_by.username == "carol"
    page = as_carol.get(reverse("adoption_kpi", args=[engagement.pk, kpi.pk])).content.decode()
    assert 'data-status="on_track"' in page and 'class="kpi-chart"' in page


def test_readiness_items_are_resolved_or_carried(engagement, as_carol):
    workshop = ReadinessWorkshop.objects.create(engagement=engagement, held_on=dt.date(2026, 9, 3), participants="x")
    as_carol.post(reverse("adoption_item_new", args=[engagement.pk, workshop.pk]), {"item": "Rooms booked"})
    as_carol.post(reverse("adoption_item_new", args=[engagement.pk, workshop.pk]), {"item": "Laptops imaged"})
    rooms, laptops = ReadinessItem.objects.order_by("pk")
    no_reason = as_carol.post(reverse("adoption_item_resolve", args=[engagement.pk, rooms.pk]), {"resolution": ""})
    assert 'id="id_resolution_error"' in no_reason.content.decode()
    as_carol.post(reverse("adoption_item_resolve", args=[engagement.pk, rooms.pk]), {"resolution": "Booked"})
    as_carol.post(reverse("adoption_item_carry", args=[engagement.pk, laptops.pk]), {"impact": "Night shift"})
    assert [i.status for i in ReadinessItem.objects.order_by("pk")] == ["resolved", "carried"]
    log = as_carol.get(reverse("adoption_challenges", args=[engagement.pk])).content.decode()
    assert "Laptops imaged" in log


def test_lessons_show_only_flagged_challenges(engagement, as_carol):
    as_carol.post(reverse("adoption_challenge_new", args=[engagement.pk]), {
        "challenge": "Night shift missed training", "impact": "30 % untrained", "raised_on": "2026-09-01",
        "is_lesson": "on", "lesson": "Plan night sessions from the start",
    })
    as_carol.post(reverse("adoption_challenge_new", args=[engagement.pk]), {
        "challenge": "Projector broke", "impact": "One session moved", "raised_on": "2026-09-02",
    })
    page = as_carol.get(reverse("adoption_lessons", args=[engagement.pk])).content.decode()
    assert "Plan night sessions from the start" in page and "Projector broke" not in page


def test_the_lessons_tool_is_offered_in_engagement_evaluation(engagement, as_carol):
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert reverse("adoption_lessons", args=[engagement.pk]) in page
    assert reverse("adoption_measurements", args=[engagement.pk]) in page


def test_a_governance_report_is_written_from_the_data(engagement, carol, as_carol):
    kpi = make_kpi(engagement)
    add_readings(kpi, 3)
    Risk.objects.create(engagement=engagement, title="SCADA upgrade", likelihood=4, impact=4)
    response = as_carol.post(reverse("adoption_governance_new", args=[engagement.pk]),
                             {"held_on": "2026-09-10", "attendees": "Dana, Marcus", "decisions": "Add night sessions"})
    assert response.status_code == 302
    meeting = GovernanceMeeting.objects.get()
    body = meeting.report.current_version.body
    assert "Restoration time" in body and "SCADA upgrade" in body and "Add night sessions" in body
    assert meeting.report.doc_type == "governance_report"


def test_the_pilot_result_comes_from_each_criterion_and_its_evidence(engagement, as_carol):
    as_carol.post(reverse("adoption_pilot_edit", args=[engagement.pk]), {
        "kind": "pov", "scope": "Wards 4 and 7", "starts": "2026-09-01", "ends": "2026-10-31",
    })
    new = reverse("adoption_criterion_new", args=[engagement.pk])
    for text in ("Wait for a bed under 5 hours", "Nurses would keep the board"):
        assert as_carol.post(new, {"criterion": text, "result": "pending"}).status_code == 302
    page = as_carol.get(reverse("adoption_pilot", args=[engagement.pk])).content.decode()
    assert 'id="pilot-result" data-result="pending"' in page and "Nurses would keep the board" in page
    wait, board = PilotCriterion.objects.order_by("pk")
    no_evidence = as_carol.post(reverse("adoption_criterion_edit", args=[engagement.pk, wait.pk]),
                                {"criterion": wait.criterion, "result": "met", "evidence": ""})
    assert no_evidence.status_code == 200 and 'id="id_evidence_error"' in no_evidence.content.decode()
    assert PilotCriterion.objects.get(pk=wait.pk).result == "pending"
    for criterion, result, evidence in ((wait, "met", "Median 4 h 10"), (board, "not_met", "9 of 30 in the survey")):
        response = as_carol.post(reverse("adoption_criterion_edit", args=[engagement.pk, criterion.pk]),
                                 {"criterion": criterion.criterion, "result": result, "evidence": evidence})
        assert response.status_code == 302
    page = as_carol.get(reverse("adoption_pilot", args=[engagement.pk])).content.decode()
    assert 'id="pilot-result" data-result="partly"' in page and "9 of 30 in the survey" in page


def test_a_blank_or_repeated_criterion_is_refused_by_the_field(engagement, as_carol):
    Pilot.objects.create(engagement=engagement, kind="poc", scope="x", starts=dt.date(2026, 9, 1),
                         ends=dt.date(2026, 9, 30))
    url = reverse("adoption_criterion_new", args=[engagement.pk])
    as_carol.post(url, {"criterion": "Alarms on one screen", "result": "pending"})
    for text in ("", "alarms on ONE screen"):
        response = as_carol.post(url, {"criterion": text, "result": "pending"})
        assert 'id="id_criterion_error"' in response.content.decode(), text
    assert PilotCriterion.objects.count() == 1


@pytest.mark.parametrize("persona", ["as_rita", "as_dave"])
def test_readers_and_outsiders_cannot_add_or_judge_criteria(engagement, persona, request):
    pilot = Pilot.objects.create(engagement=engagement, kind="poc", scope="x", starts=dt.date(2026, 9, 1),
                                 ends=dt.date(2026, 9, 30))
    criterion = PilotCriterion.objects.create(pilot=pilot, criterion="Works")
    client = request.getfixturevalue(persona)
    assert client.post(reverse("adoption_criterion_new", args=[engagement.pk]),
                       {"criterion": "More", "result": "pending"}).status_code == 403
    assert client.post(reverse("adoption_criterion_edit", args=[engagement.pk, criterion.pk]),
                       {"criterion": "Works", "result": "met", "evidence": "x"}).status_code == 403
    assert list(PilotCriterion.objects.values_list("result", flat=True)) == ["pending"]


def test_the_governance_report_shows_each_kpi_chart_as_the_meeting_saw_it(engagement, carol, as_carol):
    restoration = make_kpi(engagement)
    add_readings(restoration, 3)
    make_kpi(engagement, name="Staff trained", unit="%", direction="higher", baseline_value=0, target_value=100)
    actions.hold_governance_meeting(engagement, held_on=dt.date(2026, 2, 1), by=carol)
    add_readings(restoration, 2, start=dt.date(2026, 3, 1))  # recorded after the meeting
    page = as_carol.get(reverse("adoption_governance", args=[engagement.pk])).content.decode()
    charts = page[page.index('class="governance-charts"'):page.index("Work packages</h2>")]
    assert charts.count('class="kpi-chart"') == 2 and charts.count('class="reading"') == 3
    assert page.index("Measurements</h2>") < page.index('class="governance-charts"')
    assert 'data-status="not_started"' in charts


def _workshop_with_items(engagement):  # type: ignore[no-untyped-def]
    workshop = ReadinessWorkshop.objects.create(engagement=engagement, held_on=dt.date(2026, 9, 3),
                                                participants="Marcus, Elena")
    rooms = ReadinessItem.objects.create(workshop=workshop, item="Rooms boked", owner="Grace")
    laptops = ReadinessItem.objects.create(workshop=workshop, item="Laptops imaged", status="resolved",
                                           resolution="All 40 done")
    return rooms, laptops


def test_a_checklist_item_is_reworded_after_the_workshop(engagement, as_carol):
    rooms, laptops = _workshop_with_items(engagement)
    page = as_carol.get(reverse("adoption_readiness", args=[engagement.pk])).content.decode()
    assert reverse("adoption_item_edit", args=[engagement.pk, laptops.pk]) in page
    response = as_carol.post(reverse("adoption_item_edit", args=[engagement.pk, rooms.pk]),
                             {"item": "Training rooms booked for every shift", "owner": "Grace Tan"})
    assert response.status_code == 302
    rooms.refresh_from_db()
    assert (rooms.item, rooms.owner, rooms.status) == ("Training rooms booked for every shift", "Grace Tan", "open")
    as_carol.post(reverse("adoption_item_edit", args=[engagement.pk, laptops.pk]),
                  {"item": "Laptops imaged and tested", "owner": ""})
    laptops.refresh_from_db()
    assert (laptops.item, laptops.status, laptops.resolution) == ("Laptops imaged and tested", "resolved",
                                                                  "All 40 done")
    page = as_carol.get(reverse("adoption_readiness", args=[engagement.pk])).content.decode()
    assert "Training rooms booked for every shift" in page and "Rooms boked" not in page


def test_an_item_without_text_is_refused_by_the_field_and_kept(engagement, as_carol):
    rooms, _ = _workshop_with_items(engagement)
    for text in ("", "   ", "x" * 301):
        response = as_carol.post(reverse("adoption_item_edit", args=[engagement.pk, rooms.pk]),
                                 {"item": text, "owner": "Someone else"})
        assert response.status_code == 200 and 'id="id_item_error"' in response.content.decode(), text
    rooms.refresh_from_db()
    assert (rooms.item, rooms.owner) == ("Rooms boked", "Grace")


@pytest.mark.parametrize("persona", ["as_rita", "as_dave"])
def test_readers_and_outsiders_cannot_edit_an_item(engagement, persona, request):
    rooms, _ = _workshop_with_items(engagement)
    client = request.getfixturevalue(persona)
    url = reverse("adoption_item_edit", args=[engagement.pk, rooms.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"item": "Changed", "owner": ""}).status_code == 403
    assert ReadinessItem.objects.get(pk=rooms.pk).item == "Rooms boked"


def test_an_item_of_a_closed_engagement_stays_as_it_is(engagement, carol, as_carol):
    from cairn.engagements.actions import set_status

    rooms, _ = _workshop_with_items(engagement)
    set_status(engagement, "closed", by=carol)
    response = as_carol.post(reverse("adoption_item_edit", args=[engagement.pk, rooms.pk]),
                             {"item": "Changed", "owner": ""})
    assert "The engagement is closed" in response.content.decode()
    assert ReadinessItem.objects.get(pk=rooms.pk).item == "Rooms boked"


def _approved_outline(engagement, carol, derek):  # type: ignore[no-untyped-def]
    actions.write_outline(engagement, "# Adoption plan (outline)\n\n## Scope\n\nTwo wards", by=carol)
    return actions.approve_outline(engagement, stakeholder=derek, approved_on=dt.date(2026, 9, 2), by=carol)


def test_editing_the_approved_outline_warns_and_makes_a_version_awaiting_approval(engagement, carol, derek,
                                                                                  as_carol):
    _approved_outline(engagement, carol, derek)
    plan_url = reverse("adoption_plan", args=[engagement.pk])
    page = as_carol.get(plan_url).content.decode()
    assert 'id="awaiting-approval"' not in page and 'id="send-outline"' not in page
    form = as_carol.get(reverse("adoption_outline", args=[engagement.pk])).content.decode()
    assert 'id="reapproval-warning"' in form and "Saving makes version 2, which needs a new approval" in form
    saved = as_carol.post(reverse("adoption_outline", args=[engagement.pk]),
                          {"section_0": "Three wards", "base_version": "1"}, follow=True)
    assert "saved as version 2; it needs a new approval" in saved.content.decode()
    page = as_carol.get(plan_url).content.decode()
    approval = page[page.index('id="approval"'):page.index('id="detailed"')]
    assert "version 1</a> by <strong>Derek Shaw, VP Operations</strong>" in approval
    assert "Version 2 awaits a new approval" in approval and 'id="send-outline"' in approval


def test_an_edit_of_the_approved_outline_in_the_repository_is_warned_and_needs_a_new_approval(
    engagement, carol, derek, as_carol,
):
    plan = _approved_outline(engagement, carol, derek)
    edit_url = reverse("document_edit", args=[plan.outline.pk])
    page = as_carol.get(edit_url).content.decode()
    assert "Derek Shaw, VP Operations approved this outline (version 1)" in page
    assert "Saving makes version 2, which needs a new approval" in page
    response = as_carol.post(edit_url, {
        "title": plan.outline.title, "doc_type": "adoption_plan", "phase": plan.outline.phase_id or "",
        "body": "# Adoption plan (outline)\n\n## Scope\n\nAll wards", "base_version": "1", "comment": "",
    })
    assert response.status_code == 302
    plan.refresh_from_db()
    plan.outline.refresh_from_db()
    assert plan.outline.current_version.number == 2 and plan.approved_version == 1 and plan.awaits_approval
    page = as_carol.get(reverse("adoption_plan", args=[engagement.pk])).content.decode()
    assert "Version 2 awaits a new approval" in page
    assert "version 1, the current one" not in as_carol.post(
        reverse("adoption_approve", args=[engagement.pk]), {"approved_by": derek.pk, "approved_on": "2026-09-20"},
        follow=True,
    ).content.decode()
    plan.refresh_from_db()
    assert plan.approved_version == 2 and not plan.awaits_approval


def test_other_documents_are_edited_without_an_approval_warning(engagement, carol, as_carol):
    from cairn.documents.actions import Details, create_written

    notes = create_written(engagement, Details("Kick-off notes"), "# Notes", by=carol)
    page = as_carol.get(reverse("document_edit", args=[notes.pk])).content.decode()
    assert "needs a new approval" not in page
