"""The engagement page and its forms, through the HTTP client, for each role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.engagements.models import Engagement

pytestmark = pytest.mark.django_db


def test_everyone_can_read_the_engagement_page(engagement, as_rita, as_dave):
    for client in (as_rita, as_dave):
        response = client.get(engagement.get_absolute_url())
        assert response.status_code == 200
        assert b"Energy use down 20 %" in response.content
        assert b"Change phase" not in response.content


def test_the_owner_sees_the_phase_stepper_and_the_checklist(engagement, as_carol):
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert 'aria-current="step"' in page
    assert "Hold the handover with sales" in page
    assert "Change phase" in page


def test_the_engagement_page_runs_a_constant_number_of_queries(engagement, as_carol, carol, acme):
    from cairn.timeline.actions import log_entry

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_carol.get(engagement.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(15):
        log_entry(acme, "note", f"Note {i}", author=carol, engagement=engagement)
    for item in engagement.activities.all()[:10]:
        item.assignee = carol
        item.save()
    assert count() == before


def test_ticking_an_activity_with_htmx_returns_the_row(engagement, as_carol):
    item = engagement.activities.first()
    url = reverse("activity_update", args=[engagement.pk, item.pk])
    response = as_carol.post(url, {"status": "done", "note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="activity-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert item.status == "done"


def test_skipping_without_reason_shows_the_field_and_saves_nothing(engagement, as_carol):
    item = engagement.activities.first()
    url = reverse("activity_update", args=[engagement.pk, item.pk])
    response = as_carol.post(url, {"status": "skipped", "skip_reason": ""}, HTTP_HX_REQUEST="true")
    assert "Reason for skipping" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_change_the_engagement(engagement, persona, request):
    client = request.getfixturevalue(persona)
    item = engagement.activities.first()
    assert client.post(reverse("activity_update", args=[engagement.pk, item.pk]),
                       {"status": "done"}).status_code == 403
    target = engagement.playbook_version.phases.get(key="commitment")
    assert client.post(reverse("engagement_move", args=[engagement.pk]),
                       {"to_phase": target.pk, "override": "on", "reason": "x"}).status_code == 403
    assert client.post(reverse("outcome_create", args=[engagement.pk]),
                       {"name": "x", "target": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_a_team_member_may_change_the_engagement(engagement, dave, as_dave):
    engagement.team.add(dave)
    item = engagement.activities.first()
    response = as_dave.post(reverse("activity_update", args=[engagement.pk, item.pk]),
                            {"status": "done"})
    assert response.status_code == 302


def test_the_move_form_shows_missing_outputs_then_accepts_an_override(engagement, as_carol):
    target = engagement.playbook_version.phases.get(key="commitment")
    url = reverse("engagement_move", args=[engagement.pk])
    blocked = as_carol.post(url, {"to_phase": target.pk})
    assert blocked.status_code == 200
    assert "Engagement strategy and roadmap" in blocked.content.decode()
    no_reason = as_carol.post(url, {"to_phase": target.pk, "override": "on", "reason": ""})
    assert "Write why you move on" in no_reason.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).current_phase.key == "preparation"
    done = as_carol.post(url, {"to_phase": target.pk, "override": "on", "reason": "Go"})
    assert done.status_code == 302
    assert Engagement.objects.get(pk=engagement.pk).current_phase.key == "commitment"
    timeline = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert "Moved to Commitment from Preparation (gate overridden)" in timeline


def test_starting_an_engagement_from_the_account(acme, as_carol, carol, playbook_version):
    response = as_carol.post(
        reverse("engagement_create", args=[acme.pk]),
        {"initiative": "Paperless plant", "owner": carol.pk, "start_date": "2026-10-01",
         "playbook_version": playbook_version.pk},
    )
    engagement = Engagement.objects.get(initiative="Paperless plant")
    assert response.url == engagement.get_absolute_url()
    assert engagement.playbook_version == playbook_version


def test_starting_an_engagement_without_initiative_names_the_field(acme, as_carol, carol, playbook_version):
    response = as_carol.post(
        reverse("engagement_create", args=[acme.pk]),
        {"initiative": "", "owner": carol.pk, "start_date": "2026-10-01",
         "playbook_version": playbook_version.pk},
    )
    assert response.status_code == 200
    assert 'id="id_initiative_error"' in response.content.decode()
    assert not Engagement.objects.exists()


def test_a_read_only_user_cannot_start_an_engagement(acme, as_rita, rita, playbook_version):
    response = as_rita.post(
        reverse("engagement_create", args=[acme.pk]),
        {"initiative": "x", "owner": rita.pk, "start_date": "2026-10-01",
         "playbook_version": playbook_version.pk},
    )
    assert response.status_code == 403


def test_outcomes_are_added_and_validated(engagement, as_carol):
    url = reverse("outcome_create", args=[engagement.pk])
    bad = as_carol.post(url, {"name": "Energy per site", "target": "lots"})
    assert "Enter a number" in bad.content.decode()
    assert not engagement.outcomes.exists()
    as_carol.post(url, {"name": "Energy per site", "unit": "MWh", "baseline": "100", "target": "80",
                        "current": "90"})
    outcome = engagement.outcomes.get()
    assert outcome.progress_percent == 50


def test_the_activity_edit_form_opens_in_place_and_cancels_back_to_the_row(engagement, as_carol):
    item = engagement.activities.first()
    form = as_carol.get(reverse("activity_update", args=[engagement.pk, item.pk]),
                        HTTP_HX_REQUEST="true").content.decode()
    assert 'name="skip_reason"' in form and "<html" not in form
    row = as_carol.get(reverse("activity_row", args=[engagement.pk, item.pk]),
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'name="skip_reason"' not in row and "Details" in row


def test_without_javascript_the_activity_form_is_a_page_and_errors_keep_it(engagement, as_carol):
    item = engagement.activities.first()
    url = reverse("activity_update", args=[engagement.pk, item.pk])
    assert "<html" in as_carol.get(url).content.decode()
    response = as_carol.post(url, {"status": "skipped", "skip_reason": "", "note": "typed text"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reason for skipping: Say why the activity is skipped." in page
    assert 'value="typed text"' in page


def test_a_reader_gets_no_activity_edit_form(engagement, as_rita):
    item = engagement.activities.first()
    assert as_rita.get(reverse("activity_update", args=[engagement.pk, item.pk])).status_code == 403
