"""The onboarding plan through its pages: rules, permissions, progress, the Gantt chart, reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cairn.documents.models import Document, DocumentType
from cairn.onboarding.models import Milestone, OnboardingPlan, PlanActivity, PlanPhase
from cairn.onboarding.tests.conftest import TODAY, add_activity, queries_of
from cairn.testing_pdf import assert_not_blank, first_page_image, svg_not_blank
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def _url(name: str, engagement, *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[engagement.pk, *args])


def test_the_onboarding_tools_are_listed_on_the_engagement_page(engagement, as_carol):
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    for label in ("Welcome pack", "Onboarding plan", "Time"):
        assert label in page
    assert _url("onboarding_plan", engagement) in page


def test_the_owner_starts_a_plan_with_terms_and_fees(engagement, as_carol):
    response = as_carol.post(_url("onboarding_plan_edit", engagement), {
        "scope": "Set-up and pilot", "start_date": "2026-09-01", "deadline": "2026-11-30",
        "reporting_cadence": "fortnightly", "service_fee": "12500", "fee_currency": "eur",
        "fee_note": "Half at kick-off",
    })
    assert response.status_code == 302
    plan = OnboardingPlan.objects.get(engagement=engagement)
    assert plan.fee_currency == "EUR"
    assert Entry.objects.filter(engagement=engagement, kind=EntryKind.PLANNING,
                                title__startswith="Onboarding plan created").exists()


def test_a_deadline_before_the_start_is_refused_on_its_field(engagement, as_carol):
    response = as_carol.post(_url("onboarding_plan_edit", engagement), {
        "scope": "x", "start_date": "2026-09-01", "deadline": "2026-08-01", "reporting_cadence": "weekly",
    })
    assert response.status_code == 200
    assert "The deadline must not be before the start date." in response.content.decode()
    assert response.context["form"].errors["deadline"]
    assert not OnboardingPlan.objects.exists()


def test_fees_need_a_currency(engagement, as_carol):
    response = as_carol.post(_url("onboarding_plan_edit", engagement), {
        "scope": "x", "start_date": "2026-09-01", "deadline": "2026-10-01",
        "reporting_cadence": "weekly", "service_fee": "100",
    })
    assert "fee_currency" in response.context["form"].errors
    assert not OnboardingPlan.objects.exists()


def test_a_phase_outside_the_plan_is_refused(plan, as_carol):
    response = as_carol.post(_url("onboarding_phase_create", plan.engagement), {
        "name": "Too early", "start_date": (plan.start_date - dt.timedelta(days=3)).isoformat(),
        "end_date": plan.start_date.isoformat(),
    })
    assert response.status_code == 400
    assert "start_date" in response.context["form"].errors
    assert not PlanPhase.objects.exists()


def test_an_activity_ending_before_it_starts_names_the_end_date(phase, as_carol):
    response = as_carol.post(_url("onboarding_activity_create", phase.plan.engagement), {
        "phase": phase.pk, "name": "Backwards", "start_date": phase.end_date.isoformat(),
        "end_date": phase.start_date.isoformat(), "status": "planned",
    })
    assert response.status_code == 400
    assert "The end date must not be before the start date." in response.context["form"].errors["end_date"]
    assert not PlanActivity.objects.exists()


def test_an_activity_must_fit_its_phase(phase, as_carol):
    response = as_carol.post(_url("onboarding_activity_create", phase.plan.engagement), {
        "phase": phase.pk, "name": "Late", "start_date": phase.start_date.isoformat(),
        "end_date": (phase.end_date + dt.timedelta(days=1)).isoformat(), "status": "planned",
    })
    assert "end_date" in response.context["form"].errors
    assert not PlanActivity.objects.exists()


def test_an_activity_is_owned_by_our_user_or_the_customers_contact(phase, contact, as_carol):
    engagement = phase.plan.engagement
    response = as_carol.post(_url("onboarding_activity_create", engagement), {
        "phase": phase.pk, "name": "Name the site champions", "start_date": phase.start_date.isoformat(),
        "end_date": phase.end_date.isoformat(), "status": "planned", "responsible": f"c{contact.pk}",
    })
    assert response.status_code == 302
    activity = PlanActivity.objects.get()
    assert activity.responsible_contact == contact and activity.responsible_user is None


def test_a_contact_of_another_account_cannot_be_responsible(phase, carol, other_contact):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        add_activity(phase, carol, responsible_contact=other_contact)
    assert "responsible_contact" in caught.value.message_dict
    assert not PlanActivity.objects.exists()


def test_progress_comes_from_the_activities_done(phase, carol, as_carol):
    first = add_activity(phase, carol, "One")
    add_activity(phase, carol, "Two")
    add_activity(phase, carol, "Three", status="done")
    engagement = phase.plan.engagement
    response = as_carol.post(_url("onboarding_activity_status", engagement, first.pk), {"status": "done"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.completed_on == TODAY
    page = as_carol.get(_url("onboarding_plan", engagement)).content.decode()
    assert "2 of 3 activities done (67 %)" in page
    assert Entry.objects.filter(title="Onboarding activity done: One").exists()


def test_a_reached_milestone_goes_on_the_timeline(plan, phase, as_carol):
    engagement = plan.engagement
    as_carol.post(_url("onboarding_milestone_create", engagement), {
        "name": "Pilot live", "due_date": (TODAY + dt.timedelta(days=5)).isoformat(), "phase": phase.pk,
    })
    milestone = Milestone.objects.get()
    response = as_carol.post(_url("onboarding_milestone_edit", engagement, milestone.pk), {
        "name": "Pilot live", "due_date": milestone.due_date.isoformat(), "phase": phase.pk,
        "done_on": TODAY.isoformat(),
    })
    assert response.status_code == 302
    assert Entry.objects.filter(title="Milestone reached: Pilot live").exists()


def test_a_milestone_outside_the_plan_is_refused(plan, as_carol):
    response = as_carol.post(_url("onboarding_milestone_create", plan.engagement), {
        "name": "Way later", "due_date": (plan.deadline + dt.timedelta(days=1)).isoformat(),
    })
    assert "due_date" in response.context["form"].errors
    assert not Milestone.objects.exists()


def test_the_plan_dates_cannot_shrink_past_its_phases(phase, carol):
    from django.core.exceptions import ValidationError

    from cairn.onboarding.actions import save_plan

    plan = phase.plan
    plan.deadline = phase.end_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        save_plan(plan, by=carol)
    assert "Set-up" in caught.value.message_dict["deadline"][0]


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_can_read_but_not_change_the_plan(phase, carol, persona, request):
    client = request.getfixturevalue(persona)
    engagement = phase.plan.engagement
    activity = add_activity(phase, carol)
    assert client.get(_url("onboarding_plan", engagement)).status_code == 200
    assert client.post(_url("onboarding_activity_status", engagement, activity.pk),
                       {"status": "done"}).status_code == 403
    assert client.post(_url("onboarding_phase_create", engagement),
                       {"name": "x", "start_date": "2026-09-01", "end_date": "2026-09-02"}).status_code == 403
    assert client.post(_url("onboarding_plan_edit", engagement), {"scope": "mine"}).status_code == 403
    assert client.post(_url("onboarding_phase_delete", engagement, phase.pk)).status_code == 403
    activity.refresh_from_db()
    assert activity.status == "planned"
    assert PlanPhase.objects.count() == 1


def test_a_leader_may_change_any_plan(phase, carol, as_alice):
    activity = add_activity(phase, carol)
    response = as_alice.post(_url("onboarding_activity_status", phase.plan.engagement, activity.pk),
                             {"status": "in_progress"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "in_progress"


def test_a_closed_engagement_keeps_its_plan_as_it_is(phase, carol, as_carol):
    from cairn.engagements.actions import set_status

    activity = add_activity(phase, carol)
    set_status(phase.plan.engagement, "closed", by=carol)
    response = as_carol.post(_url("onboarding_activity_status", phase.plan.engagement, activity.pk),
                             {"status": "done"}, follow=True)
    assert "The engagement is closed" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_deleting_a_phase_removes_its_activities_and_says_so(phase, carol, as_carol):
    add_activity(phase, carol)
    response = as_carol.post(_url("onboarding_phase_delete", phase.plan.engagement, phase.pk))
    assert response.status_code == 302
    assert not PlanPhase.objects.exists() and not PlanActivity.objects.exists()
    assert Entry.objects.filter(title="Onboarding phase removed: Set-up").exists()


def test_the_plan_and_what_is_drawn_from_it_run_a_constant_number_of_queries(
    plan, phase, carol, as_carol, contact, assert_queries,
):
    from cairn.onboarding.actions import save_milestone

    # The plan is one page with its chart and progress, not paged: each of these reads it whole.
    urls = [_url(name, plan.engagement) for name in (
        "onboarding_plan", "onboarding_gantt", "onboarding_plan_pdf", "onboarding_signoff",
    )]
    add_activity(phase, carol, "A", responsible_user=carol)
    save_milestone(Milestone(plan=plan, name="M1", due_date=TODAY), by=carol)
    small = [queries_of(as_carol, url) for url in urls]
    assert small[0] > 5
    for i in range(12):
        add_activity(phase, carol, f"Activity {i}", responsible_contact=contact,
                     status="done" if i % 2 else "planned")
        save_milestone(Milestone(plan=plan, name=f"M{i + 2}", due_date=TODAY), by=carol)
    second = PlanPhase.objects.create(plan=plan, name="Roll-out", start_date=TODAY, end_date=plan.deadline)
    add_activity(second, carol, "Train the trainers", responsible_user=carol)
    for url, expected in zip(urls, small, strict=True):
        assert_queries(as_carol, url, expected)


def test_the_gantt_chart_draws_bars_milestones_and_today(plan, phase, carol, as_carol):
    from cairn.onboarding.actions import save_milestone

    add_activity(phase, carol, "Connect the meters", status="done")
    add_activity(phase, carol, "Configure alerts", status="blocked")
    save_milestone(Milestone(plan=plan, name="Pilot live", due_date=TODAY), by=carol)
    response = as_carol.get(_url("onboarding_gantt", plan.engagement))
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.count("<rect") == 1 + 3  # background, the phase, two activities
    assert "<polygon" in svg and 'class="today"' in svg
    assert "#b3261e" in svg and "#1e7a46" in svg  # blocked and done colours
    assert svg_not_blank(svg)
    page = as_carol.get(_url("onboarding_plan", plan.engagement)).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="gantt"' in page


def test_the_plan_pdf_renders(plan, phase, carol, as_rita):
    add_activity(phase, carol)
    response = as_rita.get(_url("onboarding_plan_pdf", plan.engagement))
    assert response["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(response.content))


def test_a_milestone_report_goes_to_the_repository_and_renders_as_pdf(plan, phase, carol, as_carol):
    from cairn.onboarding.actions import save_milestone
    from cairn.onboarding.models import TimeEntry
    from cairn.onboarding.timesheets import log_time

    add_activity(phase, carol, "Connect the meters", status="done")
    add_activity(phase, carol, "Configure alerts")
    milestone = save_milestone(Milestone(plan=plan, name="Meters connected", due_date=TODAY,
                                         done_on=TODAY), by=carol)
    log_time(TimeEntry(engagement=plan.engagement, date=TODAY, hours=3), by=carol)
    url = _url("onboarding_milestone_report", plan.engagement, milestone.pk)
    response = as_carol.post(url, {"next_steps": "Alerts go live next week.", "include_hours": "on"})
    assert response.status_code == 302
    report = Document.objects.get(doc_type=DocumentType.MILESTONE_REPORT)
    body = report.current_version.body
    assert "Connect the meters" in body and "Configure alerts" in body
    assert "Alerts go live next week." in body and "3 hours" in body
    assert "1 of 2 activities done (50 %)" in body
    as_carol.post(url, {"next_steps": ""})
    report.refresh_from_db()
    assert report.current_version.number == 2
    pdf = as_carol.get(_url("onboarding_milestone_report_pdf", plan.engagement, milestone.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(pdf.content))


def test_an_empty_engagement_invites_to_start_a_plan(engagement, as_carol, as_rita):
    assert "Start the plan" in as_carol.get(_url("onboarding_plan", engagement)).content.decode()
    assert "Start the plan" not in as_rita.get(_url("onboarding_plan", engagement)).content.decode()
